import { randomUUID } from 'node:crypto';

import pg from 'pg';

import { prisma } from '@/server/platform/db';

/**
 * A statement as the test server's superuser, on this worker's database: for
 * clean-ups the runtime role the tests run as may not do (DROP ROLE of an app's role).
 */
export async function adminQuery(sql: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const url = process.env.TEST_ADMIN_DATABASE_URL;
  if (!url) throw new Error('TEST_ADMIN_DATABASE_URL is not set (tests/setup/worker-database.ts sets it)');
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  try {
    return await client.query(sql, params);
  } finally {
    await client.end().catch(() => {});
  }
}

export function uniqueEmail(tag = 'it'): string {
  return `${tag}-${randomUUID()}@example.test`;
}

export function uniqueIp(): string {
  const n = () => Math.floor(Math.random() * 250) + 1;
  return `10.${n()}.${n()}.${n()}`;
}

/** The code and link of the latest sign-in mail kept for this address (dev mailbox store). */
export async function latestSignInMail(
  email: string,
): Promise<{ code: string; token: string; text: string; html: string }> {
  const mail = await prisma.devMail.findFirstOrThrow({ where: { to: email }, orderBy: { createdAt: 'desc' } });
  const code = /\b(\d{6})\b/.exec(mail.text)?.[1];
  const token = /\/signin\/confirm\?token=([A-Za-z0-9_-]{43})/.exec(mail.text)?.[1];
  if (!code || !token) throw new Error(`no code or link in mail to ${email}`);
  return { code, token, text: mail.text, html: mail.html };
}
