import { describe, expect, it } from 'vitest';

import { clientIpFrom, ipBucket, ipPrefix } from '@/server/platform/request-context';

describe('client IP', () => {
  it('takes the address the HTTP server resolved, unwrapping IPv4-mapped ones', () => {
    expect(clientIpFrom('203.0.113.7')).toBe('203.0.113.7');
    expect(clientIpFrom(' 2001:db8::7 ')).toBe('2001:db8::7');
    expect(clientIpFrom('::ffff:127.0.0.1')).toBe('127.0.0.1');
  });
  it('shows customers only a network prefix', () => {
    expect(ipPrefix('203.0.113.7')).toBe('203.0.113.0/24');
    expect(ipPrefix('2001:db8:abcd:12::1')).toBe('2001:db8:abcd::/48');
    expect(ipPrefix('unknown')).toBe('unknown');
  });

  it.each([
    ['no header', null],
    ['an empty header', ''],
    ['a list', '6.6.6.6, 203.0.113.7'],
    ['an address with a port', '203.0.113.7:51234'],
    ['a host name', 'proxy.internal'],
    ['an IPv4 out of range', '256.1.1.1'],
    ['script', '<script>'],
  ])('is unknown for %s', (_, header) => {
    expect(clientIpFrom(header)).toBe('unknown');
  });
});

describe('ip prefix: never the full address', () => {
  it.each([
    ['10.1.2.3', '10.1.2.0/24'],
    ['2001:0db8:85a3:0000:0000:8a2e:0370:7334', '2001:0db8:85a3::/48'],
    ['2001:db8::1', '2001:db8::/48'],
    ['::1', '::/48'],
    ['', 'unknown'],
    ['203.0.113', 'unknown'],
  ])('%j → %j', (ip, prefix) => {
    expect(ipPrefix(ip)).toBe(prefix);
  });

  it('shows no host part of an IPv4 address', () => {
    for (const ip of ['203.0.113.1', '203.0.113.254']) expect(ipPrefix(ip)).toBe('203.0.113.0/24');
  });
});

describe('per-IP rate-limit buckets', () => {
  it('are the address for IPv4 and its /64 for IPv6, however it is written', () => {
    expect(ipBucket('203.0.113.7')).toBe('203.0.113.7');
    expect(ipBucket('2001:db8:abcd:12::1')).toBe('2001:db8:abcd:12::/64');
    expect(ipBucket('2001:0DB8:abcd:0012:ffff:1:2:3')).toBe('2001:db8:abcd:12::/64');
    expect(ipBucket('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(ipBucket('2001:db8::')).toBe('2001:db8:0:0::/64');
    expect(ipBucket('1::2:3:4:5:6:7')).toBe('1:0:2:3::/64');
    expect(ipBucket('::1')).toBe('0:0:0:0::/64');
    expect(ipBucket('64:ff9b::192.0.2.1')).toBe('64:ff9b:0:0::/64');
    expect(ipBucket('unknown')).toBe('unknown');
  });
});
