// The HTTP server's stop on SIGTERM, in a real process on this worker's database
// (tests/integration/fixtures/graceful-server.ts: scripts/http-server.ts without Next.js).
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { prisma } from '@/server/platform/db';

import { publishBlock } from './decision-helpers';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

function startServer(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/integration/fixtures/graceful-server.ts'], {
    cwd: repoRoot,
    env: { ...process.env, NODE_OPTIONS: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const port = new Promise<number>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (\d+)/.exec(output);
      if (match) resolve(Number(match[1]));
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server exited with ${code} before listening:\n${output}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, port, exited, output: () => output };
}

describe('graceful stop on SIGTERM', () => {
  it('answers not ready first, finishes the request in flight, then stops the worker and the pool, exit 0', async () => {
    const server = startServer({ SHUTDOWN_DELAY_MS: '1500', SHUTDOWN_GRACE_MS: '10000', SLOW_MS: '3000' });
    const base = `http://localhost:${await server.port}`;
    try {
      await expect.poll(async () => (await fetch(`${base}/api/health/ready`)).status, { timeout: 20_000 }).toBe(200);

      const slow = fetch(`${base}/slow?email=ana%40example.com`).then(async (r) => ({
        status: r.status,
        requestId: r.headers.get('x-request-id'),
        body: await r.json(),
        at: Date.now(),
      }));
      await sleep(300);
      server.child.kill('SIGTERM');
      await sleep(200);

      const probe = await fetch(`${base}/api/health/ready`);
      expect(probe.status).toBe(503);
      expect(probe.headers.get('cache-control')).toBe('no-store');
      expect(await probe.json()).toEqual({ status: 'unavailable', reason: 'stopping' });

      const code = await server.exited;
      const exitedAt = Date.now();
      expect(await slow).toMatchObject({ status: 200, body: { slow: 'done' } });
      expect((await slow).at).toBeLessThanOrEqual(exitedAt);
      expect(code).toBe(0);

      const order = [
        'SIGTERM: readiness off',
        'stopped accepting connections, 1 request(s) in flight',
        'requests drained',
        'counters flushed',
        'webhook worker stopped',
        'database pool closed',
      ].map((line) => server.output().indexOf(`"component":"shutdown","msg":"${line}`));
      if (!order.every((at, i) => at >= 0 && (i === 0 || at > order[i - 1]!))) console.log(server.output());
      expect(order.every((at) => at >= 0)).toBe(true);
      expect(order).toEqual([...order].sort((a, b) => a - b));
      // One JSON line per request, with the id the client got back; the query string never logged.
      const { requestId } = await slow;
      const lines = server
        .output()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(lines.find((line) => line.requestId === requestId)).toMatchObject({
        component: 'http',
        method: 'GET',
        route: '/slow',
        status: 200,
      });
      expect(server.output()).not.toContain('example.com');
      await expect(fetch(`${base}/api/health/ready`)).rejects.toThrow();
    } finally {
      if (server.child.exitCode === null) server.child.kill('SIGKILL');
    }
  }, 60_000);

  it('closes what is still in flight after SHUTDOWN_GRACE_MS, and still exits 0', async () => {
    const server = startServer({ SHUTDOWN_DELAY_MS: '0', SHUTDOWN_GRACE_MS: '500', SLOW_MS: '5000' });
    const base = `http://localhost:${await server.port}`;
    try {
      await expect.poll(async () => (await fetch(`${base}/api/health/ready`)).status, { timeout: 20_000 }).toBe(200);
      const slow = fetch(`${base}/slow`).then(
        (r) => r.status,
        () => 'cut',
      );
      await sleep(300);
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
      expect(await slow).toBe('cut');
      expect(server.output()).toContain('1 request(s) still in flight after 500 ms');
      // The access line of the cut request: its route, no query string, marked aborted.
      expect(server.output()).toMatch(
        /"component":"http","requestId":"[0-9a-f-]{36}","method":"GET","route":"\/slow",.*"aborted":true/,
      );
    } finally {
      if (server.child.exitCode === null) server.child.kill('SIGKILL');
    }
  }, 60_000);

  it('writes the content stats counted in memory before closing the pool', async () => {
    const block = await publishBlock('hero');
    const server = startServer({ SHUTDOWN_DELAY_MS: '0', SHUTDOWN_GRACE_MS: '2000', SLOW_MS: '0' });
    const base = `http://localhost:${await server.port}`;
    try {
      for (let i = 0; i < 3; i++) expect((await fetch(`${base}/click/${block.revisionId}`)).status).toBe(200);
      // Well within the 10 s between flushes: only the stop writes them.
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
      const rows = await prisma.$queryRaw<Array<{ clicks: number }>>`
        SELECT clicks::int FROM content_stats WHERE revision_id = ${block.revisionId}::uuid`;
      expect(rows).toEqual([{ clicks: 3 }]);
    } finally {
      if (server.child.exitCode === null) server.child.kill('SIGKILL');
    }
  }, 60_000);
});
