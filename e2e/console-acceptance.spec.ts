/**
 * Issue 13's acceptance, as one journey in real browsers: the first administrator
 * bootstrapped by `npm run staff -- invite` and its mailed link, a marketer and a
 * support agent invited in the console, each enrolling a passkey on Chromium's
 * virtual authenticator (user verification on) and seeing only their sections; the
 * agent refused on an administrator's pages and action with nothing changed;
 * disabling the agent ends their open session; every step in the audit page and its
 * CSV. The pieces are tested in depth by the other console-*.spec.ts files.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';

import type { Browser, Page } from '@playwright/test';

import { prisma } from '../server/platform/db';
import { expect, test, waitForHydration } from './fixtures';
import { extractLink, recordServerActions, replay, ROUND_TRIPS_TIMEOUT } from './helpers';
import { waitForMail } from './mailbox';
import { TEST_AUTH_SECRET } from './test-secrets';
import { addVirtualAuthenticator } from './webauthn';

const run = promisify(execFile);

const unique = (tag: string) =>
  `${tag}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}@example.test`;

/** `npm run staff -- invite` as an operator runs it on the server, against the e2e app's database and mail. */
async function inviteFromCli(baseURL: string, email: string): Promise<void> {
  await run(
    process.execPath,
    [
      '--import',
      'tsx',
      '--conditions=react-server',
      'scripts/staff.ts',
      'invite',
      '--email',
      email,
      '--role',
      'administrator',
      '--name',
      'Ada Admin',
    ],
    {
      cwd: process.cwd(),
      env: {
        ...process.env,
        NODE_OPTIONS: '',
        SMTP_URL: `smtp://127.0.0.1:${process.env.E2E_SMTP_PORT ?? 2525}`,
        APP_URL: baseURL,
        AUTH_SECRET: TEST_AUTH_SECRET,
      },
    },
  );
}

/** A new browser with its own authenticator opens the invitation mailed to `email` and creates a passkey. */
async function enrolFromMail(browser: Browser, baseURL: string, email: string, name: string, after: Date) {
  const mail = await waitForMail(email, { after, subjectIncludes: 'invitation' });
  const link = new URL(extractLink(mail, '/console/invitation'));
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  await addVirtualAuthenticator(page);
  await page.goto(`${link.pathname}${link.hash}`);
  await expect(page.getByText(`Welcome, ${name}.`)).toBeVisible({ timeout: ROUND_TRIPS_TIMEOUT });
  const create = page.getByRole('button', { name: 'Create my passkey' });
  await waitForHydration(create);
  await create.click();
  await expect(page.getByRole('heading', { level: 1, name: `Hello, ${name}` })).toBeVisible({
    timeout: ROUND_TRIPS_TIMEOUT,
  });
  return page;
}

async function navLinks(page: Page): Promise<string[]> {
  return page.getByRole('navigation', { name: 'Console' }).getByRole('link').allTextContents();
}

async function invite(admin: Page, email: string, name: string, role: RegExp): Promise<Date> {
  await admin.goto('/console/staff/invite');
  await waitForHydration(admin.getByRole('button', { name: 'Send the invitation' }));
  await admin.getByLabel('Email address').fill(email);
  await admin.getByLabel('Name', { exact: true }).fill(name);
  await admin.getByRole('checkbox', { name: role }).check();
  const sent = new Date();
  await admin.getByRole('button', { name: 'Send the invitation' }).click();
  await expect(admin.getByRole('status').filter({ hasText: 'Invitation sent' })).toBeVisible({
    timeout: ROUND_TRIPS_TIMEOUT,
  });
  return sent;
}

test('from the CLI bootstrap to the audit CSV: each member sees only their sections, refusals change nothing', async ({
  browser,
  baseURL,
}) => {
  test.setTimeout(240_000);
  const adminEmail = unique('ada-admin');
  const marketerEmail = unique('mia-marketer');
  const agentEmail = unique('sam-support');

  // 1. The operator bootstraps the first administrator from the command line.
  const bootstrapped = new Date();
  await inviteFromCli(baseURL!, adminEmail);
  const admin = await enrolFromMail(browser, baseURL!, adminEmail, 'Ada Admin', bootstrapped);
  expect(await navLinks(admin)).toEqual(['Home', 'Staff', 'Apps', 'Audit trail', 'Your account']);

  // 2. The administrator invites a marketer and a support agent; each enrols a passkey.
  const marketerInvited = await invite(admin, marketerEmail, 'Mia Marketer', /^Marketer/);
  const recorded = recordServerActions(admin, (body) => body.includes(agentEmail));
  await invite(admin, agentEmail, 'Sam Support', /^Support agent/);
  await expect.poll(() => recorded.length).toBe(1);
  const inviteAgent = recorded[0]!;
  const marketer = await enrolFromMail(browser, baseURL!, marketerEmail, 'Mia Marketer', marketerInvited);
  const agent = await enrolFromMail(browser, baseURL!, agentEmail, 'Sam Support', marketerInvited);
  expect(await navLinks(marketer)).toEqual(['Home', 'Content', 'Your account']);
  expect(await navLinks(agent)).toEqual(['Home', 'Support', 'Customers', 'Your account']);

  const staffByEmail = (email: string) => prisma.staffMember.findUniqueOrThrow({ where: { email } });
  const adminRow = await staffByEmail(adminEmail);
  const marketerRow = await staffByEmail(marketerEmail);
  const agentRow = await staffByEmail(agentEmail);

  // 3. The agent on an administrator's and a marketer's pages and action: 403, nothing changed.
  for (const url of ['/console/staff', '/console/apps', '/console/audit', '/console/content']) {
    const response = await agent.goto(url);
    expect(response?.status(), url).toBe(403);
    await expect(agent.getByRole('heading', { level: 1, name: "You don't have access to this page" })).toBeVisible();
  }
  const invitationsBefore = await prisma.staffInvitation.count({ where: { staffId: agentRow.id } });
  const replayed = await replay(agent, inviteAgent, baseURL!);
  expect(replayed.status()).toBe(403);
  expect(await prisma.staffInvitation.count({ where: { staffId: agentRow.id } })).toBe(invitationsBefore);
  expect(await prisma.auditLog.count({ where: { actorStaffId: agentRow.id, action: 'staff.invite' } })).toBe(0);

  // 4. The administrator disables the agent: the agent's open session ends at its next request.
  await admin.goto(`/console/staff/${agentRow.id}`);
  await waitForHydration(admin.getByRole('button', { name: 'Save roles' }));
  admin.once('dialog', (dialog) => void dialog.accept());
  await admin.getByRole('button', { name: 'Disable' }).click();
  await expect(admin.getByRole('status').filter({ hasText: 'Sam Support is disabled and signed out.' })).toBeVisible({
    timeout: ROUND_TRIPS_TIMEOUT,
  });
  await agent.goto('/console');
  await expect(agent).toHaveURL(/\/console\/signin$/);

  // 5. Every step is in the audit trail: on the page, and the same rows in its CSV.
  const expected: Record<string, [member: string, actions: string[]]> = {
    cli: ['cli', ['Staff invited']],
    admin: [adminRow.id, ['Staff passkey enrolled', 'Staff sign-in', 'Staff invited', 'Staff member disabled']],
    marketer: [marketerRow.id, ['Staff passkey enrolled', 'Staff sign-in']],
    agent: [agentRow.id, ['Staff passkey enrolled', 'Staff sign-in', 'Access denied']],
  };
  const table = admin.getByRole('table', { name: 'Audit rows, newest first' });
  for (const [who, [member, actions]] of Object.entries(expected)) {
    const filter = who === 'cli' ? `member=cli&objectType=staff&objectId=${adminRow.id}` : `member=${member}`;
    await admin.goto(`/console/audit?${filter}`);
    const rows = (await table.getByRole('row').allTextContents()).slice(1);
    for (const action of actions)
      expect(
        rows.some((row) => row.includes(action)),
        `${who}: ${action}`,
      ).toBe(true);

    const download = admin.waitForEvent('download');
    await admin.getByRole('link', { name: 'Download as CSV' }).click();
    const csv = await readFile((await (await download).path())!, 'utf8');
    // A header, then the page's rows (fewer than 50 here), the same count in both.
    expect(csv.trimEnd().split('\n').length - 1, who).toBe(rows.length);
  }
  // The refusals, one row per refused request: four pages and one replayed action.
  const denials = await prisma.auditLog.findMany({ where: { actorStaffId: agentRow.id, action: 'access.denied' } });
  expect(denials).toHaveLength(5);
  expect(
    await prisma.auditLog.count({
      where: { action: 'staff.disable', actorStaffId: adminRow.id, objectId: agentRow.id },
    }),
  ).toBe(1);

  await Promise.all([admin, marketer, agent].map((page) => page.context().close()));
});
