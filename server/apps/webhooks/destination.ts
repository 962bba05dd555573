import 'server-only';

import { lookup as resolve, type LookupAddress } from 'node:dns';
import { promisify } from 'node:util';

import ipaddr from 'ipaddr.js';

// Where a webhook may go: the public internet only, unless WEBHOOK_ALLOW_PRIVATE
// (docs/decisions/026-session-age-and-webhook-destinations.md). Customer data must
// not be sent to the cloud metadata service, the database or another internal host.

/**
 * True for a public unicast address; false for private, loopback, link-local
 * (169.254.169.254), unique-local (fd00:ec2::254), carrier-grade NAT, multicast,
 * reserved and unspecified ones, IPv4-mapped IPv6 included (ipaddr.js's ranges).
 */
export function isPublicAddress(address: string): boolean {
  return ipaddr.isValid(address) && ipaddr.process(address).range() === 'unicast';
}

/** The address a URL's host names literally ("[::1]" → "::1"), or null for a name. */
function literalAddress(hostname: string): string | null {
  const bare = hostname.replace(/^\[(.*)\]$/, '$1');
  return ipaddr.isValid(bare) ? bare : null;
}

/** Registration: refuses a host that is, by its very name, not public. Names are checked again at each send. */
export function isPublicHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return false;
  const literal = literalAddress(host);
  return literal === null || isPublicAddress(literal);
}

export type Destination = { ok: true; addresses: LookupAddress[] } | { ok: false; error: string };

const lookupAll = promisify(resolve);

/**
 * Resolves the host once, refuses it if any of its addresses is not public
 * (unless allowed), and returns the addresses the connection must use: the
 * POST connects to these, never to a second resolution (no DNS rebinding).
 */
export async function resolveDestination(hostname: string, allowPrivate: boolean): Promise<Destination> {
  const literal = literalAddress(hostname);
  let addresses: LookupAddress[];
  try {
    addresses = literal
      ? [{ address: literal, family: ipaddr.parse(literal).kind() === 'ipv6' ? 6 : 4 }]
      : await lookupAll(hostname, { all: true });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return { ok: false, error: typeof code === 'string' ? `network error ${code.slice(0, 40)}` : 'network error' };
  }
  if (addresses.length === 0) return { ok: false, error: 'network error ENOTFOUND' };
  if (!allowPrivate && !addresses.every((a) => isPublicAddress(a.address)))
    return { ok: false, error: 'refused: the webhook host resolves to a private address (WEBHOOK_ALLOW_PRIVATE)' };
  return { ok: true, addresses };
}
