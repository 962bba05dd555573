// `npm run db:seed`: idempotent demo data in DATABASE_URL or the embedded database.
import { ensureDatabase } from './db/postgres';
import { migrateDeploy } from './db/schema-engine';

const db = await ensureDatabase();
process.env.DATABASE_URL = db.databaseUrl;
try {
  await migrateDeploy(db.databaseUrl);
  const { seed } = await import('../prisma/seed');
  await seed();
  console.log('[seed] consent purposes and demo customers are in place');
  const { prisma } = await import('../server/platform/db');
  await prisma.$disconnect();
} finally {
  await db.stop();
}
