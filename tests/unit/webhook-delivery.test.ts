import { describe, expect, it } from 'vitest';

import {
  backoffDelay,
  DEFAULT_BACKOFF,
  deliverySettings,
  describeFailure,
  isFinalFailure,
  planWebhook,
} from '@/server/apps/webhooks/delivery';

// The pure rules of webhook delivery (docs/decisions/018-webhook-delivery.md);
// tests/integration/webhooks.test.ts proves them against a real receiver.

// Read once, at deliverySettings' first call (server/platform/env.ts).
process.env.WEBHOOK_TIMEOUT_MS = '2500';
process.env.WEBHOOK_MAX_ATTEMPTS = '3';

describe('backoffDelay: exponential backoff with full jitter', () => {
  const backoff = { baseMs: 1_000, capMs: 60_000, factor: 4 };

  it('raises the ceiling by the factor after each failed try, up to the cap', () => {
    const ceilings = [1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, backoff, () => 1));
    expect(ceilings).toEqual([1_000, 4_000, 16_000, 60_000, 60_000, 60_000]);
  });

  it('draws uniformly between zero and the ceiling', () => {
    expect(backoffDelay(3, backoff, () => 0)).toBe(0);
    expect(backoffDelay(3, backoff, () => 0.25)).toBe(4_000);
    expect(backoffDelay(3, backoff, () => 0.999_999)).toBe(16_000);
  });

  it('stays within [0, ceiling] whatever the random source gives, with Math.random by default', () => {
    for (let attempt = 1; attempt <= 12; attempt++) {
      const ceiling = Math.min(backoff.capMs, backoff.baseMs * backoff.factor ** (attempt - 1));
      for (let i = 0; i < 50; i++) {
        const delay = backoffDelay(attempt, backoff);
        expect(Number.isInteger(delay)).toBe(true);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThanOrEqual(ceiling);
      }
    }
  });

  it('treats zero or negative tries as the first (no fraction of the base)', () => {
    expect(backoffDelay(0, backoff, () => 1)).toBe(1_000);
    expect(backoffDelay(-3, backoff, () => 1)).toBe(1_000);
  });

  it('never overflows to Infinity or NaN far past the cap', () => {
    expect(backoffDelay(1_000, backoff, () => 1)).toBe(60_000);
  });

  it('defaults span about 1.4 hours over 8 tries: factor 4 from 1 s, capped at 1 h', () => {
    expect(DEFAULT_BACKOFF).toEqual({ baseMs: 1_000, capMs: 3_600_000, factor: 4 });
    const worst = [1, 2, 3, 4, 5, 6, 7].reduce((sum, n) => sum + backoffDelay(n, DEFAULT_BACKOFF, () => 1), 0);
    expect(worst / 3_600_000).toBeCloseTo(1.38, 2);
  });
});

describe('deliverySettings', () => {
  it('reads the environment and keeps the default backoff', () => {
    expect(deliverySettings()).toEqual({
      timeoutMs: 2_500,
      maxAttempts: 3,
      // Outside production, apps on this machine receive webhooks (WEBHOOK_ALLOW_PRIVATE).
      allowPrivate: true,
      leaseMarginMs: 15_000,
      backoff: DEFAULT_BACKOFF,
    });
  });

  it('merges a partial backoff over the default instead of replacing it', () => {
    const settings = deliverySettings({ maxAttempts: 2, backoff: { capMs: 5_000 } });
    expect(settings.maxAttempts).toBe(2);
    expect(settings.backoff).toEqual({ baseMs: 1_000, capMs: 5_000, factor: 4 });
  });
});

describe('isFinalFailure', () => {
  it('dead-letters after the last allowed try, not before', () => {
    expect(isFinalFailure(7, 8, 503)).toBe(false);
    expect(isFinalFailure(8, 8, 503)).toBe(true);
    expect(isFinalFailure(9, 8, null)).toBe(true);
  });

  it('gives up at once on 410 Gone, and only on 410', () => {
    expect(isFinalFailure(1, 8, 410)).toBe(true);
    for (const status of [400, 404, 429, 500, 503]) expect(isFinalFailure(1, 8, status)).toBe(false);
    expect(isFinalFailure(1, 8, null)).toBe(false);
  });
});

describe('describeFailure: what last_error keeps of a failed POST', () => {
  it('names a timeout with its budget', () => {
    expect(describeFailure(new DOMException('The operation timed out.', 'TimeoutError'), 10_000)).toBe(
      'timeout after 10000 ms',
    );
    expect(describeFailure(Object.assign(new Error('aborted'), { name: 'AbortError' }), 250)).toBe(
      'timeout after 250 ms',
    );
  });

  it('keeps only the socket error code of a network failure, never the message naming the host', () => {
    const refused = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect ECONNREFUSED 10.0.0.7:443 https://hooks.example/secret-token'), {
        code: 'ECONNREFUSED',
      }),
    });
    expect(describeFailure(refused, 1)).toBe('network error ECONNREFUSED');
    expect(describeFailure(new TypeError('fetch failed'), 1)).toBe('network error');
    const longCode = new TypeError('fetch failed', { cause: { code: 'X'.repeat(200) } });
    expect(describeFailure(longCode, 1)).toBe(`network error ${'X'.repeat(40)}`);
  });

  it('says nothing more for anything else', () => {
    expect(describeFailure(new Error('https://hooks.example/?token=abc'), 1)).toBe('request failed');
    expect(describeFailure('a string', 1)).toBe('request failed');
  });
});

describe('planWebhook: what an app is sent of an event', () => {
  const nothing = {};
  const nameOnly = { name: 'terms-of-service' };
  const nameAndEmail = { name: 'terms-of-service', email: 'marketing-emails' };
  const addressOnly = { postalAddress: 'terms-of-service' };

  it('to an app that may see nothing: only the bare consent.updated, every other event suppressed', () => {
    expect(planWebhook('consent.updated', {}, nothing)).toEqual({
      send: true,
      type: 'consent.updated',
      changed: [],
      customer: false,
    });
    for (const type of ['customer.created', 'customer.updated', 'customer.email_changed'])
      expect(planWebhook(type, { fields: ['firstName', 'email'] }, nothing)).toEqual({ send: false });
  });

  it('to an app the customer withdrew: the withdrawal of that app, then nothing, consent changes included', () => {
    const withdrawn = { clientId: 'app_shop', withdrawn: true };
    const bare = { send: true, type: 'consent.updated', changed: [], customer: false };
    expect(planWebhook('consent.updated', { app: 'app_shop', access: 'withdrawn' }, nothing, withdrawn)).toEqual(bare);
    expect(planWebhook('consent.updated', { purpose: 'marketing-emails', granted: true }, nothing, withdrawn)).toEqual({
      send: false,
    });
    expect(planWebhook('consent.updated', { app: 'app_other', access: 'withdrawn' }, nothing, withdrawn)).toEqual({
      send: false,
    });
    expect(planWebhook('consent.updated', { app: 'app_shop', access: 'allowed' }, nothing, withdrawn)).toEqual({
      send: false,
    });
    // Not withdrawn (no purpose of it allowed yet): it hears of each consent change, and may then ask.
    expect(
      planWebhook('consent.updated', { purpose: 'marketing-emails' }, nothing, { ...withdrawn, withdrawn: false }),
    ).toEqual(bare);
  });

  it('counts a field mapped to no purpose as not visible', () => {
    expect(planWebhook('customer.updated', { fields: ['firstName'] }, { name: undefined })).toEqual({ send: false });
  });

  it('sends a consent change with the customer to an app that sees something', () => {
    expect(planWebhook('consent.updated', { purpose: 'analytics' }, nameOnly)).toEqual({
      send: true,
      type: 'consent.updated',
      changed: [],
      customer: true,
    });
  });

  it('sends a creation to an app that sees something, whatever fields it set', () => {
    expect(planWebhook('customer.created', { fields: ['email'] }, nameOnly)).toEqual({
      send: true,
      type: 'customer.created',
      changed: [],
      customer: true,
    });
  });

  it('sends an update only when it touched a field the app sees, listing only those, in a fixed order', () => {
    expect(planWebhook('customer.updated', { fields: ['phone', 'locale'] }, nameOnly)).toEqual({ send: false });
    expect(
      planWebhook(
        'customer.updated',
        { fields: ['address.home', 'lastName', 'phone', 'firstName'] },
        {
          ...nameOnly,
          ...addressOnly,
        },
      ),
    ).toEqual({ send: true, type: 'customer.updated', changed: ['name', 'postalAddress'], customer: true });
  });

  it('maps every address kind to postalAddress', () => {
    for (const attribute of ['address.home', 'address.billing', 'address.shipping'])
      expect(planWebhook('customer.updated', { fields: [attribute] }, addressOnly)).toMatchObject({
        send: true,
        changed: ['postalAddress'],
      });
  });

  it('tells of an email change only an app that may see the email', () => {
    expect(planWebhook('customer.email_changed', { fields: ['email'] }, nameAndEmail)).toEqual({
      send: true,
      type: 'customer.email_changed',
      changed: ['email'],
      customer: true,
    });
    // Not the email, but another field it sees changed too: an ordinary update.
    expect(planWebhook('customer.email_changed', { fields: ['email', 'firstName'] }, nameOnly)).toEqual({
      send: true,
      type: 'customer.updated',
      changed: ['name'],
      customer: true,
    });
    expect(planWebhook('customer.email_changed', { fields: ['email'] }, nameOnly)).toEqual({ send: false });
  });

  it('suppresses an update whose payload lists no fields, or not as a list', () => {
    expect(planWebhook('customer.updated', {}, nameOnly)).toEqual({ send: false });
    expect(planWebhook('customer.updated', { fields: 'firstName' }, nameOnly)).toEqual({ send: false });
    expect(planWebhook('customer.updated', { fields: ['unknownAttribute'] }, nameOnly)).toEqual({ send: false });
  });
});
