import type { Page } from '@playwright/test';

import { prisma } from '../server/platform/db';
import { expect, test, waitForHydration } from './fixtures';
import { captureServerAction, replay, rewriteServerActions, ROUND_TRIPS_TIMEOUT, seriousViolations } from './helpers';
import { waitForMail } from './mailbox';

// Staff management in the console (docs/decisions/033-staff-console.md): an
// administrator invites, changes roles, disables; bad input and replayed actions
// change nothing. Sign-in and enrolment are e2e/console-signin.spec.ts's.

const uniqueEmail = (tag: string) =>
  `${tag}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}@example.test`;

async function openInviteForm(page: Page) {
  await page.goto('/console/staff');
  await page.getByRole('link', { name: 'Invite a member' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Invite a staff member' })).toBeVisible();
  await waitForHydration(page.getByRole('button', { name: 'Send the invitation' }));
}

async function openMember(page: Page, staffId: string) {
  await page.goto(`/console/staff/${staffId}`);
  await waitForHydration(page.getByRole('button', { name: 'Save roles' }));
}

test.describe('staff management', () => {
  test('an administrator invites a marketer, who gets the mail; changes their roles; the pages pass axe', async ({
    staffPage,
  }) => {
    test.slow();
    const { page, staff: admin } = await staffPage(['administrator']);
    await page.goto('/console');
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Staff' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Staff' })).toBeVisible();
    await expect(page.getByRole('row').filter({ hasText: admin.email })).toContainText('Administrator');
    expect(await seriousViolations(page)).toEqual([]);

    await openInviteForm(page);
    const email = uniqueEmail('marketer');
    const sent = new Date();
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Name', { exact: true }).fill('Maëlle Marketer');
    await page.getByRole('checkbox', { name: /^Marketer/ }).check();
    await page.getByRole('button', { name: 'Send the invitation' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Invitation sent' })).toBeVisible({
      timeout: ROUND_TRIPS_TIMEOUT,
    });
    expect(await seriousViolations(page)).toEqual([]);

    const mail = await waitForMail(email, { after: sent, subjectIncludes: 'invitation' });
    expect(mail.text).toMatch(/\/console\/invitation#[A-Za-z0-9_-]{43}/);
    expect(mail.text).toContain('expires in 24 hours');
    const member = await prisma.staffMember.findUniqueOrThrow({ where: { email } });
    expect(member).toMatchObject({ displayName: 'Maëlle Marketer', roles: ['marketer'], activatedAt: null });
    expect(await prisma.auditLog.findFirst({ where: { action: 'staff.invite', objectId: member.id } })).toMatchObject({
      actorStaffId: admin.id,
      actorType: 'staff',
    });

    await page.getByRole('link', { name: 'Open their page' }).click();
    await waitForHydration(page.getByRole('button', { name: 'Save roles' }));
    await expect(page.getByRole('heading', { level: 1, name: 'Maëlle Marketer' })).toBeVisible();
    await expect(page.getByText(/An invitation is waiting to be used/)).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('checkbox', { name: /^Support agent/ }).check();
    await page.getByRole('button', { name: 'Save roles' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Roles saved.' })).toBeVisible({
      timeout: ROUND_TRIPS_TIMEOUT,
    });
    await expect
      .poll(async () => (await prisma.staffMember.findUniqueOrThrow({ where: { id: member.id } })).roles)
      .toEqual(['marketer', 'support-agent']);
    expect(
      await prisma.auditLog.findFirst({ where: { action: 'staff.roles.change', objectId: member.id } }),
    ).toMatchObject({
      actorStaffId: admin.id,
      details: { roles: ['marketer', 'support-agent'], previousRoles: ['marketer'] },
    });
  });

  test('disabling a member ends their open session: their next request lands on /console/signin', async ({
    staffPage,
  }) => {
    const { page: admin } = await staffPage(['administrator']);
    const { page: agentPage, staff: agent } = await staffPage(['support-agent'], { displayName: 'Sacha Support' });
    await agentPage.goto('/console');
    await expect(agentPage.getByRole('heading', { level: 1, name: 'Hello, Sacha Support' })).toBeVisible();

    await openMember(admin, agent.id);
    let question = '';
    admin.once('dialog', (dialog) => {
      question = dialog.message();
      void dialog.accept();
    });
    await admin.getByRole('button', { name: 'Disable' }).click();
    await expect(
      admin.getByRole('status').filter({ hasText: 'Sacha Support is disabled and signed out.' }),
    ).toBeVisible({ timeout: ROUND_TRIPS_TIMEOUT });
    expect(question).toContain('Disable Sacha Support?');
    expect(await prisma.staffSession.count({ where: { staffId: agent.id } })).toBe(0);

    await agentPage.reload();
    await expect(agentPage).toHaveURL(/\/console\/signin$/);

    await expect(admin.getByRole('button', { name: 'Enable' })).toBeVisible();
    expect(await seriousViolations(admin)).toEqual([]);
  });

  test('a stale page changes nothing and says why', async ({ staffPage }) => {
    const { page } = await staffPage(['administrator']);
    const { staff: member } = await staffPage(['marketer']);
    await openMember(page, member.id);
    // Someone else changes the member meanwhile.
    await prisma.staffMember.update({ where: { id: member.id }, data: { roles: ['privacy-officer'], version: 2 } });
    await page.getByRole('checkbox', { name: /^Support agent/ }).check();
    await page.getByRole('button', { name: 'Save roles' }).click();
    await expect(page.getByRole('alert').filter({ hasText: 'Someone changed this member' })).toBeVisible({
      timeout: ROUND_TRIPS_TIMEOUT,
    });
    expect((await prisma.staffMember.findUniqueOrThrow({ where: { id: member.id } })).roles).toEqual([
      'privacy-officer',
    ]);
  });
});

test.describe('staff management refuses', () => {
  test('a forged role, in the invitation and in a role change: a field error, nothing written', async ({
    staffPage,
  }) => {
    const { page } = await staffPage(['administrator']);
    await rewriteServerActions(
      page,
      (body) => body.includes('"marketer"'),
      (body) => body.replace('"marketer"', '"superuser"'),
    );
    await openInviteForm(page);
    const email = uniqueEmail('forged');
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Name', { exact: true }).fill('Forged Role');
    await page.getByRole('checkbox', { name: /^Marketer/ }).check();
    await page.getByRole('button', { name: 'Send the invitation' }).click();
    await expect(page.getByRole('group', { name: 'Roles' })).toHaveAccessibleDescription(
      'Choose roles from the list only.',
      { timeout: ROUND_TRIPS_TIMEOUT },
    );
    expect(await prisma.staffMember.count({ where: { email } })).toBe(0);

    const { staff: member } = await staffPage(['support-agent']);
    await openMember(page, member.id);
    await page.getByRole('checkbox', { name: /^Marketer/ }).check();
    await page.getByRole('button', { name: 'Save roles' }).click();
    await expect(page.getByRole('group', { name: 'Roles' })).toHaveAccessibleDescription(
      'Choose roles from the list only.',
      { timeout: ROUND_TRIPS_TIMEOUT },
    );
    expect(await prisma.staffMember.findUniqueOrThrow({ where: { id: member.id } })).toMatchObject({
      roles: ['support-agent'],
      version: 1,
    });
    expect(await prisma.auditLog.count({ where: { objectId: member.id } })).toBe(0);
  });

  test('10 000 characters and <script> in every field: field errors in the browser and from the server', async ({
    staffPage,
  }) => {
    test.slow();
    const { page } = await staffPage(['administrator']);
    await openInviteForm(page);
    const long = 'x'.repeat(10_000);
    for (const value of [long, '<script>alert(1)</script>']) {
      await page.getByLabel('Email address').fill(value);
      await page.getByLabel('Name', { exact: true }).fill(value);
      await page.getByRole('button', { name: 'Send the invitation' }).click();
      await expect(page.getByLabel('Email address')).toHaveAttribute('aria-invalid', 'true');
      await expect(page.getByLabel('Name', { exact: true })).toHaveAttribute('aria-invalid', 'true');
      await expect(page.getByRole('group', { name: 'Roles' })).toHaveAccessibleDescription('Choose at least one role.');
    }
    expect(await seriousViolations(page)).toEqual([]);

    // The same values past the browser's checks, as a client that skips them sends them.
    const email = uniqueEmail('bypass');
    for (const [value, nameError] of [
      [long, 'A name can be at most 100 characters long.'],
      ['<script>alert(1)</script>', 'Use ordinary characters only: no < or > and no control characters.'],
    ] as const) {
      await page.unrouteAll();
      await rewriteServerActions(
        page,
        (body) => body.includes(email),
        (body) => {
          const args = JSON.parse(body) as Array<Record<string, unknown>>;
          args[0] = { ...args[0], email: value, displayName: value, roles: [value], locale: value };
          return JSON.stringify(args);
        },
      );
      await page.getByLabel('Email address').fill(email);
      await page.getByLabel('Name', { exact: true }).fill('Valid Name');
      await page.getByRole('checkbox', { name: /^Marketer/ }).check();
      await page.getByRole('button', { name: 'Send the invitation' }).click();
      await expect(page.getByLabel('Name', { exact: true })).toHaveAccessibleDescription(
        new RegExp(`^${nameError.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
        { timeout: ROUND_TRIPS_TIMEOUT },
      );
      await expect(page.getByLabel('Email address')).toHaveAttribute('aria-invalid', 'true');
      await expect(page.getByRole('group', { name: 'Roles' })).toHaveAccessibleDescription(
        'Choose roles from the list only.',
      );
    }
    expect(await prisma.staffMember.count({ where: { email } })).toBe(0);
  });

  test('another member replaying an administrator’s actions gets 403, and nothing changes', async ({
    staffPage,
    baseURL,
  }) => {
    const { page: admin } = await staffPage(['administrator']);
    const { staff: target } = await staffPage(['marketer']);
    await openMember(admin, target.id);
    const disable = await captureServerAction(admin, async () => {
      admin.once('dialog', (dialog) => void dialog.accept());
      await admin.getByRole('button', { name: 'Disable' }).click();
    });
    await admin.getByRole('checkbox', { name: /^Privacy officer/ }).check();
    const roles = await captureServerAction(admin, () => admin.getByRole('button', { name: 'Save roles' }).click());

    const { page: agent, staff: agentStaff } = await staffPage(['support-agent', 'marketer']);
    await agent.goto('/console');
    for (const action of [disable, roles]) {
      const response = await replay(agent, action, baseURL!);
      expect(response.status()).toBe(403);
    }
    const page = await agent.goto(`/console/staff/${target.id}`);
    expect(page?.status()).toBe(403);

    expect(await prisma.staffMember.findUniqueOrThrow({ where: { id: target.id } })).toMatchObject({
      roles: ['marketer'],
      disabledAt: null,
      version: 1,
    });
    expect(await prisma.staffSession.count({ where: { staffId: target.id } })).toBe(1);
    expect(await prisma.auditLog.count({ where: { objectId: target.id } })).toBe(0);
    const denials = await prisma.auditLog.findMany({ where: { actorStaffId: agentStaff.id, action: 'access.denied' } });
    // Each refusal is audited once: two replayed actions and one page (an action's 403 renders
    // the page, which checks again in the same request: server/staff/auth.ts records one row).
    expect(denials).toHaveLength(3);
    expect(new Set(denials.map((d) => (d.details as { permission?: string }).permission))).toEqual(
      new Set(['staff.manage']),
    );
  });
});
