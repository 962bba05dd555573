/**
 * Playwright fixtures (docs/guiding-principles.md, principle 13): every test makes its own customers, sessions
 * and sign-in challenges through server code, and deletes them afterwards, so specs
 * run in parallel against one app and one database without seeing each other.
 *
 *   import { test, expect } from './fixtures';
 *   test('…', async ({ signedInPage, customer }) => { … });
 *
 * Only the sign-in specs go through the sign-in UI; the others start signed in
 * (`signedInPage`, `signInAs`) or with a pending challenge (`createChallenge`).
 */
import './server-env'; // first: server/ modules read DATABASE_URL and AUTH_SECRET

import { randomBytes } from 'node:crypto';

import { test as base, expect, type BrowserContext, type BrowserContextOptions, type Page } from '@playwright/test';

import { applyReferenceData } from '@/server/reference-data';

import { sha256 } from '../server/platform/crypto';
import { prisma } from '../server/platform/db';
import {
  createCustomer,
  createSessionFor,
  createSignInChallenge,
  createStaffMember,
  createStaffSessionFor,
  type CustomerSeed,
  type StaffSeed,
} from '../tests/factories';
import { clearMail } from './mailbox';

export { expect };

// Wire names, written out: renaming a cookie signs people out or loses their sign-in,
// so a rename must fail here first (server/platform/cookies.ts; Playwright's loader
// cannot import that module, which imports next/headers).
/** The session cookie on http://localhost, where the app runs in these tests. */
export const SESSION_COOKIE = 'authjs.session-token';
/** The console's session cookie on http://localhost (server/platform/cookies.ts STAFF_SESSION_COOKIE). */
export const STAFF_SESSION_COOKIE = 'accord.staff-session';
/** The cookie binding the code page to the device that asked (app/(auth)/signin/challenge.ts). */
export const CHALLENGE_COOKIE = 'accord.signin';

export type TestStaff = { id: string; email: string; displayName: string };

export type TestCustomer = { id: string; email: string; firstName: string | null };

export type PendingChallenge = {
  id: string;
  email: string;
  /** The 6-digit code the mail would carry. */
  code: string;
  /** The link token the mail would carry. */
  token: string;
  /** The link, relative to baseURL. */
  link: string;
};

type TestFixtures = {
  /** A fresh, lower-case address on the reserved .test domain; deleted with its data after the test. */
  uniqueEmail: (label?: string) => string;
  /**
   * A customer made through tests/factories.ts (onboarded, first name "Camille",
   * unless told otherwise) at a `uniqueEmail`; deleted after the test.
   */
  createCustomer: (seed?: Omit<CustomerSeed, 'email'>) => Promise<TestCustomer>;
  /** An onboarded customer, first name "Camille", English. */
  customer: TestCustomer;
  /**
   * Starts a session for the customer (as tests/factories.ts createSessionFor) and sets its
   * cookie on the context. `authenticatedAt` in the past moves the step-up clock; `userAgent`
   * is stored on the session as a sign-in through the UI would store it (the sessions list
   * shows its browser and system).
   */
  signInAs: SignInAs;
  /** A page whose context is signed in as `customer`, with a fresh sign-in. */
  signedInPage: Page;
  /**
   * A page signed in as `customer` whose sign-in is older than the step-up window
   * (11 minutes ago): sensitive changes ask "Confirm it's you" first.
   */
  staleSignedInPage: Page;
  /**
   * A sign-in challenge stored as server/identity/sign-in.ts requestSignIn stores it, with the
   * code and token in the clear, without sending mail. Pass a context to bind it to
   * that device (the cookie /signin/code reads). A given `email` must be one this
   * test already owns (a fixture customer's), so that cleanup finds it.
   */
  createChallenge: (opts?: {
    email?: string;
    expired?: boolean;
    context?: BrowserContext;
  }) => Promise<PendingChallenge>;
  /**
   * A page in a new browser context: another device, with its own cookies. Same
   * baseURL and locale as the config's unless overridden; closed after the test.
   */
  newDevice: (options?: BrowserContextOptions) => Promise<Page>;
  /**
   * A page in a new browser context signed in to the console as a new staff
   * member with these roles (a session row and its cookie, as a passkey sign-in
   * leaves them). Staff rows stay after the test: audit rows point at them.
   */
  staffPage: (
    roles: StaffSeed['roles'],
    seed?: Omit<StaffSeed, 'roles'>,
  ) => Promise<{ page: Page; context: BrowserContext; staff: TestStaff; sessionId: string }>;
};

export type SignInOptions = {
  /** When the session last proved who the customer is; default now. */
  authenticatedAt?: Date;
  /** Stored on the session row, as server/identity/auth.ts startSession stores the browser's. */
  userAgent?: string;
};

export type SignInAs = (
  context: BrowserContext,
  customerId: string,
  opts?: SignInOptions,
) => Promise<{ token: string; sessionId: string }>;

/** server/identity/sessions.ts STEP_UP_WINDOW_MS (10 minutes), plus one: a sign-in too old for sensitive changes. */
export function signInTooOldForStepUp(): Date {
  return new Date(Date.now() - 11 * 60 * 1000);
}

type WorkerFixtures = {
  /** The reference data every start applies (consent purposes, categories, stores): migrations do not create them. */
  consentPurposes: void;
};

// Each fixture hands its value over with `provide` (Playwright's docs call it `use`):
// eslint's react-hooks rule would take a `use(…)` call for React's hook.
export const test = base.extend<TestFixtures, WorkerFixtures>({
  consentPurposes: [
    async ({}, provide) => {
      try {
        await applyReferenceData();
      } catch {
        // Two workers upserting the same row at once: one loses on the unique key. Once more finds it.
        await applyReferenceData();
      }
      await provide();
    },
    { scope: 'worker', auto: true },
  ],

  uniqueEmail: async ({}, provide, testInfo) => {
    const emails = new Set<string>();
    let n = 0;
    await provide((label = 'customer') => {
      const email =
        `${label}-w${testInfo.workerIndex}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}-${n++}@example.test`.toLowerCase();
      emails.add(email);
      return email;
    });
    await deleteEverythingOf([...emails]);
  },

  createCustomer: async ({ uniqueEmail }, provide) => {
    await provide(async (seed = {}) => {
      const firstName = seed.firstName === undefined ? 'Camille' : seed.firstName;
      const { id, email } = await createCustomer({ ...seed, firstName, email: uniqueEmail() });
      return { id, email, firstName };
    });
  },

  customer: async ({ createCustomer }, provide) => {
    await provide(await createCustomer());
  },

  signInAs: async ({}, provide) => {
    await provide(async (context, customerId, opts = {}) => {
      const { token } = await createSessionFor(customerId, { authenticatedAt: opts.authenticatedAt });
      const { id: sessionId } = await prisma.session.update({
        where: { sessionToken: sha256(token) },
        data: opts.userAgent === undefined ? {} : { userAgent: opts.userAgent },
        select: { id: true },
      });
      await context.addCookies([
        {
          name: SESSION_COOKIE,
          value: token,
          domain: 'localhost',
          path: '/',
          httpOnly: true,
          secure: false,
          sameSite: 'Lax',
        },
      ]);
      return { token, sessionId };
    });
  },

  signedInPage: async ({ page, customer, signInAs }, provide) => {
    await signInAs(page.context(), customer.id);
    await provide(page);
  },

  staleSignedInPage: async ({ page, customer, signInAs }, provide) => {
    await signInAs(page.context(), customer.id, { authenticatedAt: signInTooOldForStepUp() });
    await provide(page);
  },

  createChallenge: async ({ uniqueEmail }, provide) => {
    await provide(async (opts = {}) => {
      const { id, email, code, token } = await createSignInChallenge({
        email: opts.email ?? uniqueEmail('challenge'),
        expired: opts.expired,
      });
      if (opts.context) {
        await opts.context.addCookies([
          {
            name: CHALLENGE_COOKIE,
            value: id,
            domain: 'localhost',
            path: '/',
            httpOnly: true,
            secure: false,
            sameSite: 'Lax',
          },
        ]);
      }
      return { id, email, code, token, link: `/signin/confirm?token=${token}` };
    });
  },

  newDevice: async ({ browser, baseURL, locale }, provide) => {
    const contexts: BrowserContext[] = [];
    await provide(async (options = {}) => {
      const context = await browser.newContext({ baseURL, locale, ...options });
      contexts.push(context);
      return context.newPage();
    });
    await Promise.all(contexts.map((context) => context.close()));
  },

  staffPage: async ({ browser, baseURL, locale }, provide, testInfo) => {
    const contexts: BrowserContext[] = [];
    let n = 0;
    await provide(async (roles, seed = {}) => {
      const email = `staff-w${testInfo.workerIndex}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}-${n++}@example.test`;
      const staff = await createStaffMember({ email, ...seed, roles });
      const { token, sessionId } = await createStaffSessionFor(staff.id);
      const context = await browser.newContext({ baseURL, locale });
      contexts.push(context);
      await context.addCookies([
        {
          name: STAFF_SESSION_COOKIE,
          value: token,
          domain: 'localhost',
          path: '/',
          httpOnly: true,
          secure: false,
          sameSite: 'Strict',
        },
      ]);
      return { page: await context.newPage(), context, staff, sessionId };
    });
    await Promise.all(contexts.map((context) => context.close()));
  },
});

export { waitForHydration } from './hydration';

/**
 * Everything a test left under its addresses: customers (with their sessions, passkeys,
 * known devices and security events), sign-in and passkey challenges, limits, mail.
 */
async function deleteEverythingOf(emails: string[]): Promise<void> {
  if (emails.length === 0) return;
  const customers = await prisma.user.findMany({ where: { email: { in: emails } }, select: { id: true } });
  const ids = customers.map((c) => c.id);
  const limitKeys = emails.flatMap((email) => [`send:email:${email}`, `verify:email:${email}`]);
  await prisma.$transaction([
    prisma.consentReceipt.deleteMany({ where: { customerId: { in: ids } } }),
    prisma.outboxEvent.deleteMany({ where: { customerId: { in: ids } } }),
    // Passkey ceremonies name their customer without a foreign key (anonymous sign-in
    // ceremonies name none and expire within minutes).
    prisma.webAuthnChallenge.deleteMany({ where: { customerId: { in: ids } } }),
    // Sessions, accounts, addresses, passkeys, known devices and security events go
    // with the customer (ON DELETE CASCADE).
    prisma.user.deleteMany({ where: { id: { in: ids } } }),
    prisma.signInChallenge.deleteMany({ where: { email: { in: emails } } }),
    prisma.$executeRaw`DELETE FROM rate_limits WHERE key = ANY(${limitKeys})`,
  ]);
  await Promise.all(emails.map((email) => clearMail(email)));
}
