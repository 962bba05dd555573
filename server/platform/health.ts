import 'server-only';

import fs from 'node:fs';
import path from 'node:path';

import { getPool } from './db';
import { getLogger } from './log';

// Readiness, for load balancers and orchestrators: the database answers and
// every migration of this release is applied. Worker lag is a metric, not
// readiness (an instance serves fine while deliveries queue).
// docs/decisions/024-health-shutdown-and-housekeeping.md

export type Readiness = { ready: true } | { ready: false; reason: 'stopping' | 'database' | 'migrations' };

// scripts/http-server.ts sets it on SIGTERM. A global symbol, not a module
// variable: Next's bundle and the server script each load their own copy of
// this module in one process.
const STOPPING = Symbol.for('accord.stopping');
type StoppingFlag = { [STOPPING]?: boolean };

export function markStopping(): void {
  (globalThis as StoppingFlag)[STOPPING] = true;
}

function isStopping(): boolean {
  return (globalThis as StoppingFlag)[STOPPING] === true;
}

/** How long a database answer is reused: probes every second cost one query at most. */
const CACHE_MS = 1_500;
let cache: { at: number; result: Promise<Readiness> } | undefined;

let releaseMigrations: string[] | undefined;
function migrationsOfThisRelease(): string[] {
  releaseMigrations ??= fs
    .readdirSync(path.join(process.cwd(), 'prisma', 'migrations'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name);
  return releaseMigrations;
}

async function checkDatabase(): Promise<Readiness> {
  let applied: Set<string>;
  try {
    const { rows } = await getPool().query<{ migration_name: string }>(
      `SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
    );
    applied = new Set(rows.map((row) => row.migration_name));
  } catch (error) {
    getLogger().warn(
      { component: 'health' },
      `not ready: database unreachable: ${error instanceof Error ? error.message : String(error)}`,
    );
    return { ready: false, reason: 'database' };
  }
  let missing: string[];
  try {
    missing = migrationsOfThisRelease().filter((name) => !applied.has(name));
  } catch (error) {
    // Started outside the release's folder: say so rather than answer 500.
    getLogger().error(
      { component: 'health' },
      `not ready: cannot read prisma/migrations from ${process.cwd()}: ${error instanceof Error ? error.message : String(error)}`,
    );
    return { ready: false, reason: 'migrations' };
  }
  if (missing.length > 0) {
    getLogger().warn({ component: 'health', missing: missing.length, first: missing[0] }, 'not ready: migrations');
    return { ready: false, reason: 'migrations' };
  }
  return { ready: true };
}

export async function checkReadiness(now = Date.now()): Promise<Readiness> {
  if (isStopping()) return { ready: false, reason: 'stopping' };
  if (!cache || now - cache.at > CACHE_MS) cache = { at: now, result: checkDatabase() };
  const result = await cache.result;
  // A probe that waited on the database while SIGTERM arrived still answers "stopping".
  return isStopping() ? { ready: false, reason: 'stopping' } : result;
}

/** The JSON answer of /api/health/ready (and /api/health): no details beyond the reason. */
export async function readinessResponse(): Promise<Response> {
  const readiness = await checkReadiness();
  return Response.json(readiness.ready ? { status: 'ok' } : { status: 'unavailable', reason: readiness.reason }, {
    status: readiness.ready ? 200 : 503,
    headers: { 'Cache-Control': 'no-store' },
  });
}
