import { randomUUID } from 'node:crypto';

import { Webhook } from 'standardwebhooks';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';

import { createApp, rotateWebhookSecret, setAppDisabled } from '@/server/apps/registry';
import { deliverDue, deliverySettings, dispatchOutbox } from '@/server/apps/webhooks';
import { ensureConsentPurposes } from '@/server/consent/purposes';
import { updateProfile } from '@/server/customers/profile';
import { prisma } from '@/server/platform/db';
import { createCustomer, TEST_ACTOR } from '@/tests/factories';

import { uniqueEmail } from './helpers';
import { startReceiver, type ReceivedWebhook } from './webhook-receiver';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** Sends one customer.updated to every app that sees the name; the webhook this receiver got. */
async function nextWebhook(received: ReceivedWebhook[]): Promise<ReceivedWebhook> {
  const customer = await createCustomer({ email: uniqueEmail('rotate') });
  await updateProfile(customer.id, { firstName: 'Rotate' }, { channel: 'portal', expectedVersion: null });
  await dispatchOutbox();
  const before = received.length;
  await deliverDue({ settings: deliverySettings({ maxAttempts: 1 }) });
  expect(received).toHaveLength(before + 1);
  return received.at(-1)!;
}

const verifies = (secret: string, hook: ReceivedWebhook) => {
  try {
    new Webhook(secret).verify(hook.body, hook.headers as Record<string, string>);
    return true;
  } catch {
    return false;
  }
};

describe('rotate-webhook-secret', () => {
  beforeAll(ensureConsentPurposes);

  it('signs with the new and the old secret during the overlap, then with the new one only', async () => {
    const r = await startReceiver();
    cleanups.push(() => r.close());
    const created = await createApp(
      {
        name: `rotate-${randomUUID().slice(0, 8)}`,
        purposes: 'service',
        fields: 'name',
        webhook: r.url,
      },
      TEST_ACTOR,
    );
    cleanups.push(() => setAppDisabled(created.app.name, true, TEST_ACTOR));
    const oldSecret = created.webhookSecret!;

    const rotated = await rotateWebhookSecret(created.app.name, 24, TEST_ACTOR);
    if (rotated === null || rotated === 'no-webhook') throw new Error('not rotated');
    expect(rotated.webhookSecret).not.toBe(oldSecret);
    expect(rotated.previousUntil.getTime()).toBeGreaterThan(Date.now() + 23 * 60 * 60 * 1000);

    const during = await nextWebhook(r.received);
    expect(String(during.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verifies(rotated.webhookSecret, during)).toBe(true);
    expect(verifies(oldSecret, during)).toBe(true);

    // The overlap is over.
    await prisma.app.update({
      where: { id: created.app.id },
      data: { webhookSecretPreviousUntil: new Date(Date.now() - 1000) },
    });
    const after = await nextWebhook(r.received);
    expect(String(after.headers['webhook-signature']).split(' ')).toHaveLength(1);
    expect(verifies(rotated.webhookSecret, after)).toBe(true);
    expect(verifies(oldSecret, after)).toBe(false);
  });

  it('refuses an app without a webhook, and answers null for an unknown app', async () => {
    const created = await createApp(
      {
        name: `rotate-${randomUUID().slice(0, 8)}`,
        purposes: 'service',
        fields: 'name',
      },
      TEST_ACTOR,
    );
    expect(await rotateWebhookSecret(created.app.name, 24, TEST_ACTOR)).toBe('no-webhook');
    expect(await rotateWebhookSecret(`missing-${randomUUID().slice(0, 8)}`, 24, TEST_ACTOR)).toBeNull();
  });
});
