// --webhooks: commit → webhook delivery latency, after the rounds, with the
// servers idle. Imports server/ (main.ts imports this module only once the
// environment is set, like seed.ts).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

import { Webhook } from 'standardwebhooks';

import { startWebhookWorker } from '../../server/apps/webhooks';
import { updateProfile } from '../../server/customers/profile';
import { onCleanup } from './cleanup';
import { machineBusyMs, treeCpuMs } from './cpu';
import type { BenchDatabase } from './database';
import { log, options, WEBHOOK_APP } from './options';
import { prioritiseThisProcess } from './priority';
import { removeBenchApp, replaceBenchApp } from './seed';

export type WebhookLatency = {
  changes: number;
  committed: number;
  received: number;
  badSignatures: number;
  /** Sorted. */
  latenciesMs: number[];
  rate: number;
  warmup: number;
  /** Shares of one core while the measured changes ran. */
  cpu: { bench: number; db: number | null; other: number };
};

/**
 * One home-address change per customer given, at --webhook-rate per second,
 * through server/customers/profile.ts updateProfile (what the portal's form and the
 * API's PATCH call), each timed from the moment its transaction has committed
 * (the call returns) to the moment its webhook, signature verified, is read
 * by a receiver in this process. The worker is server/webhooks' own, started
 * here as scripts/http-server.ts starts it in each app instance: woken by the
 * outbox's NOTIFY at commit. One change per customer, so each webhook is
 * told apart by its customer. A first batch of `warmupIds`, at the same rate,
 * is not counted: a cold start (new pool connections, unoptimised code) made
 * the first changes of a run wait a second and more behind it.
 */
export async function measureWebhookLatency(
  customerIds: string[],
  warmupIds: string[],
  db: BenchDatabase,
): Promise<WebhookLatency> {
  const rate = options.webhookRate;
  const receivedAt = new Map<string, number>();
  let verifier: InstanceType<typeof Webhook> | null = null;
  let badSignatures = 0;
  let waitingFor: { ids: Set<string>; done: () => void } | null = null;
  const receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const at = performance.now();
      try {
        const event = verifier!.verify(Buffer.concat(chunks).toString('utf8'), {
          'webhook-id': String(req.headers['webhook-id']),
          'webhook-timestamp': String(req.headers['webhook-timestamp']),
          'webhook-signature': String(req.headers['webhook-signature']),
        }) as { data?: { customerId?: string } };
        const id = event.data?.customerId;
        if (id && !receivedAt.has(id)) {
          receivedAt.set(id, at);
          if (waitingFor && [...waitingFor.ids].every((wanted) => receivedAt.has(wanted))) waitingFor.done();
        }
        res.writeHead(204).end();
      } catch {
        badSignatures++;
        res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const closeReceiver = () => new Promise<void>((resolve) => receiver.close(() => resolve()));
  onCleanup(closeReceiver);
  const { port } = receiver.address() as AddressInfo;

  const app = await replaceBenchApp({
    name: WEBHOOK_APP,
    description: 'npm run bench',
    purposes: 'service',
    fields: 'name,postalAddress',
    webhook: `http://127.0.0.1:${port}/webhooks`,
  });
  onCleanup(() => removeBenchApp(WEBHOOK_APP));
  verifier = new Webhook(app.webhookSecret!);
  const worker = startWebhookWorker({
    log: {
      info: () => {},
      warn: (...args: unknown[]) => log(`[webhooks] ${args.join(' ')}`),
      error: (...args: unknown[]) => log(`[webhooks] ${args.join(' ')}`),
    },
  });
  onCleanup(() => worker.stop());
  await worker.listening;

  const run = Date.now().toString(36);
  /** Changes each customer's home address once, paced; resolves with the commit times once every webhook arrived (or 30 s after the last commit). */
  async function changeAll(ids: string[]): Promise<Map<string, number>> {
    const committedAt = new Map<string, number>();
    const arrived = new Promise<void>((resolve) => (waitingFor = { ids: new Set(ids), done: resolve }));
    const started = performance.now();
    const writes: Array<Promise<void>> = [];
    for (const [i, customerId] of ids.entries()) {
      const wait = started + (i * 1000) / rate - performance.now();
      if (wait > 0) await sleep(wait);
      const home = {
        country: 'FR',
        line1: `${i + 1} rue du Banc`,
        line2: `Bench run ${run}`,
        postalCode: '75011',
        city: 'Paris',
      };
      writes.push(
        updateProfile(customerId, { addresses: { home } }, { channel: 'bench', expectedVersion: null }).then(
          (result) => {
            if (result.ok && result.changed.length > 0) committedAt.set(customerId, performance.now());
            else
              log(
                `webhooks: the change of customer ${customerId} was not written (${result.ok ? 'no change' : result.reason})`,
              );
          },
        ),
      );
    }
    await Promise.all(writes);
    if (
      (await Promise.race([arrived.then(() => 'all' as const), sleep(30_000).then(() => 'timeout' as const)])) ===
      'timeout'
    ) {
      log(
        `webhooks: ${ids.filter((id) => receivedAt.has(id)).length} of ${ids.length} arrived within 30 s of the last commit`,
      );
    }
    waitingFor = null;
    return committedAt;
  }

  log(
    `webhooks: ${warmupIds.length} profile changes to warm up, then ${customerIds.length} at ${rate}/s, each timed from its commit to its webhook's arrival`,
  );
  // This process is the system under test now (writer, worker, receiver): with
  // --nice it gets the priority next start had during the rounds.
  const restorePriority = prioritiseThisProcess();
  await changeAll(warmupIds);
  const cpu0 = process.cpuUsage();
  const db0 = treeCpuMs(db.postmasterPid);
  const busy0 = machineBusyMs();
  const t0 = performance.now();
  const committedAt = await changeAll(customerIds);
  const elapsedMs = performance.now() - t0;
  const cpu1 = process.cpuUsage(cpu0);
  const benchMs = (cpu1.user + cpu1.system) / 1000;
  const dbMs = treeCpuMs(db.postmasterPid) - db0;
  const otherMs = Math.max(0, machineBusyMs() - busy0 - benchMs - dbMs);
  restorePriority();
  await worker.stop();
  await closeReceiver();
  await removeBenchApp(WEBHOOK_APP);

  const latenciesMs = [...committedAt]
    .filter(([id]) => receivedAt.has(id))
    .map(([id, at]) => Math.max(0, receivedAt.get(id)! - at))
    .sort((a, b) => a - b);
  return {
    changes: customerIds.length,
    committed: committedAt.size,
    received: customerIds.filter((id) => receivedAt.has(id)).length,
    badSignatures,
    latenciesMs,
    rate,
    warmup: warmupIds.length,
    cpu: { bench: benchMs / elapsedMs, db: db.postmasterPid ? dbMs / elapsedMs : null, other: otherMs / elapsedMs },
  };
}
