import 'server-only';
import { PrismaPg } from '@prisma/adapter-pg';
import { Pool } from 'pg';
import { PrismaClient } from './generated/prisma/client';
import { getEnv } from './env';

type Db = { pool: Pool; prisma: PrismaClient };

// One pool and one client per process; kept on globalThis so dev hot reloads
// do not open a new pool each time.
const globalForDb = globalThis as unknown as { accordDb?: Db };

function connect(): Db {
  // TimeZone UTC: columns are UTC `timestamp`s (Prisma's convention), and their
  // DEFAULT CURRENT_TIMESTAMP is converted with the session's zone.
  const pool = new Pool({ connectionString: getEnv().DATABASE_URL, max: 10, options: '-c TimeZone=UTC' });
  // An idle client losing its server must not crash the process.
  pool.on('error', (error) => console.error('[db] idle client error:', error.message));
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

export type Tx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];
