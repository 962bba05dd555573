import 'server-only';

// Small HTTP helpers shared by the token endpoint and the API's routes.

/** The media type of the request's body, lower-cased, without parameters ("application/json"). */
export function mediaType(request: Request): string | null {
  const header = request.headers.get('content-type');
  if (!header) return null;
  return header.split(';', 1)[0]!.trim().toLowerCase() || null;
}

export type BodyText = { ok: true; text: string } | { ok: false; reason: 'too-large' | 'unreadable' };

/**
 * The body as text, read no further than `maxBytes`: a client announcing or
 * streaming more is refused without the rest being buffered.
 */
export async function readBodyText(request: Request, maxBytes: number): Promise<BodyText> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (Number.isFinite(declared) && declared > maxBytes) return { ok: false, reason: 'too-large' };
  if (!request.body) return { ok: true, text: '' };
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => {});
        return { ok: false, reason: 'too-large' };
      }
      chunks.push(value);
    }
  } catch {
    return { ok: false, reason: 'unreadable' };
  }
  try {
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks)) };
  } catch {
    return { ok: false, reason: 'unreadable' };
  }
}

/** The path of the request, for a problem's `instance`. */
export function requestPath(request: Request): string {
  const url = request.url;
  const start = url.indexOf('/', url.indexOf('//') + 2);
  if (start < 0) return '/';
  const end = url.search(/[?#]/);
  return end < 0 ? url.slice(start) : url.slice(start, end);
}

export function json(body: unknown, init: { status?: number; headers?: Record<string, string> } = {}): Response {
  return new Response(JSON.stringify(body), {
    status: init.status ?? 200,
    headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...init.headers },
  });
}

/** The ETag of a customer at a version: a strong tag, its number in quotes ("7"). */
export const etag = (version: number) => `"${version}"`;

export type IfMatch =
  { kind: 'missing' } | { kind: 'any' } | { kind: 'invalid' } | { kind: 'version'; version: number };

/**
 * If-Match as this API accepts it: one strong ETag as it gives them ("7") or
 * "*". A weak tag can never match a strong comparison (RFC 9110 §13.1.1), and a
 * list would let a client write over versions it never read: both are invalid.
 */
export function parseIfMatch(value: string | null): IfMatch {
  if (value === null) return { kind: 'missing' };
  const trimmed = value.trim();
  if (trimmed === '*') return { kind: 'any' };
  const match = /^"(\d{1,9})"$/.exec(trimmed);
  return match ? { kind: 'version', version: Number(match[1]) } : { kind: 'invalid' };
}
