// `npx tsx --conditions=react-server scripts/measure-export.ts`: how long the
// data export (server/customers/export.ts) takes for a customer with a year of history,
// on the test PostgreSQL (a fresh database copied from the migrated template).
// Prints the figures; asserts nothing (timings belong to reports, not tests).
import { createDatabaseFromTemplate, createTemplateDatabase, prepareTestServer } from './db/test-database';

const YEAR_MS = 365 * 24 * 60 * 60 * 1000;
// A busy year: a profile edit every few days, consents changed twice a month,
// a new session a week, and the brand's apps reading the data about 55 times a day.
const VOLUME = { profileChanges: 1_000, receipts: 240, sessions: 60, accessLog: 20_000 };
const RUNS = 7;

const server = await prepareTestServer();
try {
  await createTemplateDatabase(server);
  process.env.DATABASE_URL = (await createDatabaseFromTemplate(server, 'accord_measure_export')).runtimeUrl;
  const { getPool, prisma } = await import('../server/platform/db');
  const { createCustomer } = await import('../tests/factories');
  const { subjectPseudonym } = await import('../server/platform/crypto');
  const { buildExport } = await import('../server/customers/export');
  const { recordDataAccess } = await import('../server/consent/access-log');
  const { randomToken, sha256 } = await import('../server/platform/crypto');

  const customer = await createCustomer({ email: `export-${Date.now()}@example.test`, lastName: 'Martin' });
  const start = Date.now() - YEAR_MS;
  const at = (i: number, n: number) => new Date(start + Math.floor((i * YEAR_MS) / n));
  const attributes = [
    'firstName',
    'lastName',
    'phone',
    'locale',
    'address.home',
    'address.billing',
    'address.shipping',
  ];
  const purposes = ['marketing-emails', 'personalization', 'analytics', 'partner-sharing'];
  const t0 = Date.now();
  await prisma.profileChange.createMany({
    data: Array.from({ length: VOLUME.profileChanges }, (_, i) => ({
      customerId: customer.id,
      version: i + 2,
      attribute: attributes[i % attributes.length]!,
      oldValue: attributes[i % attributes.length]!.startsWith('address.')
        ? { country: 'FR', line1: `${i} rue des Lilas`, line2: null, postalCode: '75011', city: 'Paris' }
        : `value ${i}`,
      newValue: `value ${i + 1}`,
      channel: i % 3 === 0 ? 'Checkbook app' : 'portal',
      changedAt: at(i, VOLUME.profileChanges),
    })),
  });
  await prisma.consentReceipt.createMany({
    data: Array.from({ length: VOLUME.receipts }, (_, i) => ({
      customerId: customer.id,
      subjectPseudonym: subjectPseudonym(customer.id),
      purposeKey: purposes[i % purposes.length]!,
      purposeVersion: 1,
      granted: i % 2 === 0,
      collectionMethod: 'privacy-dashboard',
      channel: 'portal',
      jurisdiction: 'EU',
      policyUrl: '/legal/privacy',
      createdAt: at(i, VOLUME.receipts),
    })),
  });
  await prisma.session.createMany({
    data: Array.from({ length: VOLUME.sessions }, (_, i) => ({
      sessionToken: sha256(randomToken()),
      userId: customer.id,
      expires: new Date(Date.now() + YEAR_MS),
      createdAt: at(i, VOLUME.sessions),
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36',
      ipPrefix: '203.0.113.0/24',
      authMethod: 'email-code',
    })),
  });
  // Through the log's one writer, then spread over the year: the writer stamps
  // every read with the time it happened, which a seeded history cannot have.
  for (let offset = 0; offset < VOLUME.accessLog; offset += 5_000) {
    await recordDataAccess(
      prisma,
      Array.from({ length: Math.min(5_000, VOLUME.accessLog - offset) }, (_, j) => ({
        customerId: customer.id,
        accessor: {
          type: j % 10 === 0 ? ('staff' as const) : ('app' as const),
          id: `client-${j % 5}`,
          name: ['Shop', 'Checkbook app', 'Mobile app', 'Loyalty', 'Support: Jo'][j % 5]!,
        },
        fields: ['email', 'firstName', 'lastName'],
        purpose: 'personalization',
      })),
    );
  }
  await prisma.$executeRaw`
    UPDATE data_access_log l SET occurred_at = ${new Date(start)}::timestamp + (n.i * ${YEAR_MS / VOLUME.accessLog}::float8) * interval '1 millisecond'
    FROM (SELECT id, row_number() OVER (ORDER BY id) - 1 AS i FROM data_access_log WHERE customer_id = ${customer.id}::uuid) n
    WHERE l.id = n.id`;
  await prisma.$executeRawUnsafe('ANALYZE');
  console.log(`seeded a year of history in ${Date.now() - t0} ms:`, VOLUME);

  const timings: number[] = [];
  let bytes = 0;
  for (let run = 0; run < RUNS; run++) {
    const t = performance.now();
    const data = await buildExport(customer.id);
    const json = JSON.stringify(data, null, 2);
    timings.push(performance.now() - t);
    bytes = Buffer.byteLength(json);
  }
  const sorted = [...timings].sort((a, b) => a - b);
  console.log(`export: ${(bytes / 1024 / 1024).toFixed(1)} MiB of JSON`);
  console.log(`runs (ms): ${timings.map((t) => t.toFixed(0)).join(', ')}`);
  console.log(
    `first (cold) ${timings[0]!.toFixed(0)} ms, median ${sorted[Math.floor(RUNS / 2)]!.toFixed(0)} ms, max ${sorted.at(-1)!.toFixed(0)} ms`,
  );
  await prisma.$disconnect();
  await getPool().end();
} finally {
  await server.stop();
}
