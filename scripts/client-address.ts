// The client's address, decided once per request by the HTTP server, which alone
// sees the socket: X-Forwarded-For is believed only hop by hop from peers in
// TRUSTED_PROXIES (proxy-addr walks it from the right and stops at the first
// untrusted address). docs/decisions/029-trusted-proxies.md
import type { IncomingMessage } from 'node:http';

import proxyaddr from 'proxy-addr';

import { CLIENT_IP_HEADER } from '../lib/client-ip-header';

export type TrustProxy = (address: string, hop: number) => boolean;

/** TRUSTED_PROXIES' entries (addresses, CIDRs, or proxy-addr's names such as `loopback`); throws on a bad one. */
export function compileTrustedProxies(entries: string[]): TrustProxy {
  return proxyaddr.compile(entries);
}

/**
 * Sets CLIENT_IP_HEADER, replacing whatever the client sent. From a peer that is
 * not a trusted proxy, every X-Forwarded-* and Forwarded header goes too: Next.js
 * would otherwise build URLs and the server actions' origin check from a
 * client-chosen X-Forwarded-Host.
 */
export function resolveClientAddress(req: IncomingMessage, trust: TrustProxy): void {
  const peer = req.socket.remoteAddress ?? '';
  const client = peer ? proxyaddr(req, trust) : '';
  if (!peer || !trust(peer, 0)) {
    for (const name of Object.keys(req.headers)) {
      if (name.startsWith('x-forwarded-') || name === 'forwarded') delete req.headers[name];
    }
  }
  delete req.headers[CLIENT_IP_HEADER];
  if (client) req.headers[CLIENT_IP_HEADER] = client;
}
