import { readFile } from 'node:fs/promises';

import type { Page } from '@playwright/test';

import { writeAudit, type AuditActor, type AuditEntry } from '../server/platform/audit';
import { prisma } from '../server/platform/db';
import { expect, test } from './fixtures';
import { seriousViolations } from './helpers';

// The audit page and its CSV (issue 13 item 3, docs/decisions/033-staff-console.md §5):
// filters in the URL, pages of 50, the same rows in the file, formulas defused.

async function write(actor: AuditActor, entries: AuditEntry[]) {
  await prisma.$transaction(async (tx) => {
    for (const entry of entries) await writeAudit(tx, actor, entry);
  });
}

const actorOf = (staff: { id: string; email: string }): AuditActor => ({
  type: 'staff',
  staffId: staff.id,
  label: staff.email,
  requestId: 'e2e-request',
});

async function downloaded(page: Page, click: () => Promise<void>) {
  const download = page.waitForEvent('download');
  await click();
  return readFile((await (await download).path())!, 'utf8');
}

const table = (page: Page) => page.getByRole('table', { name: 'Audit rows, newest first' });

test.describe('the audit trail in the console', () => {
  test('an administrator filters with the keyboard, pages through, and downloads the same rows as CSV', async ({
    staffPage,
  }) => {
    // Sixty-one rows, three pages, a download: slow on a shared 2-core machine.
    test.setTimeout(150_000);
    const subject = await staffPage(['marketer'], { displayName: 'Sam Subject' });
    const { page, staff } = await staffPage(['administrator'], { displayName: 'Ada Admin' });
    await write(actorOf(subject.staff), [
      { action: 'app.create', objectId: "=cmd|' /C calc'!A0" },
      ...Array.from({ length: 60 }, (_, i) => ({ action: 'staff.invite' as const, objectId: `invitee-${i}` })),
    ]);

    await page.goto('/console/audit');
    await expect(page.getByRole('heading', { level: 1, name: 'Audit trail' })).toBeVisible();
    await expect(
      page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Audit trail' }),
    ).toBeVisible();

    // The filter form is a plain GET form: keyboard only, and the URL can be shared.
    await page.getByLabel('Member').focus();
    await page.getByLabel('Member').selectOption({ label: `Sam Subject (${subject.staff.email})` });
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await expect(page.getByLabel('Object id')).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(page).toHaveURL(new RegExp(`[?&]member=${subject.staff.id}`));
    await expect(page.getByLabel('Member')).toHaveValue(subject.staff.id);

    const rows = table(page).getByRole('row');
    await expect(rows).toHaveCount(51);
    await expect(rows.nth(1)).toContainText('invitee-59');
    await expect(rows.nth(1)).toContainText('Staff invited');
    await expect(rows.nth(1)).toContainText(subject.staff.email);
    await expect(page.getByRole('link', { name: '← Newer rows' })).toHaveCount(0);
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByRole('link', { name: 'Older rows →' }).click();
    await expect(rows).toHaveCount(12);
    await expect(rows.nth(1)).toContainText('invitee-9');
    await expect(rows.nth(11)).toContainText('App registered');
    await expect(page.getByRole('link', { name: 'Older rows →' })).toHaveCount(0);
    await page.getByRole('link', { name: '← Newer rows' }).click();
    await expect(rows.nth(1)).toContainText('invitee-59');

    // The action filter, then an empty result.
    await page.getByLabel('Action').selectOption({ label: 'App registered' });
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect(rows).toHaveCount(2);
    await expect(rows.nth(1)).toContainText("=cmd|' /C calc'!A0");

    const csv = await downloaded(page, () => page.getByRole('link', { name: 'Download as CSV' }).click());
    const lines = csv.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(`,'=cmd|' /C calc'!A0,`);
    const shown = await rows.nth(1).locator('td').first().locator('time').getAttribute('datetime');
    expect(lines[1]?.split(',')[1]).toBe(shown);

    const exportRow = await prisma.auditLog.findFirstOrThrow({
      where: { actorStaffId: staff.id, action: 'audit.export' },
    });
    expect(exportRow.details).toEqual({ member: subject.staff.id, action: 'app.create', limit: 100_000 });

    await page.getByLabel('Action').selectOption({ label: 'Staff member enabled' });
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect(page.getByText('No audit row matches these filters.')).toBeVisible();
    await expect(page.getByRole('link', { name: 'Download as CSV' })).toHaveCount(0);

    // The administrator's own export is in the trail, with the others' rows.
    await page.goto(`/console/audit?member=${staff.id}`);
    await expect(rows.nth(1)).toContainText('Audit trail exported');
  });

  test('bad filters get a clear message, never a 500', async ({ staffPage }) => {
    test.setTimeout(120_000);
    const { page, staff } = await staffPage(['privacy-officer']);
    const cases: Array<[string, string]> = [
      [`objectId=${'x'.repeat(10_000)}`, 'This value is too long: at most 128 characters.'],
      ['member=%3Cscript%3Ealert(1)%3C%2Fscript%3E', 'Choose a member from the list.'],
      ['action=customer.delete-everything', 'Choose an action from the list.'],
      ['from=2026-12-07&to=2026-12-01', 'The end date is before the start date.'],
      ['from=not-a-date', 'Enter a date like 2026-12-07.'],
      ['before=9999999999999999999999', 'This page link is not valid: start again from the first page.'],
    ];
    for (const [query, message] of cases) {
      const response = await page.goto(`/console/audit?${query}`);
      expect(response?.status(), query).toBe(200);
      await expect(page.getByText(message).first(), query).toBeVisible();
      await expect(table(page)).toHaveCount(0);

      const file = await page.request.get(`/console/audit/export?${query}`, { maxRedirects: 0 });
      expect(file.status(), query).toBe(400);
      expect(await file.text()).not.toContain('<script>');
    }
    expect(await seriousViolations(page)).toEqual([]);

    // A script as an object id is only text to look for.
    await page.goto('/console/audit?objectId=%3Cscript%3Ealert(1)%3C%2Fscript%3E');
    await expect(page.getByText('No audit row matches these filters.')).toBeVisible();
    expect(await prisma.auditLog.count({ where: { actorStaffId: staff.id } })).toBe(0);
  });

  test('a marketer gets 403 on the page and on the CSV, and nothing but the refusals is written', async ({
    staffPage,
  }) => {
    const { page, staff } = await staffPage(['marketer']);
    await page.goto('/console');
    await expect(
      page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Audit trail' }),
    ).toHaveCount(0);

    const response = await page.goto('/console/audit');
    expect(response?.status()).toBe(403);
    await expect(page.getByRole('heading', { level: 1, name: "You don't have access to this page" })).toBeVisible();
    await expect(table(page)).toHaveCount(0);

    const file = await page.request.get('/console/audit/export', { maxRedirects: 0 });
    expect(file.status()).toBe(403);
    expect(file.headers()['content-disposition']).toBeUndefined();

    const rows = await prisma.auditLog.findMany({ where: { actorStaffId: staff.id }, orderBy: { id: 'asc' } });
    expect(rows.map((r) => [r.action, (r.details as { permission?: string }).permission])).toEqual([
      ['access.denied', 'audit.view'],
      ['access.denied', 'audit.view'],
    ]);
  });
});
