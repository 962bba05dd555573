import { randomUUID } from 'node:crypto';

import { beforeAll, describe, expect, it, vi } from 'vitest';

import { createApp } from '@/server/apps/registry';
import { setAppAccess } from '@/server/consent/app-access';
import { ensureConsentPurposes } from '@/server/consent/purposes';
import { deleteCustomer } from '@/server/customers/account';
import { revokeOtherSessions } from '@/server/identity/sessions';
import { BACKCHANNEL_MODEL, listSignedInApps } from '@/server/oidc/grants';
import { getPool, prisma } from '@/server/platform/db';
import { createCustomer, createSessionFor, TEST_ACTOR } from '@/tests/factories';

import { uniqueEmail } from './helpers';

// The provider's rows as server/oidc/adapter.ts stores them (oidc-provider's payloads, the
// adapter's columns beside): what grants.ts reads and deletes. The full flows, through the
// provider and openid-client, are in oidc-flows.test.ts.

const nowS = () => Math.floor(Date.now() / 1000);

async function oidcApp(tag: string, backchannel: string | null) {
  const { app } = await createApp(
    { name: `${tag}-${randomUUID().slice(0, 8)}`, purposes: 'service', fields: 'name,email' },
    TEST_ACTOR,
  );
  await getPool().query(
    `UPDATE apps SET redirect_uris = ARRAY['https://rp.example/cb'], backchannel_logout_uri = $2,
            required_claims = ARRAY['name', 'given_name'], optional_claims = ARRAY['email'] WHERE id = $1`,
    [app.id, backchannel],
  );
  return app;
}

async function store(
  model: string,
  payload: Record<string, unknown>,
  cols: { accountId?: string; clientId?: string; grantId?: string; expiresInS?: number } = {},
) {
  const id = randomUUID();
  await getPool().query(
    `INSERT INTO oidc_payloads (model, id, payload, account_id, client_id, grant_id, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [
      model,
      id,
      { jti: id, kind: model, iat: nowS(), ...payload },
      cols.accountId ?? null,
      cols.clientId ?? null,
      cols.grantId ?? null,
      new Date(Date.now() + (cols.expiresInS ?? 3600) * 1000),
    ],
  );
  return id;
}

/** A sign-in of the customer to the app: a grant, its refresh and access tokens, and the provider session. */
async function signIn(customerId: string, clientId: string, opts: { rejected?: string[]; iat?: number } = {}) {
  const iat = opts.iat ?? nowS();
  const grantId = await store(
    'Grant',
    {
      accountId: customerId,
      clientId,
      iat,
      openid: { scope: 'openid profile email', claims: [] },
      ...(opts.rejected ? { rejected: { openid: { claims: opts.rejected } } } : {}),
    },
    { accountId: customerId, clientId },
  );
  const refresh = await store(
    'RefreshToken',
    { iat, accountId: customerId, clientId, grantId },
    { accountId: customerId, clientId, grantId },
  );
  const access = await store(
    'AccessToken',
    { iat, accountId: customerId, clientId, grantId },
    { accountId: customerId, clientId, grantId },
  );
  const sid = randomUUID();
  const session = await store(
    'Session',
    { accountId: customerId, authorizations: { [clientId]: { sid, grantId } } },
    { accountId: customerId },
  );
  return { grantId, refresh, access, sid, session };
}

const exists = async (model: string, id: string) =>
  (await getPool().query('SELECT 1 FROM oidc_payloads WHERE model = $1 AND id = $2', [model, id])).rowCount === 1;

const queuedLogouts = async (clientIds: string[]) =>
  (
    await getPool().query<{ client_id: string; account_id: string | null; payload: { sub: string; sid: string } }>(
      `SELECT client_id, account_id, payload FROM oidc_payloads WHERE model = $1 AND client_id = ANY($2) ORDER BY client_id`,
      [BACKCHANNEL_MODEL, clientIds],
    )
  ).rows;

describe('OpenID grants of the portal', () => {
  beforeAll(ensureConsentPurposes);

  it('lists the apps the customer signed in to, with the registered claims granted less the refused ones, newest first', async () => {
    const customer = await createCustomer({ email: uniqueEmail('grants') });
    const older = await oidcApp('older', null);
    const newer = await oidcApp('newer', null);
    await oidcApp('never-used', null);
    await signIn(customer.id, older.clientId, { iat: nowS() - 3600 });
    await signIn(customer.id, newer.clientId, { rejected: ['email'] });
    // Someone else's sign-in and an expired grant are not listed.
    const other = await createCustomer({ email: uniqueEmail('grants-other') });
    await signIn(other.id, older.clientId);

    const listed = await listSignedInApps(customer.id);
    expect(listed.map((a) => a.appId)).toEqual([newer.id, older.id]);
    // The scopes cover more (family_name, locale, email_verified), but the apps registered only these.
    expect(listed[0]!.claims.sort()).toEqual(['given_name', 'name']);
    expect(listed[1]!.claims.sort()).toEqual(['email', 'given_name', 'name']);
    expect(listed[1]!.firstSignedInAt.getTime()).toBeLessThan(listed[0]!.firstSignedInAt.getTime());
  });

  it('withdrawing an app revokes its grant and tokens for this customer only, in the withdrawal’s transaction', async () => {
    const customer = await createCustomer({ email: uniqueEmail('withdraw') });
    const app = await oidcApp('withdrawn', null);
    const kept = await oidcApp('kept', null);
    const mine = await signIn(customer.id, app.clientId);
    const otherApp = await signIn(customer.id, kept.clientId);
    const other = await createCustomer({ email: uniqueEmail('withdraw-other') });
    const theirs = await signIn(other.id, app.clientId);

    expect(await setAppAccess(customer.id, app.id, false)).toEqual({ ok: true, changed: true });

    expect(
      await Promise.all([
        exists('Grant', mine.grantId),
        exists('RefreshToken', mine.refresh),
        exists('AccessToken', mine.access),
      ]),
    ).toEqual([false, false, false]);
    expect(await Promise.all([exists('Grant', otherApp.grantId), exists('Grant', theirs.grantId)])).toEqual([
      true,
      true,
    ]);
    expect((await listSignedInApps(customer.id)).map((a) => a.appId)).toEqual([kept.id]);

    // Signed in again while withdrawn: withdrawing again still revokes.
    const again = await signIn(customer.id, app.clientId);
    expect(await setAppAccess(customer.id, app.id, false)).toEqual({ ok: true, changed: false });
    expect(await exists('RefreshToken', again.refresh)).toBe(false);
  });

  it('a failed withdrawal revokes nothing', async () => {
    const customer = await createCustomer({ email: uniqueEmail('withdraw-fail') });
    const app = await oidcApp('rollback', null);
    const mine = await signIn(customer.id, app.clientId);
    const spy = vi
      .spyOn(await import('@/server/platform/outbox'), 'writeEvent')
      .mockRejectedValueOnce(new Error('boom'));
    try {
      await expect(setAppAccess(customer.id, app.id, false)).rejects.toThrow('boom');
    } finally {
      spy.mockRestore();
    }
    expect(await exists('Grant', mine.grantId)).toBe(true);
  });

  it('signing out everywhere ends the provider sessions and queues a back-channel logout to each app that takes one', async () => {
    const customer = await createCustomer({ email: uniqueEmail('signout') });
    const listening = await oidcApp('listening', 'https://rp.example/backchannel');
    const deaf = await oidcApp('deaf', null);
    const current = await createSessionFor(customer.id);
    void current;
    const a = await signIn(customer.id, listening.clientId);
    const b = await signIn(customer.id, deaf.clientId);
    const session = await prisma.session.findFirstOrThrow({ where: { userId: customer.id }, select: { id: true } });

    await revokeOtherSessions(customer.id, session.id);

    expect(await Promise.all([exists('Session', a.session), exists('Session', b.session)])).toEqual([false, false]);
    const queued = await queuedLogouts([listening.clientId, deaf.clientId]);
    expect(queued).toEqual([
      {
        client_id: listening.clientId,
        account_id: null,
        payload: expect.objectContaining({ sub: customer.id, sid: a.sid, reason: 'all-sessions', attempts: 0 }),
      },
    ]);
    // Offline grants survive a sign-out (OpenID Connect Core §11): only a withdrawal revokes them.
    expect(await exists('Grant', a.grantId)).toBe(true);
  });

  it('erasing the account queues the logouts, which outlive the customer’s rows', async () => {
    const customer = await createCustomer({ email: uniqueEmail('erase') });
    const listening = await oidcApp('erase-listening', 'https://rp.example/backchannel');
    const signedIn = await signIn(customer.id, listening.clientId);

    expect(await deleteCustomer(customer.id, { channel: 'portal' })).toEqual({ ok: true });

    expect(await exists('Grant', signedIn.grantId)).toBe(false);
    expect((await queuedLogouts([listening.clientId])).map((r) => r.payload.sid)).toEqual([signedIn.sid]);
  });
});
