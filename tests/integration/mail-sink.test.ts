// `npm run mail-sink` (e2e/mail-sink.ts) as QA runs it, in its own process: real SMTP in,
// the JSON API out, read through the flows' Mailbox client (e2e/pages/mailbox.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { Mailbox, SIGN_IN_SUBJECT } from '@/e2e/pages/mailbox';
import { freePort } from '@/scripts/free-port';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

let sink: ChildProcess;
let api: string;
let smtpPort: number;

beforeAll(async () => {
  smtpPort = await freePort();
  const apiPort = await freePort();
  api = `http://127.0.0.1:${apiPort}`;
  sink = spawn(
    process.execPath,
    ['--import', 'tsx', 'e2e/mail-sink.ts', '--smtp-port', String(smtpPort), '--api-port', String(apiPort)],
    // The flags win over the environment.
    { cwd: repoRoot, env: { ...process.env, E2E_SMTP_PORT: '1', E2E_MAILBOX_PORT: '1' }, stdio: 'ignore' },
  );
  const deadline = Date.now() + 30_000;
  while (
    !(await fetch(`${api}/health`).then(
      (res) => res.ok,
      () => false,
    ))
  ) {
    if (sink.exitCode !== null) throw new Error(`the mail sink exited (${sink.exitCode})`);
    if (Date.now() > deadline) throw new Error('the mail sink did not answer /health within 30 s');
    await sleep(200);
  }
});

afterAll(async () => {
  if (sink.exitCode !== null) return;
  const exited = new Promise((resolve) => sink.once('exit', resolve));
  sink.kill('SIGTERM');
  await exited;
});

async function send(to: string, subject: string, text: string): Promise<void> {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtpPort, secure: false, ignoreTLS: true });
  await transport.sendMail({ from: 'Accord <no-reply@accord.test>', to, subject, text });
  transport.close();
}

const signInText = (code: string, token: string) =>
  `Your code is ${code}.\nOr open https://accounts.example.com/signin/confirm?token=${token}.\n`;

describe('npm run mail-sink', () => {
  it('gives the latest mail of an address with its code and link, newer than a mark, by subject', async () => {
    const mailbox = new Mailbox(`${api}/`);
    const qa = 'qa+latest@example.test';
    expect(await mailbox.mark(qa)).toBe(0);

    await send('QA+Latest@example.test', SIGN_IN_SUBJECT, signInText('111111', 'first'));
    const afterFirst = await mailbox.mark(qa);
    expect(afterFirst).toBeGreaterThan(0);
    await send(qa, SIGN_IN_SUBJECT, signInText('222222', 'second'));
    await send('someone-else@example.test', SIGN_IN_SUBJECT, signInText('333333', 'other'));
    await send(qa, 'A passkey was added to your account', 'Added on 2026-12-07 12:00:00 from Chrome.');

    expect(await mailbox.code(qa, 0)).toBe('222222');
    expect(await mailbox.link(qa, 0)).toBe('https://accounts.example.com/signin/confirm?token=second');
    expect(await mailbox.latest(qa)).toMatchObject({
      subject: 'A passkey was added to your account',
      code: null,
      link: null,
    });
    expect(await mailbox.latest(qa, { subject: SIGN_IN_SUBJECT, after: afterFirst })).toMatchObject({ code: '222222' });
    const second = (await mailbox.latest(qa, { subject: SIGN_IN_SUBJECT }))!.id;
    expect(await mailbox.latest(qa, { subject: SIGN_IN_SUBJECT, after: second })).toBeNull();
    await expect(mailbox.waitFor(qa, { subject: SIGN_IN_SUBJECT, after: second, timeoutMs: 500 })).rejects.toThrow(
      /^No mail for qa\+latest@example.test .* after message \d+ within 500 ms/,
    );
  });

  it('refuses a request without an address or with a bad mark, and forgets one address on DELETE', async () => {
    expect((await fetch(`${api}/messages/latest`)).status).toBe(400);
    expect((await fetch(`${api}/messages/latest?to=a@example.test&after=yesterday`)).status).toBe(400);
    expect((await fetch(`${api}/messages/latest`, { method: 'POST' })).status).toBe(405);

    await send('qa+gone@example.test', SIGN_IN_SUBJECT, signInText('444444', 'gone'));
    await send('qa+kept@example.test', SIGN_IN_SUBJECT, signInText('555555', 'kept'));
    const res = await fetch(`${api}/messages?to=qa%2Bgone@example.test`, { method: 'DELETE' });
    expect(await res.json()).toEqual({ deleted: 1 });
    const mailbox = new Mailbox(api);
    expect(await mailbox.latest('qa+gone@example.test')).toBeNull();
    expect(await mailbox.code('qa+kept@example.test', 0)).toBe('555555');
  });
});
