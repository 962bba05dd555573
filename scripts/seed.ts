// `npm run db:seed`: idempotent demo data in DATABASE_URL or the embedded
// database, for development only (refused when NODE_ENV=production).
import { ensureDatabase } from './db/postgres';
import { prepareDatabase } from './db/prepare';

if (process.env.NODE_ENV === 'production') {
  console.error(
    '[seed] refused: demo customers are for development only, and NODE_ENV is production. Nothing was written.\n' +
      'The reference data (consent purposes) needs no seed: npm start and npm run db:migrate apply it.',
  );
  process.exit(2);
}

const db = await ensureDatabase();
process.env.DATABASE_URL = db.databaseUrl;
try {
  await prepareDatabase({ migrationUrl: db.migrationUrl, runtimeUrl: db.databaseUrl });
  const { seed } = await import('../prisma/seed');
  await seed();
  console.log('[seed] demo customers and the example content are in place');
  const { prisma, getPool } = await import('../server/platform/db');
  await prisma.$disconnect();
  // Its idle connections too, before the database stops under them.
  await getPool()
    .end()
    .catch(() => undefined);
} finally {
  await db.stop();
}
