import { describe, expect, it } from 'vitest';

import { clientIpFrom, ipPrefix } from '@/server/platform/request-context';

describe('client IP', () => {
  it('takes the socket address, or the entry the trusted proxies vouch for', () => {
    expect(clientIpFrom('203.0.113.7')).toBe('203.0.113.7');
    expect(clientIpFrom('6.6.6.6, 203.0.113.7')).toBe('203.0.113.7');
    expect(clientIpFrom('198.51.100.4, 10.0.0.2', 1)).toBe('198.51.100.4');
    expect(clientIpFrom('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(clientIpFrom('garbage')).toBe('unknown');
    expect(clientIpFrom(null)).toBe('unknown');
  });
  it('shows customers only a network prefix', () => {
    expect(ipPrefix('203.0.113.7')).toBe('203.0.113.0/24');
    expect(ipPrefix('2001:db8:abcd:12::1')).toBe('2001:db8:abcd::/48');
    expect(ipPrefix('unknown')).toBe('unknown');
  });
});
