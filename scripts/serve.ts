// `npm run dev` and `npm start`: the database (DATABASE_URL, else the embedded
// one), migrations, the demo data in development, then Next.js.
// Run with `tsx --conditions=react-server` so server/ modules load outside Next.
import { spawn } from 'node:child_process';

import { ensureDatabase } from './db/postgres';
import { migrateDeploy } from './db/schema-engine';

const mode = process.argv[2];
if (mode !== 'dev' && mode !== 'start') {
  console.error('usage: tsx scripts/serve.ts <dev|start>');
  process.exit(2);
}

const db = await ensureDatabase();
process.env.DATABASE_URL = db.databaseUrl;
const applied = await migrateDeploy(db.databaseUrl);
console.log(
  applied.length ? `[db] applied ${applied.length} migration(s): ${applied.join(', ')}` : '[db] migrations up to date',
);

if (mode === 'dev') {
  const { seed } = await import('../prisma/seed');
  await seed();
  const { prisma } = await import('../server/platform/db');
  await prisma.$disconnect();
  console.log('[seed] demo data in place · dev mailbox: /dev/mailbox');
}

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
