import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

import { prisma } from '../server/platform/db';
import { expect, test } from './fixtures';
import { answerPersonalization } from './personalization-helpers';

test('screenshots', async ({ signedInPage: page, customer, staffPage }) => {
  await promisify(execFile)('node', ['--import', 'tsx', '--conditions=react-server', 'scripts/content.ts', 'import', 'examples/content/home.json'], { env: process.env });
  await answerPersonalization(customer.id, true);
  await prisma.customerPreference.create({ data: { customerId: customer.id, name: 'interest', value: 'running', channel: 'portal' } });
  await page.setViewportSize({ width: 1280, height: 1600 });
  await page.goto('/account');
  await page.screenshot({ path: '/tmp/shot-account.png', fullPage: true });
  await page.getByText(/why am i seeing this/i).first().click();
  await page.screenshot({ path: '/tmp/shot-account-why.png', fullPage: true });
  await page.goto('/account/preferences');
  await page.screenshot({ path: '/tmp/shot-preferences.png', fullPage: true });
  const staff = await staffPage(['marketer']);
  await staff.setViewportSize({ width: 1280, height: 1600 });
  await staff.goto('/console/content');
  await staff.screenshot({ path: '/tmp/shot-console-content.png', fullPage: true });
  await staff.goto('/console/content/blocks/new?slot=hero');
  await staff.screenshot({ path: '/tmp/shot-console-new.png', fullPage: true });
  expect(1).toBe(1);
});
