import { afterEach, describe, expect, it } from 'vitest';

import { GET as live } from '@/app/api/health/live/route';
import { GET as ready } from '@/app/api/health/ready/route';
import { GET as legacy } from '@/app/api/health/route';
import { getPool } from '@/server/platform/db';
import { checkReadiness } from '@/server/platform/health';

import { adminQuery } from './helpers';

// Readiness on this worker's real, migrated database: then with the latest
// migration marked rolled back, as a release whose migrations are not applied.
const STOPPING = Symbol.for('accord.stopping');
let clock = Date.now();
const later = () => (clock += 60_000); // past the one-and-a-half-second cache

async function latestMigration(): Promise<string> {
  const { rows } = await getPool().query<{ migration_name: string }>(
    'SELECT migration_name FROM _prisma_migrations ORDER BY migration_name DESC LIMIT 1',
  );
  return rows[0]!.migration_name;
}

afterEach(async () => {
  delete (globalThis as { [STOPPING]?: boolean })[STOPPING];
  // Migrations' bookkeeping is the owner's: the runtime role the tests run as only reads it.
  await adminQuery('UPDATE _prisma_migrations SET rolled_back_at = NULL');
  await checkReadiness(later());
});

describe('health endpoints', () => {
  it('live and ready answer 200 with no-store JSON on a migrated database', async () => {
    for (const handler of [live, ready, legacy]) {
      const response = await handler();
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(await response.json()).toEqual({ status: 'ok' });
    }
  });

  it('is not ready while a migration of this release is not applied', async () => {
    await adminQuery('UPDATE _prisma_migrations SET rolled_back_at = now() WHERE migration_name = $1', [
      await latestMigration(),
    ]);
    expect(await checkReadiness(later())).toEqual({ ready: false, reason: 'migrations' });
    const response = await ready();
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ status: 'unavailable', reason: 'migrations' });
    expect((await live()).status).toBe(200);
  });

  it('is not ready once the server is stopping, without asking the database', async () => {
    (globalThis as { [STOPPING]?: boolean })[STOPPING] = true;
    const response = await ready();
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ status: 'unavailable', reason: 'stopping' });
  });
});
