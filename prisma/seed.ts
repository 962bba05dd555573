// Demo data for development: idempotent, built with the factories the tests use.
// Run by `npm run db:seed` (and by `npm run dev` on every start), after the
// reference data (scripts/db/prepare.ts). Never in production.
import path from 'node:path';

import { repoRoot } from '../scripts/db/postgres';
import { importContentFile } from '../server/personalization/content-file';
import { prisma } from '../server/platform/db';
import { createCustomer } from '../tests/factories';

const DEMO_CUSTOMERS = [
  {
    email: 'camille.martin@example.com',
    firstName: 'Camille',
    lastName: 'Martin',
    locale: 'fr' as const,
    address: { line1: '12 rue des Lilas', postalCode: '75011', city: 'Paris', country: 'FR' },
  },
  {
    email: 'jordan.smith@example.com',
    firstName: 'Jordan',
    lastName: 'Smith',
    locale: 'en' as const,
    address: { line1: '221B Baker Street', postalCode: 'NW1 6XE', city: 'London', country: 'GB' },
  },
  {
    email: 'lea.dubois@example.com',
    firstName: 'Léa',
    lastName: 'Dubois',
    locale: 'fr' as const,
    address: { line1: '5 place Bellecour', postalCode: '69002', city: 'Lyon', country: 'FR' },
  },
];

const DEMO_CONTENT = path.join(repoRoot, 'examples/content/home.json');

export async function seed(): Promise<void> {
  if (process.env.NODE_ENV === 'production') {
    throw new Error(
      'Demo customers are for development only, and NODE_ENV is production: nothing was written. The reference data (consent purposes) is applied by npm start and npm run db:migrate.',
    );
  }
  for (const customer of DEMO_CUSTOMERS) await createCustomer(customer);
  // The home page's example blocks (a generic one per slot, the running block), published: importing
  // the same file again changes nothing. docs/personalization.md "Content"
  const imported = await importContentFile({ type: 'cli', label: 'cli:seed' }, DEMO_CONTENT);
  if (!imported.ok)
    throw new Error(`${DEMO_CONTENT}: ${imported.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
}

// Run as a file (not bundled into dist/serve.mjs, where import.meta.url is that bundle).
if (process.argv[1]?.endsWith(`${path.sep}prisma${path.sep}seed.ts`)) {
  seed()
    .then(() => console.log(`[seed] ${DEMO_CUSTOMERS.length} demo customers and the example content are in place`))
    .catch((error) => {
      console.error('[seed] failed:', error);
      process.exitCode = 1;
    })
    .finally(() => prisma.$disconnect());
}
