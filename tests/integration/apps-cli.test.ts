import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';

import { beforeAll, describe, expect, it } from 'vitest';

import { createApp } from '@/server/apps/registry';
import { ensureConsentPurposes } from '@/server/consent/purposes';
import { sha256 } from '@/server/platform/crypto';
import { prisma } from '@/server/platform/db';

// `npm run apps` as an operator runs it: a real process on this worker's database.
const run = promisify(execFile);
const root = path.resolve(__dirname, '../..');

async function apps(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', 'tsx', '--conditions=react-server', 'scripts/apps.ts', ...args],
      {
        cwd: root,
        env: { ...process.env, NODE_OPTIONS: '' },
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('npm run apps', () => {
  beforeAll(ensureConsentPurposes);

  it('creates an app, printing its secrets once and keeping only the client secret hash; lists, rotates, disables', async () => {
    const name = `checkbook-${randomUUID().slice(0, 6)}`;
    const created = await apps(
      'create',
      '--name',
      name,
      '--purposes',
      'service',
      '--fields',
      'name,postalAddress',
      '--webhook',
      'http://127.0.0.1:4100/webhooks',
    );
    expect(created.code).toBe(0);
    const clientId = /client id\s+(\S+)/.exec(created.stdout)?.[1];
    const secret = /client secret\s+(\S+)/.exec(created.stdout)?.[1];
    expect(/webhook secret\s+whsec_\S+/.test(created.stdout)).toBe(true);
    const row = await prisma.app.findUniqueOrThrow({ where: { name } });
    expect(row).toMatchObject({
      clientId,
      clientSecretHash: sha256(secret!),
      purposes: ['terms-of-service'],
      webhookUrl: 'http://127.0.0.1:4100/webhooks',
    });
    expect(JSON.stringify(row)).not.toContain(secret);

    expect((await apps('list')).stdout).toContain(`${name}  ${clientId}`);

    const rotated = await apps('rotate-secret', name);
    const newSecret = /^\s+client secret\s+(\S+)$/m.exec(rotated.stdout)?.[1];
    expect(newSecret).not.toBe(secret);
    expect((await prisma.app.findUniqueOrThrow({ where: { name } })).clientSecretHash).toBe(sha256(newSecret!));

    const webhookSecret = /webhook secret\s+(whsec_\S+)/.exec(created.stdout)?.[1];
    const rotatedHook = await apps('rotate-webhook-secret', name, '--overlap-hours', '2');
    expect(rotatedHook.code).toBe(0);
    const newWebhookSecret = /^\s+webhook secret\s+(whsec_\S+)$/m.exec(rotatedHook.stdout)?.[1];
    expect(await prisma.app.findUniqueOrThrow({ where: { name } })).toMatchObject({
      webhookSecret: newWebhookSecret,
      webhookSecretPrevious: webhookSecret,
    });
    expect((await apps('rotate-webhook-secret', name, '--overlap-hours', 'soon')).stderr).toBe(
      'apps: --overlap-hours is a whole number from 0 to 720\n',
    );

    expect((await apps('disable', name)).stdout).toContain(`${name} is disabled`);
    expect((await prisma.app.findUniqueOrThrow({ where: { name } })).disabledAt).not.toBeNull();
    expect((await apps('deliveries', name)).code).toBe(0);
  }, 120_000);

  it('refuses a bad declaration or an unknown app with a plain message, no stack trace, and writes nothing', async () => {
    const before = await prisma.app.count();
    for (const args of [
      ['create', '--name', 'shop', '--purposes', 'no-such-purpose', '--fields', 'name'],
      ['rotate-secret', 'no-such-app'],
    ]) {
      const result = await apps(...args);
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stderr).toMatch(/^apps: /);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
    expect(await prisma.app.count()).toBe(before);
  }, 120_000);
});

describe('app declarations', () => {
  beforeAll(ensureConsentPurposes);

  it.each([
    [{ name: 'Bad Name', purposes: 'service', fields: 'name' }, /name: 2 to 40/],
    [{ name: 'portal', purposes: 'service', fields: 'name' }, /reserved/],
    [{ name: 'shop', purposes: 'no-such-purpose', fields: 'name' }, /unknown purpose no-such-purpose/],
    [{ name: 'shop', purposes: 'service', fields: 'password' }, /unknown field password/],
    [{ name: 'shop', purposes: 'service', fields: 'email:marketing-emails' }, /not one the app declared/],
    [{ name: 'shop', purposes: 'service', fields: 'name', webhook: 'javascript:alert(1)' }, /webhook/],
    [
      { name: 'shop', purposes: 'service', fields: 'name', webhook: 'http://shop.example.com/hooks' },
      /webhook: an https URL/,
    ],
    [{ name: 'shop', purposes: 'service', fields: 'name', scopes: 'admin' }, /scopes/],
  ])('refuses %j, writing nothing', async (input, message) => {
    const before = await prisma.app.count();
    await expect(createApp(input)).rejects.toThrow(message);
    expect(await prisma.app.count()).toBe(before);
  });
});
