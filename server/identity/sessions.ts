import 'server-only';

import { UAParser } from 'ua-parser-js';

import { endProviderSessions } from '@/server/oidc/grants';
import { sha256 } from '@/server/platform/crypto';
import { prisma } from '@/server/platform/db';
import { getEnv } from '@/server/platform/env';

export const STEP_UP_WINDOW_MS = 10 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;
const LAST_ACTIVE_RESOLUTION_MS = 60 * 1000;

export type DeviceLabel = { browser: string; os: string };

/** "Firefox 128 · Windows 11" from a user agent, with a maintained parser. */
export function describeUserAgent(userAgent: string | null | undefined): DeviceLabel {
  const parsed = new UAParser(userAgent ?? '').getResult();
  const browser = [parsed.browser.name, parsed.browser.major].filter(Boolean).join(' ') || 'Unknown browser';
  const os = [parsed.os.name, parsed.os.version].filter(Boolean).join(' ') || 'Unknown system';
  return { browser, os };
}

export type SessionSummary = {
  id: string;
  browser: string;
  os: string;
  ipPrefix: string | null;
  createdAt: Date;
  lastActiveAt: Date;
  authMethod: string | null;
  current: boolean;
};

export async function listSessions(customerId: string, currentSessionId: string): Promise<SessionSummary[]> {
  const rows = await prisma.session.findMany({
    // An aged session is deleted at its next read; until then it is not listed either.
    where: {
      userId: customerId,
      expires: { gt: new Date() },
      createdAt: { gt: new Date(Date.now() - getEnv().SESSION_MAX_AGE_DAYS * DAY_MS) },
    },
    orderBy: { lastActiveAt: 'desc' },
    select: { id: true, userAgent: true, ipPrefix: true, createdAt: true, lastActiveAt: true, authMethod: true },
  });
  return toSessionSummaries(rows, currentSessionId);
}

/** Newest activity first, this session at the top. */
export function toSessionSummaries(
  rows: Array<{
    id: string;
    userAgent: string | null;
    ipPrefix: string | null;
    createdAt: Date;
    lastActiveAt: Date;
    authMethod: string | null;
  }>,
  currentSessionId: string,
): SessionSummary[] {
  return rows
    .map((s) => ({
      id: s.id,
      ...describeUserAgent(s.userAgent),
      ipPrefix: s.ipPrefix,
      createdAt: s.createdAt,
      lastActiveAt: s.lastActiveAt,
      authMethod: s.authMethod,
      current: s.id === currentSessionId,
    }))
    .sort((a, b) => Number(b.current) - Number(a.current));
}

/**
 * How many sessions listSessions lists besides `currentSessionId` (its rule in
 * SQL): a column of a statement `FROM customers c`; both arguments are
 * placeholders (the session's id, SESSION_MAX_AGE_DAYS).
 */
export const otherSessionsColumn = (currentSessionId: string, maxAgeDays: string) => `
  (SELECT count(*)::int FROM sessions s
    WHERE s.user_id = c.id AND s.id <> ${currentSessionId}::uuid AND ${listedSessionCondition(maxAgeDays)})`;

/** listSessions's rule for a row `s` of sessions; the argument is the placeholder of SESSION_MAX_AGE_DAYS. */
export const listedSessionCondition = (maxAgeDays: string) =>
  `s.expires > now() AND s.created_at > now() - make_interval(days => ${maxAgeDays}::int)`;

/** Deletes one of the customer's sessions; its cookie fails on its very next request. */
export async function revokeSession(customerId: string, sessionId: string): Promise<boolean> {
  const result = await prisma.session.deleteMany({ where: { id: sessionId, userId: customerId } });
  return result.count === 1;
}

/** "Sign out everywhere else": the other portal sessions end, and with them the customer's sessions at the brand's apps. */
export async function revokeOtherSessions(customerId: string, currentSessionId: string): Promise<number> {
  return prisma.$transaction(async (tx) => {
    const result = await tx.session.deleteMany({ where: { userId: customerId, NOT: { id: currentSessionId } } });
    await endProviderSessions(tx, customerId, 'all-sessions');
    return result.count;
  });
}

/**
 * A session past SESSION_MAX_AGE_DAYS since its sign-in is deleted when read: a
 * stolen cookie kept alive by use still dies (docs/decisions/026-session-age-and-webhook-destinations.md).
 */
export async function deleteAgedSession(sessionId: string): Promise<void> {
  await prisma.session.deleteMany({ where: { id: sessionId } });
}

export function isSessionTooOld(createdAt: Date, maxAgeDays: number, now = Date.now()): boolean {
  return now - createdAt.getTime() >= maxAgeDays * DAY_MS;
}

const EXPIRY_UPDATE_AGE_MS = 24 * 60 * 60 * 1000;

/**
 * Keeps "last active" fresh (at most one write a minute) and slides the expiry
 * forward at most once a day, as Auth.js's updateAge does.
 */
export async function touchSession(
  sessionId: string,
  lastActiveAt: Date,
  expires: Date,
  maxAgeSeconds: number,
): Promise<void> {
  const now = Date.now();
  const stale = now - lastActiveAt.getTime() >= LAST_ACTIVE_RESOLUTION_MS;
  const slide = expires.getTime() - maxAgeSeconds * 1000 + EXPIRY_UPDATE_AGE_MS <= now;
  if (!stale && !slide) return;
  await prisma.session.updateMany({
    where: { id: sessionId },
    data: { lastActiveAt: new Date(now), ...(slide ? { expires: new Date(now + maxAgeSeconds * 1000) } : {}) },
  });
}

export function isRecentlyAuthenticated(authenticatedAt: Date, now = Date.now()): boolean {
  return now - authenticatedAt.getTime() <= STEP_UP_WINDOW_MS;
}

/** The customer proved themselves again in this session (step-up). */
export async function markSessionAuthenticated(customerId: string, sessionId: string, method: string): Promise<void> {
  await prisma.session.updateMany({
    where: { id: sessionId, userId: customerId },
    data: { authenticatedAt: new Date(), authMethod: method },
  });
}

/**
 * Remembers the device (browser, system, network) and says whether it is new
 * to this customer. A customer's very first device is not "new".
 */
export async function rememberDevice(
  customerId: string,
  userAgent: string,
  ipPrefix: string,
): Promise<{ isNew: boolean; label: string }> {
  const { browser, os } = describeUserAgent(userAgent);
  const deviceKey = sha256(`${browser.split(' ')[0]}|${os.split(' ')[0]}|${ipPrefix}`);
  const known = await prisma.knownDevice.findMany({ where: { customerId }, select: { deviceKey: true } });
  await prisma.knownDevice.upsert({
    where: { customerId_deviceKey: { customerId, deviceKey } },
    create: { customerId, deviceKey },
    update: { lastSeenAt: new Date() },
  });
  const isNew = known.length > 0 && !known.some((d) => d.deviceKey === deviceKey);
  return { isNew, label: `${browser} · ${os} · ${ipPrefix}` };
}
