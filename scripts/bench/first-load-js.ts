// First-load JavaScript: the scripts a page's HTML loads, fetched from the
// running server and gzipped here.
import { gzipSync } from 'node:zlib';

import { serverOf, type Servers } from './load';
import { fail } from './options';
import type { ServerName } from './servers';

export type JsSize = {
  page: string;
  server: ServerName;
  status: string;
  files: number;
  rawBytes: number;
  gzipBytes: number;
  htmlGzipBytes: number;
  /** Each script, in the order of the HTML. */
  scripts: Array<{ url: string; rawBytes: number; gzipBytes: number }>;
};

const gzCache = new Map<string, { raw: number; gz: number }>();

/**
 * The <script src> files of the page but the noModule polyfills, gzipped at
 * zlib's default level (the one next start's compression sends). A page that
 * does not answer 200 fails the run when required, else is reported as skipped.
 */
export async function firstLoadJs(
  servers: Servers,
  server: ServerName,
  page: string,
  headers: Record<string, string>,
  required: boolean,
): Promise<JsSize> {
  const { origin } = serverOf(servers, server);
  const res = await fetch(origin + page, { headers, redirect: 'manual' });
  const html = await res.text();
  if (res.status !== 200) {
    if (required) fail(`${page} (${server}): status ${res.status} while reading its scripts`);
    return {
      page,
      server,
      status: `skipped: status ${res.status}`,
      files: 0,
      rawBytes: 0,
      gzipBytes: 0,
      htmlGzipBytes: 0,
      scripts: [],
    };
  }
  const urls = new Set<string>();
  for (const match of html.matchAll(/<script\b([^>]*)>/g)) {
    const attributes = match[1] ?? '';
    // noModule scripts (the legacy polyfills) are never fetched by the browsers that run modules.
    if (/\bnomodule\b/i.test(attributes)) continue;
    const src = (/\bsrc="([^"]+)"/.exec(attributes)?.[1] ?? '').replaceAll('&amp;', '&');
    if (src.includes('/_next/static/') && /\.js(\?|$)/.test(src)) urls.add(new URL(src, origin).href);
  }
  if (urls.size === 0) fail(`${page} (${server}): found no /_next/static/*.js script in its HTML`);
  let rawBytes = 0;
  let gzipBytes = 0;
  const scripts: JsSize['scripts'] = [];
  for (const url of urls) {
    let size = gzCache.get(url);
    if (!size) {
      const file = await fetch(url);
      if (!file.ok) fail(`${url} (loaded by ${page}): status ${file.status}`);
      const bytes = Buffer.from(await file.arrayBuffer());
      size = { raw: bytes.length, gz: gzipSync(bytes).length };
      gzCache.set(url, size);
    }
    rawBytes += size.raw;
    gzipBytes += size.gz;
    scripts.push({ url, rawBytes: size.raw, gzipBytes: size.gz });
  }
  return {
    page,
    server,
    status: 'ok',
    files: urls.size,
    rawBytes,
    gzipBytes,
    htmlGzipBytes: gzipSync(Buffer.from(html)).length,
    scripts,
  };
}
