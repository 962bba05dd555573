import 'server-only';

import { PrismaPg } from '@prisma/adapter-pg';
import pg, { Pool } from 'pg';

import { PrismaClient } from '@/server/generated/prisma/client';

import { getEnv } from './env';
import { errorMessage, getLogger } from './log';

type Db = { pool: Pool; prisma: PrismaClient };

// One pool and one client per process; kept on globalThis so dev hot reloads
// do not open a new pool each time.
const globalForDb = globalThis as unknown as { accordDb?: Db };

// `timestamp` columns hold UTC (Prisma's convention); node-pg would read them
// in the process's time zone. Our own queries read them as UTC whatever TZ is
// (Prisma passes its own parsers with each query).
const TIMESTAMP_OID = 1114;
const utcTimestamps = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === TIMESTAMP_OID && format !== 'binary'
      ? (value: string) => new Date(`${value.replace(' ', 'T')}Z`)
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

function connect(): Db {
  // TimeZone UTC: columns are UTC `timestamp`s (Prisma's convention), and their
  // DEFAULT CURRENT_TIMESTAMP is converted with the session's zone.
  const pool = new Pool({
    connectionString: getEnv().DATABASE_URL,
    max: 10,
    options: '-c TimeZone=UTC',
    types: utcTimestamps,
  });
  // An idle client losing its server must not crash the process.
  pool.on('error', (error) => getLogger().error({ component: 'db' }, `idle client error: ${errorMessage(error)}`));
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return { pool, prisma };
}

function db(): Db {
  globalForDb.accordDb ??= connect();
  return globalForDb.accordDb;
}

/** The Prisma client. Only server/ imports it. */
export const prisma: PrismaClient = new Proxy({} as PrismaClient, {
  get(_target, property) {
    const client = db().prisma;
    const value = Reflect.get(client, property);
    return typeof value === 'function' ? value.bind(client) : value;
  },
});

/** The pg pool under Prisma, for libraries that speak pg (rate-limiter-flexible). */
export function getPool(): Pool {
  return db().pool;
}

/** Ends the pool and the client: the last step of a graceful stop (scripts/graceful-http-server.ts). */
export async function closeDatabase(): Promise<void> {
  const current = globalForDb.accordDb;
  if (!current) return;
  globalForDb.accordDb = undefined;
  await current.prisma.$disconnect();
  await current.pool.end();
}

export type Tx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];
