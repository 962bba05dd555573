import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';

import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';

import { countConsentsToReview, getCurrentTerms } from '@/server/consent/consent';
import { applyConsentPurposes, CONSENT_PURPOSES } from '@/server/consent/purposes';
import { completeOnboarding } from '@/server/customers/account';
import { applyPersonalizationReferenceData, CATEGORIES, STORES } from '@/server/personalization/reference';
import { prisma } from '@/server/platform/db';
import { applyReferenceData } from '@/server/reference-data';
import { createCustomer } from '@/tests/factories';

import { createDatabase, databaseUrl, dropDatabase } from '../../scripts/db/postgres';
import { uniqueEmail } from './helpers';

const root = path.resolve(__dirname, '../..');
const run = promisify(execFile);

async function purposeRows() {
  return {
    purposes: await prisma.consentPurpose.findMany({ orderBy: { key: 'asc' } }),
    versions: await prisma.consentPurposeVersion.findMany({ orderBy: [{ purposeKey: 'asc' }, { version: 'asc' }] }),
  };
}

/** The declaration with the terms at another version and text, as a later release would ship it. */
function withTerms(version: number, textEn: string) {
  return CONSENT_PURPOSES.map((p) => (p.key === 'terms-of-service' ? { ...p, version, textEn } : p));
}

// Each test file gets a fresh copy of the migrated template (tests/setup/worker-database.ts):
// no reference data in it, as on a first production start. The tests run in order.
describe('reference data applied on start', () => {
  it('lets a customer complete onboarding on a freshly migrated database', async () => {
    expect(await prisma.consentPurpose.count()).toBe(0);
    await expect(getCurrentTerms()).rejects.toThrow(/terms-of-service is missing/);

    expect(await applyReferenceData()).toEqual([
      `created consent purposes: ${CONSENT_PURPOSES.map((p) => p.key).join(', ')}`,
      `categories created or updated: ${CATEGORIES.length}`,
      `stores created or updated: ${STORES.length}`,
    ]);
    const customer = await createCustomer({ email: uniqueEmail(), firstName: null, onboarded: false });
    const terms = await getCurrentTerms();
    expect(terms.version).toBe(1);
    expect(await completeOnboarding(customer.id, { firstName: 'Zoé', acceptedTermsVersion: terms.version })).toEqual({
      ok: true,
    });
  });

  it('retires a category no longer declared, keeps its row, and brings it back when declared again', async () => {
    const fewer = CATEGORIES.filter((c) => c.key !== 'nutrition');
    expect(await applyPersonalizationReferenceData(fewer)).toEqual(['categories retired: 1']);
    const retired = await prisma.category.findUniqueOrThrow({ where: { key: 'nutrition' } });
    expect(retired.retiredAt).not.toBeNull();
    expect(await applyPersonalizationReferenceData()).toEqual(['categories created or updated: 1']);
    expect((await prisma.category.findUniqueOrThrow({ where: { key: 'nutrition' } })).retiredAt).toBeNull();
  });

  it('changes nothing when it runs again', async () => {
    const before = await purposeRows();
    expect(await applyReferenceData()).toEqual([]);
    expect(await purposeRows()).toEqual(before);
  });

  it('publishes a raised version once, and customers who accepted the older terms are asked again', async () => {
    const customer = await createCustomer({ email: uniqueEmail() });
    expect(await countConsentsToReview(customer.id)).toBe(0);

    const declared = withTerms(2, 'The terms, second edition.');
    expect(await applyConsentPurposes(declared)).toEqual({
      created: [],
      published: [{ key: 'terms-of-service', version: 2 }],
      warnings: [],
    });
    expect(await applyConsentPurposes(declared)).toEqual({ created: [], published: [], warnings: [] });

    const versions = await prisma.consentPurposeVersion.findMany({
      where: { purposeKey: 'terms-of-service' },
      orderBy: { version: 'asc' },
      select: { version: true, textEn: true },
    });
    expect(versions).toEqual([
      { version: 1, textEn: CONSENT_PURPOSES[0]!.textEn },
      { version: 2, textEn: 'The terms, second edition.' },
    ]);
    expect((await getCurrentTerms()).version).toBe(2);
    expect(await countConsentsToReview(customer.id)).toBe(1);
  });

  it('never rewrites a published text: an edit without a new version is reported, not applied', async () => {
    const before = await purposeRows();
    const report = await applyConsentPurposes(withTerms(2, 'The terms, second edition, with a typo fixed.'));
    expect(report.published).toEqual([]);
    expect(report.warnings).toEqual([expect.stringMatching(/terms-of-service.*set its version to 3/)]);
    expect(await purposeRows()).toEqual(before);
  });
});

describe('npm run db:migrate on an empty database', () => {
  it('creates the schema and the reference data once, even when two instances start together', async () => {
    const adminUrl = inject('testDatabaseAdminUrl');
    const name = `accord_test_empty_${randomUUID().slice(0, 8)}`;
    await createDatabase(adminUrl, name);
    const url = databaseUrl(adminUrl, name);
    try {
      const migrate = () =>
        run(process.execPath, ['--import', 'tsx', '--conditions=react-server', 'scripts/db/cli.ts', 'deploy'], {
          cwd: root,
          env: { ...process.env, DATABASE_URL: url, MIGRATION_DATABASE_URL: url, NODE_OPTIONS: '' },
        });
      const results = await Promise.all([migrate(), migrate()]);
      const output = results.map((r) => r.stdout).join('\n');
      expect(output.match(/created consent purposes/g)).toHaveLength(1);
      expect(output).toContain('[db] reference data up to date');

      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        const { rows } = await client.query<{ key: string; current_version: number }>(
          'SELECT key, current_version FROM consent_purposes ORDER BY sort_order',
        );
        expect(rows).toEqual(CONSENT_PURPOSES.map((p) => ({ key: p.key, current_version: p.version })));
        const migrations = await client.query<{ n: number; distinct: number }>(
          'SELECT count(*)::int AS n, count(DISTINCT migration_name)::int AS distinct FROM _prisma_migrations WHERE finished_at IS NOT NULL',
        );
        expect(migrations.rows[0]!.n).toBe(migrations.rows[0]!.distinct);
        expect(await client.query('SELECT 1 FROM customers').then((r) => r.rowCount)).toBe(0);
      } finally {
        await client.end();
      }
    } finally {
      await dropDatabase(adminUrl, name);
    }
  }, 120_000);
});
