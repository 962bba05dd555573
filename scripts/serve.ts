// `npm run dev` and `npm start`: the database (DATABASE_URL, else the embedded
// one), migrations and reference data, the demo data in development only, then Next.js.
// Run with `tsx --conditions=react-server` so server/ modules load outside Next.
import { spawn } from 'node:child_process';

import { ensureDatabase } from './db/postgres';
import { prepareDatabase } from './db/prepare';

const mode = process.argv[2];
if (mode !== 'dev' && mode !== 'start') {
  console.error('usage: tsx scripts/serve.ts <dev|start>');
  process.exit(2);
}

const db = await ensureDatabase();
process.env.DATABASE_URL = db.databaseUrl;
await prepareDatabase(db.databaseUrl);

if (mode === 'dev') {
  const { seed } = await import('../prisma/seed');
  await seed();
  console.log('[seed] demo data in place · dev mailbox: /dev/mailbox');
}
// This process only supervises Next.js from here on: give its connections back.
const { getPool, prisma } = await import('../server/platform/db');
await prisma.$disconnect();
await getPool()
  .end()
  .catch(() => undefined);

const port = process.env.PORT ?? '3000';
// Without the react-server condition: Next.js resolves React for itself.
const next = spawn('npx', ['tsx', 'scripts/http-server.ts', ...(mode === 'dev' ? ['--dev'] : [])], {
  stdio: 'inherit',
  env: { ...process.env, PORT: port, DATABASE_URL: db.databaseUrl, NEXT_TELEMETRY_DISABLED: '1', NODE_OPTIONS: '' },
});

let stopping = false;
async function shutdown(code: number) {
  if (stopping) return;
  stopping = true;
  if (next.exitCode === null) next.kill('SIGTERM');
  await db.stop();
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(130));
process.on('SIGTERM', () => void shutdown(143));
next.on('exit', (code) => void shutdown(code ?? 0));
