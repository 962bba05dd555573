import 'server-only';

import { isIP } from 'node:net';

import ipaddr from 'ipaddr.js';
import { headers } from 'next/headers';

import { CLIENT_IP_HEADER } from '@/lib/client-ip-header';

/**
 * The client's IP address from the header scripts/client-address.ts sets on
 * every request (the socket's peer, or what TRUSTED_PROXIES vouch for); nothing
 * the client sent survives it.
 */
export function clientIpFrom(header: string | null): string {
  const entry = (header ?? '').trim();
  const ip = entry.startsWith('::ffff:') ? entry.slice(7) : entry;
  return isIP(ip) ? ip : 'unknown';
}

/** The network part shown to customers: /24 for IPv4, /48 for IPv6. */
export function ipPrefix(ip: string): string {
  if (isIP(ip) === 4) return ip.split('.').slice(0, 3).join('.') + '.0/24';
  if (isIP(ip) === 6) {
    const [head = ''] = ip.split('::');
    return head.split(':').slice(0, 3).join(':') + '::/48';
  }
  return 'unknown';
}

/**
 * The key of per-IP rate limits: the address for IPv4, its /64 for IPv6 (the
 * smallest network a provider hands one subscriber, RFC 6177).
 */
export function ipBucket(ip: string): string {
  if (isIP(ip) !== 6 || !ipaddr.IPv6.isValid(ip)) return ip;
  const groups = ipaddr.IPv6.parse(ip).parts.slice(0, 4);
  return `${groups.map((g) => g.toString(16)).join(':')}::/64`;
}

/** The client's IP address of a route handler's request (the same rule as getRequestContext). */
export function clientIpOf(request: Request): string {
  return clientIpFrom(request.headers.get(CLIENT_IP_HEADER));
}

export async function getRequestContext(): Promise<{ ip: string; userAgent: string }> {
  const h = await headers();
  return {
    ip: clientIpFrom(h.get(CLIENT_IP_HEADER)),
    userAgent: (h.get('user-agent') ?? '').slice(0, 512),
  };
}
