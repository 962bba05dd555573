import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { setConsent } from '@/server/consent/consent';
import { prisma } from '@/server/platform/db';
import {
  portalCustomer,
  registerOidcApp,
  relyingParty,
  signInWithCode,
  startOidcServer,
  type Consent,
  type OidcTestServer,
} from '@/tests/oidc-helpers';

// Claims go through the consent policy (issue 17 item 4): scope granted, claim
// registered, not refused at consent, and the policy lets the app see the field;
// every release is a read in "who looked at my data".

let server: OidcTestServer;
beforeAll(async () => {
  server = await startOidcServer();
});
afterAll(async () => {
  await server?.close();
});

/** An app that needs the name for the service and may read the email for marketing. */
const mailingApp = () =>
  registerOidcApp({
    purposes: 'service,marketing-emails',
    fields: 'name,email:marketing-emails',
    requiredClaims: ['name', 'given_name', 'family_name'],
    optionalClaims: ['email', 'email_verified'],
  });

const accessLog = (customerId: string) =>
  prisma.dataAccessLog.findMany({
    where: { customerId },
    orderBy: { id: 'asc' },
    select: { accessorId: true, fields: true, purpose: true, reason: true },
  });

const ALLOW_ALL: Consent = { approved: true, granted: ['name', 'email'], refused: [] };

describe('claims through the consent policy', () => {
  it('shows the consent screen for optional claims; a refused one is in no token, and each release is logged', async () => {
    const app = await mailingApp();
    const customer = await portalCustomer({ firstName: 'Léa' });
    await setConsent(
      customer.id,
      { purposeKey: 'marketing-emails', version: 1, granted: true },
      { channel: 'portal', collectionMethod: 'test' },
    );
    const config = await relyingParty(server, app);
    const { tokens, portalPages } = await signInWithCode(server, config, customer, {
      scope: 'openid profile email',
      consent: { approved: true, granted: ['name', 'given_name', 'family_name'], refused: ['email', 'email_verified'] },
    });
    expect(portalPages).toHaveLength(1);
    expect(portalPages[0]).toMatch(/^\/authorize\/[\w-]+\/consent$/);
    const claims = tokens.claims()!;
    expect(claims.given_name).toBe('Léa');
    expect(claims).not.toHaveProperty('email');
    const userinfo = await client.fetchUserInfo(config, tokens.access_token, customer.id);
    expect(userinfo.name).toBe('Léa Durand');
    expect(userinfo).not.toHaveProperty('email');

    expect(await accessLog(customer.id)).toEqual([
      // The purpose the policy allowed the read for: the name is declared for both.
      { accessorId: app.clientId, fields: ['name'], purpose: 'marketing-emails', reason: 'openid id_token' },
      { accessorId: app.clientId, fields: ['name'], purpose: 'marketing-emails', reason: 'openid userinfo' },
    ]);
  });

  it('releases an allowed optional claim only while the customer consents to its purpose', async () => {
    const app = await mailingApp();
    const customer = await portalCustomer();
    const config = await relyingParty(server, app);
    const first = await signInWithCode(server, config, customer, { scope: 'openid profile email', consent: ALLOW_ALL });
    // Allowed on the consent screen, but no marketing-emails consent: the policy hides it.
    expect(first.tokens.claims()).not.toHaveProperty('email');

    await setConsent(
      customer.id,
      { purposeKey: 'marketing-emails', version: 1, granted: true },
      { channel: 'portal', collectionMethod: 'test' },
    );
    const userinfo = await client.fetchUserInfo(config, first.tokens.access_token, customer.id);
    expect(userinfo.email).toBe(customer.email);
    expect(userinfo.email_verified).toBe(true);
    const log = await accessLog(customer.id);
    expect(log.at(-1)).toEqual({
      accessorId: app.clientId,
      fields: ['email', 'name'],
      purpose: 'marketing-emails',
      reason: 'openid userinfo',
    });

    // The next sign-in reuses the grant: no consent screen.
    const again = await signInWithCode(server, config, customer, { scope: 'openid profile email' });
    expect(again.portalPages).toEqual([]);
    expect(again.tokens.claims()?.email).toBe(customer.email);
  });

  it('releases nothing but sub once the customer withdrew the app, and logs nothing', async () => {
    const app = await registerOidcApp();
    const customer = await portalCustomer();
    const config = await relyingParty(server, app);
    const { tokens } = await signInWithCode(server, config, customer);
    expect(tokens.claims()?.given_name).toBe('Camille');
    await prisma.appAccessWithdrawal.create({ data: { customerId: customer.id, appId: app.app.id } });
    const before = (await accessLog(customer.id)).length;
    const userinfo = await client.fetchUserInfo(config, tokens.access_token, customer.id);
    expect(userinfo).toEqual({ sub: customer.id });
    expect(await accessLog(customer.id)).toHaveLength(before);
  });

  it('releases only claims the app registered, whatever scope it asks for', async () => {
    const app = await registerOidcApp({ requiredClaims: ['given_name'], fields: 'name,email' });
    const customer = await portalCustomer();
    const config = await relyingParty(server, app);
    const { tokens } = await signInWithCode(server, config, customer, { scope: 'openid profile email' });
    const claims = tokens.claims()!;
    expect(claims.given_name).toBe('Camille');
    expect(claims).not.toHaveProperty('family_name');
    expect(claims).not.toHaveProperty('email');
  });

  it('ends the request with access_denied when the customer refuses', async () => {
    const app = await mailingApp();
    const customer = await portalCustomer();
    const config = await relyingParty(server, app);
    const error = await signInWithCode(server, config, customer, {
      scope: 'openid profile email',
      consent: { approved: false, granted: [], refused: [] },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(client.AuthorizationResponseError);
    expect((error as client.AuthorizationResponseError).error).toBe('access_denied');
  });
});
