// The webhook worker as separate processes (scripts/worker.ts, as `npm run
// worker` runs it) on this test worker's database: killed with SIGKILL in the
// middle of deliveries, and two of them side by side.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

import { afterEach, beforeAll, describe, expect, it } from 'vitest';

import { createApp, setAppDisabled } from '@/server/apps/registry';
import { ensureConsentPurposes } from '@/server/consent/purposes';
import { updateProfile } from '@/server/customers/profile';
import { prisma } from '@/server/platform/db';
import { createCustomer, TEST_ACTOR } from '@/tests/factories';

import { uniqueEmail } from './helpers';
import { startReceiver, type Receiver } from './webhook-receiver';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const portal = { channel: 'portal', expectedVersion: null } as const;
const names = ['Ana', 'Bea', 'Cyd', 'Dan', 'Eva', 'Fay', 'Gus', 'Hal', 'Ida', 'Jon'];

type Worker = { child: ChildProcess; output: () => string; listening: Promise<void>; exited: Promise<number | null> };

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** `npm run worker` on this database: 2 s per try, a lease of 2.5 s, tiny retry delays. */
function startWorkerProcess(...extra: string[]): Worker {
  return startWorker(2_000, extra);
}

function startWorker(timeoutMs: number, extra: string[]): Worker {
  const args = [
    '--conditions=react-server',
    'scripts/worker.ts',
    '--concurrency',
    '4',
    '--poll-ms',
    '200',
    '--backoff-base-ms',
    '20',
    '--lease-margin-ms',
    '500',
    ...extra,
  ];
  return startProcess(args, 'worker listening', timeoutMs);
}

function startProcess(args: string[], readyText: string, timeoutMs = 2_000): Worker {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: repoRoot,
    env: { ...process.env, NODE_OPTIONS: '', WEBHOOK_TIMEOUT_MS: String(timeoutMs) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const listening = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(readyText)) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`worker exited (${code}) before listening:\n${output}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  return { child, output: () => output, listening, exited };
}

async function receiver(): Promise<Receiver> {
  const r = await startReceiver();
  cleanups.push(() => r.close());
  return r;
}

async function webhookApp(url: string) {
  const { app } = await createApp(
    {
      name: `procs-${randomUUID().slice(0, 8)}`,
      purposes: 'service',
      fields: 'name',
      webhook: url,
    },
    TEST_ACTOR,
  );
  cleanups.push(() => setAppDisabled(app.name, true, TEST_ACTOR));
  return app;
}

const deliveries = (appId: string) =>
  prisma.webhookDelivery.findMany({
    where: { appId },
    orderBy: { id: 'asc' },
    select: { status: true, attempts: true, lockedUntil: true, event: { select: { eventId: true } } },
  });

async function eventIds(customerIds: string[]): Promise<string[]> {
  const rows = await prisma.outboxEvent.findMany({
    where: { customerId: { in: customerIds }, type: 'customer.updated' },
    select: { eventId: true },
  });
  return rows.map((r) => r.eventId).sort();
}

async function until(condition: () => Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what}: not after ${timeoutMs} ms`);
    await sleep(50);
  }
}

// Child processes compile with tsx as they start: seconds on a loaded 2-core machine.
const PROCESS_TEST_TIMEOUT_MS = 60_000;

describe('webhook workers as processes', () => {
  beforeAll(ensureConsentPurposes);

  it(
    'delivers everything after a kill -9 in the middle of deliveries and a restart',
    async () => {
      const r = await receiver();
      r.answer(() => 'hang');
      const app = await webhookApp(r.url);
      const customers = await Promise.all(names.slice(0, 6).map(() => createCustomer({ email: uniqueEmail() })));
      for (const [i, c] of customers.entries())
        expect(await updateProfile(c.id, { firstName: names[i] }, portal)).toMatchObject({ ok: true });

      // 8 s per try: on a loaded machine a 2 s try could time out (and free its
      // slot) before the four are counted; the kill comes long before 8 s.
      const first = startWorker(8_000, []);
      await first.listening;
      // Its four slots hang on the receiver; the two other events wait their turn.
      await r.waitFor((received) => received.length === 4);
      const inFlight = (await deliveries(app.id)).filter((d) => d.lockedUntil !== null);
      expect(inFlight).toHaveLength(4);
      first.child.kill('SIGKILL');
      await first.exited;

      // Written while no worker runs.
      for (const c of customers.slice(0, 2)) await updateProfile(c.id, { lastName: 'Afterkill' }, portal);
      const expected = await eventIds(customers.map((c) => c.id));
      expect(expected).toHaveLength(8);

      r.answer(() => 204);
      const second = startWorkerProcess();
      await second.listening;
      // The killed worker's leases expire (8.5 s), then its deliveries are sent again.
      await until(
        async () =>
          (await deliveries(app.id)).every((d) => d.status === 'delivered') && (await deliveries(app.id)).length === 8,
        20_000,
        'every delivery delivered',
      );
      expect([...new Set(r.received.map((h) => h.id))].sort()).toEqual(expected);
      const rows = await deliveries(app.id);
      const retried = rows.filter((d) => inFlight.some((f) => f.event.eventId === d.event.eventId));
      expect(retried.map((d) => d.attempts)).toEqual([2, 2, 2, 2]);
      expect(rows.filter((d) => !retried.includes(d)).map((d) => d.attempts)).toEqual([1, 1, 1, 1]);

      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
    },
    PROCESS_TEST_TIMEOUT_MS,
  );

  it(
    'two worker processes on one database deliver each event exactly once in the normal case',
    async () => {
      const r = await receiver();
      // A little work per request, so both workers have deliveries in flight at once.
      r.answer(async () => {
        await sleep(Math.random() * 30);
        return 204;
      });
      const app = await webhookApp(r.url);
      const customers = await Promise.all(Array.from({ length: 10 }, () => createCustomer({ email: uniqueEmail() })));
      // The normal case: no try times out, even when a loaded machine answers late.
      const a = startWorker(10_000, ['--verbose']);
      const b = startWorker(10_000, ['--verbose']);
      await Promise.all([a.listening, b.listening]);

      // 30 events in bursts, as several app instances would write them.
      for (let round = 0; round < 3; round++) {
        await Promise.all(
          customers.map((c, i) => updateProfile(c.id, { firstName: names[(i + round + 1) % names.length] }, portal)),
        );
      }
      const expected = await eventIds(customers.map((c) => c.id));
      expect(expected).toHaveLength(30);

      await until(
        async () => {
          const rows = await deliveries(app.id);
          return rows.length === 30 && rows.every((d) => d.status === 'delivered');
        },
        20_000,
        'every delivery delivered',
      );
      // Room for a duplicate to show up.
      await sleep(500);
      expect(r.received).toHaveLength(30);
      expect(r.received.map((h) => h.id).sort()).toEqual(expected);
      expect((await deliveries(app.id)).every((d) => d.attempts === 1)).toBe(true);
      // Both took part (one line per delivery in --verbose).
      const sentBy = [a, b].map((w) => w.output().match(/"result":"delivered","status":204/g)?.length ?? 0);
      console.log(`deliveries per worker process: ${sentBy.join(' + ')}`);
      expect(sentBy[0]! + sentBy[1]!).toBe(30);

      a.child.kill('SIGTERM');
      b.child.kill('SIGTERM');
      expect(await Promise.all([a.exited, b.exited])).toEqual([0, 0]);
    },
    PROCESS_TEST_TIMEOUT_MS,
  );

  it(
    'runs inside the app server process, which has no react-server condition (scripts/http-server.ts, WEBHOOK_WORKER=on)',
    async () => {
      const r = await receiver();
      const app = await webhookApp(r.url);
      const customer = await createCustomer({ email: uniqueEmail() });
      const server = startProcess(
        ['tests/integration/fixtures/in-process-webhook-worker.ts'],
        'worker running in this process',
      );
      await server.listening;
      await updateProfile(customer.id, { firstName: 'Inside' }, portal);
      await r.waitFor((received) => received.length === 1, 10_000);
      expect(r.received[0]!.id).toEqual((await eventIds([customer.id]))[0]);
      await until(async () => (await deliveries(app.id))[0]?.status === 'delivered', 5_000, 'delivered');
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
    },
    PROCESS_TEST_TIMEOUT_MS,
  );
});
