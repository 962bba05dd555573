import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { beforeAll, describe, expect, it } from 'vitest';

import { AppInputError, createApp } from '@/server/apps/registry';
import { ensureConsentPurposes } from '@/server/consent/purposes';
import { sha256 } from '@/server/platform/crypto';
import { prisma } from '@/server/platform/db';
import { TEST_ACTOR } from '@/tests/factories';

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

    // Each change is in the audit trail under the operator's login; the reads are not.
    const audit = await prisma.auditLog.findMany({ where: { objectId: clientId }, orderBy: { id: 'asc' } });
    expect(audit.map((row) => row.action)).toEqual([
      'app.create',
      'app.secret.rotate',
      'app.webhook-secret.rotate',
      'app.disable',
    ]);
    for (const row of audit) {
      expect(row).toMatchObject({
        actorType: 'cli',
        actorStaffId: null,
        actorLabel: `cli:${userInfo().username}`,
        objectType: 'app',
        requestId: null,
      });
      expect(row.details).toMatchObject({ name, clientId, scopes: ['customers:read'] });
    }
    const written = JSON.stringify(audit.map((row) => row.details));
    for (const value of [secret, newSecret, webhookSecret, newWebhookSecret]) expect(written).not.toContain(value);
  }, 120_000);

  it('refuses a bad declaration or an unknown app with a plain message, no stack trace, and writes nothing', async () => {
    const before = await prisma.app.count();
    const audited = await prisma.auditLog.count();
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
    expect(await prisma.auditLog.count()).toBe(audited);
  }, 120_000);
});

describe('app declarations', () => {
  beforeAll(ensureConsentPurposes);

  it.each([
    [{ name: 'Bad Name', purposes: 'service', fields: 'name' }, { name: 'name.invalid' }, /name: Use 2 to 40/],
    [{ name: 'portal', purposes: 'service', fields: 'name' }, { name: 'name.reserved' }, /reserved/],
    [
      { name: 'shop', purposes: 'no-such-purpose', fields: 'name' },
      { purposes: 'purposes.unknown' },
      /Unknown purpose no-such-purpose/,
    ],
    [{ name: 'shop', purposes: 'service', fields: 'password' }, { fields: 'fields.unknown' }, /Unknown field password/],
    [
      { name: 'shop', purposes: 'service', fields: 'email:marketing-emails' },
      { fields: 'fields.undeclared' },
      /the purpose marketing-emails, which the app does not declare/,
    ],
    [
      { name: 'shop', purposes: 'service', fields: 'name', webhook: 'javascript:alert(1)' },
      { webhook: 'webhook.invalid' },
      /webhook: Enter an http\(s\) URL/,
    ],
    [
      { name: 'shop', purposes: 'service', fields: 'name', webhook: 'http://shop.example.com/hooks' },
      { webhook: 'webhook.https' },
      /webhook: Use an https URL/,
    ],
    [{ name: 'shop', purposes: 'service', fields: 'name', scopes: 'admin' }, { scopes: 'scopes.invalid' }, /scopes/],
    [
      { name: 'shop', purposes: 'service', fields: 'name', description: '<script>alert(1)</script>' },
      { description: 'description.invalid' },
      /description: Use plain text/,
    ],
    [
      { name: 'x'.repeat(10_000), purposes: 'service', fields: 'name', description: 'd'.repeat(10_000) },
      { name: 'name.invalid', description: 'description.tooLong' },
      /description: A description can be at most 500/,
    ],
  ])(
    'refuses bad declaration #%# with field errors and an English message, writing nothing',
    async (input, fieldErrors, message) => {
      const before = await prisma.app.count();
      const audited = await prisma.auditLog.count();
      const error = await createApp(input, TEST_ACTOR).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AppInputError);
      expect((error as AppInputError).fieldErrors).toEqual(
        Object.fromEntries(Object.entries(fieldErrors).map(([field, key]) => [field, `console.apps.errors.${key}`])),
      );
      expect((error as AppInputError).message).toMatch(message);
      expect(await prisma.app.count()).toBe(before);
      expect(await prisma.auditLog.count()).toBe(audited);
    },
  );
});
