import { prisma } from '../server/platform/db';
import { createStaffSessionFor } from '../tests/factories';
import { expect, STAFF_SESSION_COOKIE, test } from './fixtures';

// The console's frame: its own session and cookie, never the customer's
// (docs/decisions/033-staff-console.md). Each section's spec covers its pages.

test.describe('the staff console', () => {
  test('a staff member sees the console home with their roles, and signs out', async ({ staffPage }) => {
    const { page, staff, sessionId } = await staffPage(['marketer', 'support-agent'], { displayName: 'Noa Staff' });
    await page.goto('/console');
    await expect(page.getByRole('heading', { level: 1, name: 'Hello, Noa Staff' })).toBeVisible();
    await expect(page.getByText('Your roles: Marketer, Support agent')).toBeVisible();
    await expect(page.getByRole('navigation', { name: 'Console' })).toBeVisible();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page).toHaveURL(/\/console\/signin$/);
    expect(await prisma.staffSession.count({ where: { id: sessionId } })).toBe(0);
    const audit = await prisma.auditLog.findFirst({ where: { actorStaffId: staff.id, action: 'staff.sign-out' } });
    expect(audit).toMatchObject({ actorType: 'staff', actorLabel: staff.email, objectId: staff.id });
    expect(audit?.requestId).toMatch(/^[\w-]+$/);

    // The old cookie opens nothing any more.
    await page.goto('/console');
    await expect(page).toHaveURL(/\/console\/signin$/);
  });

  test('a customer session opens nothing under /console, and a staff session nothing under /account', async ({
    signedInPage,
    staffPage,
  }) => {
    await signedInPage.goto('/console');
    await expect(signedInPage).toHaveURL(/\/console\/signin$/);

    const { page } = await staffPage(['administrator', 'marketer', 'support-agent', 'privacy-officer']);
    await page.goto('/account');
    await expect(page).toHaveURL(/\/signin(\?|$)/);
  });

  test('a disabled member is signed out at their next request', async ({ staffPage }) => {
    const { page, staff, sessionId } = await staffPage(['support-agent']);
    await page.goto('/console');
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    await prisma.staffMember.update({ where: { id: staff.id }, data: { disabledAt: new Date() } });
    await page.reload();
    await expect(page).toHaveURL(/\/console\/signin$/);
    expect(await prisma.staffSession.count({ where: { id: sessionId } })).toBe(0);
  });

  test('an idle session ends after 30 minutes', async ({ browser, baseURL, staffPage }) => {
    const { staff } = await staffPage(['marketer']);
    const idle = await createStaffSessionFor(staff.id, { lastActiveAt: new Date(Date.now() - 31 * 60 * 1000) });
    const context = await browser.newContext({ baseURL });
    await context.addCookies([
      {
        name: STAFF_SESSION_COOKIE,
        value: idle.token,
        domain: 'localhost',
        path: '/',
        httpOnly: true,
        sameSite: 'Strict',
      },
    ]);
    const page = await context.newPage();
    await page.goto('/console');
    await expect(page).toHaveURL(/\/console\/signin$/);
    await context.close();
  });
});
