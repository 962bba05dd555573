import 'server-only';
import { headers } from 'next/headers';
import { isIP } from 'node:net';

/**
 * The client's IP address. `next start` appends the socket address to
 * X-Forwarded-For, and so does each proxy in front of it, so the right-most
 * entry is the one nobody upstream could forge (docs/attack-protection.md).
 */
export function clientIpFrom(forwardedFor: string | null): string {
  const hops = (forwardedFor ?? '').split(',').map((h) => h.trim()).filter(Boolean);
  const last = hops.at(-1) ?? '';
  const ip = last.startsWith('::ffff:') ? last.slice(7) : last;
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
  return { ip: clientIpFrom(h.get('x-forwarded-for')), userAgent: (h.get('user-agent') ?? '').slice(0, 512) };
}
