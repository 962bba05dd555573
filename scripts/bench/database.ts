// The bench database: DATABASE_URL when set (never the development database),
// else `accord_bench` on the embedded server of `npm run dev`, started if needed.
import fs from 'node:fs';
import path from 'node:path';

import {
  APP_DATABASE,
  createDatabaseIfMissing,
  DEFAULT_EMBEDDED_PORT,
  redactUrl,
  repoRoot,
  startEmbeddedPostgres,
  databaseUrl as withDatabase,
  type EmbeddedServer,
} from '../db/postgres';
import { onCleanup } from './cleanup';
import { BENCH_DATABASE, CUSTOMERS, fail, log } from './options';

/** Its URL, and PostgreSQL's postmaster when it runs here (for its CPU time). */
export type BenchDatabase = { url: string; postmasterPid: number | null };

export async function prepareDatabase(name: string = BENCH_DATABASE): Promise<BenchDatabase> {
  const fromEnv = process.env.DATABASE_URL;
  if (fromEnv) {
    const name = decodeURIComponent(new URL(fromEnv).pathname.slice(1));
    if (name === APP_DATABASE) {
      fail(
        `DATABASE_URL points at the database "${APP_DATABASE}", the development database: the benchmark adds ${CUSTOMERS} ` +
          `fake customers. Unset DATABASE_URL (the bench then uses "${BENCH_DATABASE}" on the embedded server) or point it elsewhere.`,
      );
    }
    log(`database: ${redactUrl(fromEnv)} (DATABASE_URL)`);
    return { url: fromEnv, postmasterPid: null };
  }
  const port = Number(process.env.EMBEDDED_PG_PORT ?? DEFAULT_EMBEDDED_PORT);
  const dataDir = path.join(repoRoot, '.data', 'postgres');
  const server: EmbeddedServer = await startEmbeddedPostgres({ dataDir, port, log: (m) => log(`[postgres] ${m}`) });
  if (!server.reused) onCleanup(() => server.stop());
  if (await createDatabaseIfMissing(server.adminUrl, name)) log(`created database "${name}"`);
  const url = withDatabase(server.adminUrl, name);
  log(
    `database: ${redactUrl(url)} (${server.reused ? 'embedded server already running' : 'embedded server started for this run'})`,
  );
  const pid = Number.parseInt(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0] ?? '', 10);
  return { url, postmasterPid: Number.isInteger(pid) ? pid : null };
}
