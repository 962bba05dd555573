import { randomUUID } from 'node:crypto';

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { AppInputError, createApp, setAppDisabled } from '@/server/apps/registry';
import { deliverDue, deliverySettings, dispatchOutbox, listDeliveries } from '@/server/apps/webhooks';
import { isPublicAddress } from '@/server/apps/webhooks/destination';
import { ensureConsentPurposes } from '@/server/consent/purposes';
import { updateProfile } from '@/server/customers/profile';
import { prisma } from '@/server/platform/db';
import { createCustomer, TEST_ACTOR } from '@/tests/factories';

import { uniqueEmail } from './helpers';
import { startReceiver, type Receiver } from './webhook-receiver';

// As in production: server/platform/env.ts reads this on first use, after this line.
process.env.WEBHOOK_ALLOW_PRIVATE = '0';
afterAll(() => {
  delete process.env.WEBHOOK_ALLOW_PRIVATE;
});

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function receiver(): Promise<Receiver> {
  const r = await startReceiver();
  cleanups.push(() => r.close());
  return r;
}

const newApp = (webhook: string) =>
  createApp({ name: `dest-${randomUUID().slice(0, 8)}`, purposes: 'service', fields: 'name', webhook }, TEST_ACTOR);

/**
 * An app registered with a public name whose webhook now points at `url`: what
 * a name that resolves elsewhere after registration (DNS rebinding) amounts to.
 */
async function appPointingAt(url: string) {
  const created = await newApp('https://hooks.example.com/webhooks');
  cleanups.push(() => setAppDisabled(created.app.name, true, TEST_ACTOR));
  await prisma.app.update({ where: { id: created.app.id }, data: { webhookUrl: url } });
  return created.app;
}

/** One customer.updated for every app that sees the name. */
async function oneEvent() {
  const customer = await createCustomer({ email: uniqueEmail('dest') });
  await updateProfile(customer.id, { firstName: 'Dest' }, { channel: 'portal', expectedVersion: null });
  await dispatchOutbox();
}

const REFUSED = 'refused: the webhook host resolves to a private address (WEBHOOK_ALLOW_PRIVATE)';

describe('isPublicAddress', () => {
  it('refuses private, loopback, link-local, unique-local, metadata and mapped addresses; accepts public ones', () => {
    for (const address of [
      '10.1.2.3',
      '172.16.0.1',
      '192.168.1.1',
      '127.0.0.1',
      '::1',
      '169.254.169.254',
      'fd00:ec2::254',
      'fe80::1',
      '100.64.0.1',
      '0.0.0.0',
      '::ffff:127.0.0.1',
      '::ffff:169.254.169.254',
      'not an address',
    ])
      expect(isPublicAddress(address), address).toBe(false);
    for (const address of ['93.184.215.14', '2606:4700:4700::1111'])
      expect(isPublicAddress(address), address).toBe(true);
  });
});

describe('webhook destinations in production (WEBHOOK_ALLOW_PRIVATE unset)', () => {
  beforeAll(ensureConsentPurposes);

  it('refuses to register a webhook whose host is a private, loopback or metadata address', async () => {
    for (const url of [
      'http://127.0.0.1:4000/webhooks',
      'http://localhost:4000/webhooks',
      'https://169.254.169.254/latest/meta-data',
      'https://[fd00:ec2::254]/',
      'https://10.0.0.5/hooks',
      'https://[::ffff:127.0.0.1]/hooks',
    ]) {
      const attempt = newApp(url);
      await expect(attempt, url).rejects.toThrow(AppInputError);
      await expect(attempt, url).rejects.toThrow(/private, loopback, link-local or metadata address/);
    }
    const ok = await newApp('https://hooks.example.com/webhooks');
    await setAppDisabled(ok.app.name, true, TEST_ACTOR);
  });

  it('refuses at send time a name that resolves to a private address: a failed try with a clear error, nothing sent', async () => {
    const r = await receiver();
    const named = await appPointingAt(r.url.replace('127.0.0.1', 'localhost'));
    const metadata = await appPointingAt('http://169.254.169.254/latest/meta-data');
    await oneEvent();
    const outcomes = (await deliverDue({ settings: deliverySettings({ maxAttempts: 3 }) })).filter((o) =>
      [named.name, metadata.name].includes(o.appName),
    );
    expect(outcomes.map((o) => [o.appName, o.result, o.error]).sort()).toEqual(
      [
        [named.name, 'retry', REFUSED],
        [metadata.name, 'retry', REFUSED],
      ].sort(),
    );
    expect(r.received).toHaveLength(0);
    expect((await listDeliveries(named.name))![0]).toMatchObject({
      status: 'pending',
      attempts: 1,
      lastStatus: null,
      lastError: REFUSED,
    });
  });

  it('sends to the vetted address once WEBHOOK_ALLOW_PRIVATE allows it', async () => {
    const r = await receiver();
    const named = await appPointingAt(r.url.replace('127.0.0.1', 'localhost'));
    await oneEvent();
    const outcomes = await deliverDue({ settings: deliverySettings({ allowPrivate: true }) });
    expect(outcomes.find((o) => o.appName === named.name)).toMatchObject({ result: 'delivered', httpStatus: 204 });
    expect(r.received).toHaveLength(1);
  });
});
