import { execFile } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { sha256 } from '@/server/platform/crypto';
import { prisma } from '@/server/platform/db';

import { freePort } from '../../scripts/free-port';
import { uniqueEmail } from './helpers';
import { SmtpSink } from './smtp-sink';

// `npm run staff` as an operator runs it to bootstrap the first administrator:
// a real process on this worker's database, its mail to a real SMTP server.
const run = promisify(execFile);
const root = path.resolve(__dirname, '../..');
let sink: SmtpSink;

async function staff(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', 'tsx', '--conditions=react-server', 'scripts/staff.ts', ...args],
      { cwd: root, env: { ...process.env, NODE_OPTIONS: '', SMTP_URL: `smtp://127.0.0.1:${sink.port}` } },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

beforeAll(async () => {
  sink = new SmtpSink(await freePort());
  await sink.start();
});
afterAll(() => sink.stop());

describe('npm run staff', () => {
  it('invites an administrator: the link only in the mail, its expiry printed, audited as the CLI', async () => {
    const email = uniqueEmail('first-admin');
    const invited = await staff('invite', '--email', email, '--role', 'administrator', '--name', 'Ada Admin');
    expect(invited.stderr).toBe('');
    expect(invited.code).toBe(0);
    expect(invited.stdout).toContain(`Invited: ${email}`);
    expect(invited.stdout).toContain('handed to the mail server');
    expect(invited.stdout).toMatch(/works once, until \d{4}-\d\d-\d\dT/);

    const [mail] = sink.to(email);
    const token = /\/console\/invitation#([A-Za-z0-9_-]{43})/.exec(mail?.text ?? '')?.[1];
    expect(token).toBeDefined();
    expect(invited.stdout).not.toContain(token);
    expect(invited.stdout).not.toContain('/console/invitation');

    const member = await prisma.staffMember.findUniqueOrThrow({
      where: { email },
      include: { invitations: true },
    });
    expect(member).toMatchObject({ displayName: 'Ada Admin', roles: ['administrator'] });
    expect(member.invitations.map((i) => i.tokenHash)).toEqual([sha256(token!)]);
    expect(await prisma.auditLog.findFirst({ where: { objectId: member.id, action: 'staff.invite' } })).toMatchObject({
      actorType: 'cli',
      actorLabel: `cli:${os.userInfo().username}`,
      actorStaffId: null,
    });

    const listed = await staff('list');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(`Ada Admin <${email}>  administrator  [invited]  never signed in`);
  }, 120_000);

  it('refuses a forged role, a bad address or no role with a plain message, no stack trace, and writes nothing', async () => {
    const before = await Promise.all([prisma.staffMember.count(), prisma.auditLog.count()]);
    for (const [args, message] of [
      [['invite', '--email', uniqueEmail(), '--role', 'administrator,root'], /--role takes administrator/],
      [['invite', '--email', '<script>@x', '--role', 'marketer'], /--email is not an email address/],
      [['invite', '--email', uniqueEmail()], /invite needs --role/],
      [['promote'], /unknown command promote/],
    ] as const) {
      const result = await staff(...args);
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stderr).toMatch(/^staff: /);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
    expect(await Promise.all([prisma.staffMember.count(), prisma.auditLog.count()])).toEqual(before);
  }, 120_000);
});
