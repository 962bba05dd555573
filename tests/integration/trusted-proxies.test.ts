import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { POST as tokenRoute } from '@/app/api/oauth/token/route';
import { CLIENT_IP_HEADER } from '@/lib/client-ip-header';
import { prisma } from '@/server/platform/db';

import { compileTrustedProxies, resolveClientAddress } from '../../scripts/client-address';
import { uniqueIp } from './helpers';

// The real resolution of scripts/graceful-http-server.ts in front of the real
// token route, which counts every request in its client's per-IP bucket.
async function serve(trusted: string[]): Promise<{ server: Server; url: string; seen: IncomingMessage['headers'][] }> {
  const trust = compileTrustedProxies(trusted);
  const seen: IncomingMessage['headers'][] = [];
  const server = createServer(async (req, res) => {
    resolveClientAddress(req, trust);
    seen.push({ ...req.headers });
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers.set(name, value);
    const response = await tokenRoute(new Request(`http://localhost${req.url}`, { method: 'POST', headers, body: '' }));
    res.writeHead(response.status).end(await response.text());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/oauth/token`, seen };
}

/** Requests counted in an IP's bucket of the token endpoint. */
const bucketCount = async (ip: string) =>
  (await prisma.rateLimit.findUnique({ where: { key: `token:ip:${ip}` }, select: { points: true } }))?.points ?? 0;

describe('the client address behind proxies', () => {
  let untrusted: Awaited<ReturnType<typeof serve>>;
  let trusted: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => {
    untrusted = await serve(['10.0.0.0/8']);
    trusted = await serve(['loopback']);
  });
  afterAll(() => {
    untrusted.server.close();
    trusted.server.close();
  });

  const forged = (ip: string) => ({
    'x-forwarded-for': ip,
    [CLIENT_IP_HEADER]: ip,
    'x-forwarded-host': 'evil.example',
    'x-forwarded-proto': 'https',
    forwarded: `for=${ip};host=evil.example`,
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy: the bucket stays the peer', async () => {
    const spoofed = uniqueIp();
    const peerBefore = await bucketCount('127.0.0.1');
    const response = await fetch(untrusted.url, { method: 'POST', headers: forged(spoofed) });
    expect(response.status).toBe(400);
    expect(await bucketCount(spoofed)).toBe(0);
    expect(await bucketCount('127.0.0.1')).toBe(peerBefore + 1);
    const headers = untrusted.seen.at(-1)!;
    expect(headers[CLIENT_IP_HEADER]).toBe('127.0.0.1');
    expect(headers).not.toHaveProperty('x-forwarded-for');
    expect(headers).not.toHaveProperty('x-forwarded-host');
    expect(headers).not.toHaveProperty('x-forwarded-proto');
    expect(headers).not.toHaveProperty('forwarded');
  });

  it('believes X-Forwarded-For from a trusted proxy: the bucket is the client it names', async () => {
    const client = uniqueIp();
    const response = await fetch(trusted.url, { method: 'POST', headers: { 'x-forwarded-for': client } });
    expect(response.status).toBe(400);
    expect(await bucketCount(client)).toBe(1);
    const headers = trusted.seen.at(-1)!;
    expect(headers[CLIENT_IP_HEADER]).toBe(client);
    expect(headers['x-forwarded-for']).toBe(client);
  });

  it("believes each hop only while it is a trusted proxy, and drops the client's own copy of the header", async () => {
    const [forgedByClient, client] = [uniqueIp(), `203.0.113.${Math.floor(Math.random() * 250) + 1}`];
    // The client sent "forgedByClient"; the trusted proxy appended the address it saw.
    await fetch(trusted.url, {
      method: 'POST',
      headers: { 'x-forwarded-for': `${forgedByClient}, ${client}`, [CLIENT_IP_HEADER]: forgedByClient },
    });
    expect(await bucketCount(client)).toBe(1);
    expect(await bucketCount(forgedByClient)).toBe(0);
    expect(trusted.seen.at(-1)![CLIENT_IP_HEADER]).toBe(client);
  });

  it('keeps X-Forwarded-Host from a trusted proxy', async () => {
    await fetch(trusted.url, { method: 'POST', headers: { 'x-forwarded-host': 'accounts.example.com' } });
    expect(trusted.seen.at(-1)!['x-forwarded-host']).toBe('accounts.example.com');
    expect(trusted.seen.at(-1)![CLIENT_IP_HEADER]).toBe('127.0.0.1');
  });
});
