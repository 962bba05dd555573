import 'server-only';

import { isIP } from 'node:net';

import { headers } from 'next/headers';

import { getEnv } from './env';

/**
 * The client's IP address. scripts/http-server.ts rebuilds X-Forwarded-For as
 * [what the trusted proxies appended…, socket address], so the client is the
 * entry `trustedHops` places from the right; nothing the client sent survives.
 */
export function clientIpFrom(forwardedFor: string | null, trustedHops = 0): string {
  const hops = (forwardedFor ?? '')
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean);
  const entry = hops.at(-1 - trustedHops) ?? '';
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

export async function getRequestContext(): Promise<{ ip: string; userAgent: string }> {
  const h = await headers();
  return {
    ip: clientIpFrom(h.get('x-forwarded-for'), getEnv().TRUST_PROXY_HOPS),
    userAgent: (h.get('user-agent') ?? '').slice(0, 512),
  };
}
