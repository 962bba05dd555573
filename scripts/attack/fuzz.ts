// The property-based fuzz: for every route handler method and every server
// action, malformed requests answer below 500, show no stack trace, (on the
// apps' API) refuse with RFC 9457 problem details, and write nothing.
import fs from 'node:fs';
import path from 'node:path';

import fc from 'fast-check';

import { repoRoot } from '../db/postgres';
import { callAction, type Client, type Reply, type ServerAction } from './client';
import { actionBodies, ACTIONS, PROVIDER_ENDPOINTS, ROUTES, type ActionBody, type Fixture, type Probe } from './specs';
import type { WriteProbe } from './writes';

/** What a stack trace or an internal path looks like in a body. */
const STACK_MARKERS = [
  /\bat [\w$.<>[\] ]*\(?(?:file:\/\/)?\/[^\s)]+:\d+/,
  /\bat (?:async )?[\w$.]+ \(?node:/,
  /node_modules/,
  /\b\w*Error: [^\n]*\/(?:app|server|lib|scripts|dist|\.next)\//,
  /\/(?:app|server|lib|dist|\.next)\/[\w/.[\]()-]+\.(?:ts|tsx|js|mjs):\d+/,
];

export type Outcome = {
  name: string;
  cases: number;
  statuses: Record<number, number>;
  /** Rows written during the whole property, allowed ones included. */
  written: Record<string, number>;
  failure?: string;
};

const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/** app/**\/route.ts and the HTTP methods each exports, from the source. */
export function routeFiles(): Array<{ file: string; methods: string[] }> {
  const found: Array<{ file: string; methods: string[] }> = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(path.join(repoRoot, dir), { withFileTypes: true })) {
      const rel = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(rel);
      else if (entry.name === 'route.ts' || entry.name === 'route.tsx') {
        const source = fs.readFileSync(path.join(repoRoot, rel), 'utf8');
        const methods = HTTP_METHODS.filter((m) =>
          new RegExp(
            `export\\s+(?:async\\s+)?(?:function|const)\\s+${m}\\b|export\\s+const\\s*\\{[^}]*\\b${m}\\b`,
          ).test(source),
        );
        found.push({ file: rel, methods });
      }
    }
  };
  walk('app');
  return found.sort((a, b) => a.file.localeCompare(b.file));
}

/** Entries missing from specs.ts, for the run to refuse to start without them. */
export function missingSpecs(actions: ServerAction[]): string[] {
  const missing: string[] = [];
  for (const { file, methods } of routeFiles()) {
    const spec = ROUTES[file];
    if (!spec) missing.push(`route ${file}`);
    else for (const m of methods) if (!spec.methods[m]) missing.push(`route ${file} ${m}`);
  }
  for (const action of actions) if (!ACTIONS[action.key]) missing.push(`server action ${action.key}`);
  return missing;
}

export type ProviderEndpoint = { key: string; path: string };

/**
 * The OpenID provider's endpoints, from its discovery document (they are not
 * Next.js routes), and those it names that have no entry in PROVIDER_ENDPOINTS.
 */
export async function discoverProviderEndpoints(
  baseUrl: string,
): Promise<{ endpoints: ProviderEndpoint[]; missing: string[] }> {
  const res = await fetch(new URL('/oidc/.well-known/openid-configuration', baseUrl));
  if (!res.ok) throw new Error(`the provider's discovery document answered ${res.status}`);
  const metadata = (await res.json()) as Record<string, unknown>;
  const endpoints: ProviderEndpoint[] = [];
  const missing: string[] = [];
  for (const [key, value] of Object.entries(metadata)) {
    if (typeof value !== 'string' || !(key.endsWith('_endpoint') || key === 'jwks_uri')) continue;
    if (PROVIDER_ENDPOINTS[key]) endpoints.push({ key, path: new URL(value).pathname });
    else missing.push(`provider endpoint ${key} (${value})`);
  }
  for (const [key, spec] of Object.entries(PROVIDER_ENDPOINTS)) if (spec.path) endpoints.push({ key, path: spec.path });
  return { endpoints, missing };
}

/**
 * No open redirect: a Location, or a form_post's form, leads to Accord itself or
 * to exactly one of the fixture client's registered URIs (its query or
 * fragment carrying the answer).
 */
function checkRedirects(reply: Reply, baseUrl: string, allowed: string[]): string | null {
  const targets: string[] = [];
  const location = reply.headers.get('location');
  if (reply.status >= 300 && reply.status < 400 && location) targets.push(location);
  for (const match of reply.body.matchAll(/<form[^>]*\saction="([^"]*)"/gi))
    targets.push(match[1]!.replaceAll('&amp;', '&'));
  for (const target of targets) {
    let url: URL;
    try {
      url = new URL(target, baseUrl);
    } catch {
      return `redirects to an unparsable ${JSON.stringify(target)}`;
    }
    if (url.origin === new URL(baseUrl).origin) continue;
    const bare = `${url.origin}${url.pathname}`;
    if (!allowed.includes(bare)) return `redirects off Accord to ${JSON.stringify(target.slice(0, 200))}`;
  }
  return null;
}

function checkReply(reply: Reply, opts: { problemJson?: boolean; oauthJson?: boolean }): string | null {
  if (reply.status >= 500) return `answered ${reply.status}`;
  for (const marker of STACK_MARKERS) {
    const match = reply.body.match(marker);
    if (match) return `body shows ${JSON.stringify(match[0])} (status ${reply.status})`;
  }
  if (opts.problemJson && reply.status >= 400) {
    const type = reply.headers.get('content-type') ?? '';
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(reply.body) as Record<string, unknown>;
    } catch {
      return `${reply.status} with a body that is not JSON: ${reply.body.slice(0, 100)}`;
    }
    // The token endpoint answers its own errors as RFC 6749 section 5.2 requires.
    const oauthError = typeof body.error === 'string' && type.startsWith('application/json');
    const problem =
      type.startsWith('application/problem+json') && typeof body.title === 'string' && body.status === reply.status;
    if (!oauthError && !problem)
      return `${reply.status} is not RFC 9457 problem details: ${type} ${reply.body.slice(0, 200)}`;
  }
  if (opts.oauthJson && reply.status >= 400) {
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(reply.body) as Record<string, unknown>;
    } catch {
      return `${reply.status} with a body that is not JSON: ${reply.body.slice(0, 100)}`;
    }
    if (typeof body.error !== 'string') return `${reply.status} is not an OAuth error: ${reply.body.slice(0, 200)}`;
  }
  return null;
}

function toBody(body: ActionBody['body']): BodyInit {
  if (typeof body === 'string' || body instanceof Uint8Array) return body as BodyInit;
  const form = new FormData();
  for (const [name, value] of body.form) form.append(name, value);
  return form;
}

export async function fuzzAll(opts: {
  client: Client;
  anonymous: Client;
  actions: ServerAction[];
  fixture: Fixture;
  writes: WriteProbe;
  seed: number;
  runs: number;
  only?: string;
  providerEndpoints: ProviderEndpoint[];
  log: (message: string) => void;
}): Promise<Outcome[]> {
  const { client, anonymous, writes, seed, runs, log } = opts;
  const outcomes: Outcome[] = [];

  async function property<T>(
    name: string,
    arbitrary: fc.Arbitrary<T>,
    send: (input: T) => Promise<Reply>,
    checks: { problemJson?: boolean; oauthJson?: boolean; writes?: string; redirectsTo?: string[] },
  ): Promise<void> {
    if (opts.only && !name.includes(opts.only)) return;
    const outcome: Outcome = { name, cases: 0, statuses: {}, written: {} };
    const started = Date.now();
    const beforeAll = await writes.counts();
    try {
      await fc.assert(
        fc.asyncProperty(arbitrary, async (input) => {
          outcome.cases++;
          const before = checks.writes ? null : await writes.counts();
          const reply = await send(input);
          outcome.statuses[reply.status] = (outcome.statuses[reply.status] ?? 0) + 1;
          const problem =
            checkReply(reply, checks) ??
            (checks.redirectsTo ? checkRedirects(reply, client.baseUrl, checks.redirectsTo) : null);
          if (problem) throw new Error(problem);
          if (before) {
            const written = await writes.unexpectedSince(before);
            if (Object.keys(written).length)
              throw new Error(`wrote rows: ${JSON.stringify(written)} (status ${reply.status})`);
          }
        }),
        { seed, numRuns: runs, endOnFailure: false, includeErrorInReport: true, interruptAfterTimeLimit: 120_000 },
      );
    } catch (error) {
      outcome.failure = error instanceof Error ? error.message : String(error);
    }
    for (const [table, n] of await writes.counts()) {
      const delta = n - (beforeAll.get(table) ?? 0);
      if (delta > 0) outcome.written[table] = delta;
    }
    outcomes.push(outcome);
    const statuses = Object.entries(outcome.statuses)
      .map(([status, n]) => `${status}×${n}`)
      .join(' ');
    log(
      `${outcome.failure ? 'FAIL' : 'ok  '} ${name}: ${outcome.cases} cases in ${((Date.now() - started) / 1000).toFixed(1)} s (${statuses})` +
        (Object.keys(outcome.written).length ? ` wrote ${JSON.stringify(outcome.written)}` : '') +
        (outcome.failure ? `\n${outcome.failure.split('\n').slice(0, 12).join('\n')}` : ''),
    );
  }

  const sendProbe = (probe: Probe) =>
    (probe.session ? client : anonymous).request(probe.path, {
      method: probe.method,
      headers: probe.headers,
      body: probe.body as BodyInit | undefined,
      keepCookies: false,
    });

  for (const { file, methods } of routeFiles()) {
    const spec = ROUTES[file]!;
    for (const method of methods) {
      await property(`${method} ${file}`, spec.methods[method]!(opts.fixture), sendProbe, spec);
    }
  }

  const { fixture } = opts;
  for (const { key, path } of opts.providerEndpoints) {
    const spec = PROVIDER_ENDPOINTS[key]!;
    for (const [method, arbitrary] of Object.entries(spec.methods)) {
      await property(`${method} ${path} (provider: ${key})`, arbitrary(fixture, path), sendProbe, {
        ...spec,
        redirectsTo: [fixture.redirectUri, fixture.postLogoutRedirectUri],
      });
    }
  }

  const ordered = [...opts.actions].sort(
    (a, b) => (ACTIONS[a.key]?.last ?? 0) - (ACTIONS[b.key]?.last ?? 0) || a.key.localeCompare(b.key),
  );
  for (const action of ordered) {
    const spec = ACTIONS[action.key]!;
    await property(
      `action ${action.key}`,
      actionBodies(spec),
      (input) =>
        callAction(input.session ? client : anonymous, action, toBody(input.body), {
          contentType: input.contentType,
          keepCookies: false,
        }),
      spec,
    );
  }
  return outcomes;
}
