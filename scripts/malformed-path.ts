import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * A path whose percent-encoding does not decode (`/api/v1/customers/%`): Next.js
 * throws while decoding its route params and answers 500 (found by npm run
 * test:attack). Refused here, in front of every route, proxy.ts's matcher or not:
 * 400, as RFC 9457 problem details under /api/.
 */
export function refuseUndecodablePath(req: IncomingMessage, res: ServerResponse): boolean {
  const [pathname = '/'] = (req.url ?? '/').split('?');
  try {
    decodeURIComponent(pathname);
    return false;
  } catch {
    const detail = 'this address is not validly percent-encoded.';
    if (pathname.startsWith('/api/')) {
      res.writeHead(400, { 'Content-Type': 'application/problem+json' });
      res.end(JSON.stringify({ type: 'about:blank', title: 'Bad Request', status: 400, detail }));
    } else {
      res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(`Bad request: ${detail}`);
    }
    return true;
  }
}
