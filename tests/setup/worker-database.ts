// Runs in each test worker before its test file is imported: gives the worker
// its own copy of the migrated template and points DATABASE_URL at it as the
// runtime role, so server/platform/db.ts connects there as the app does in
// production; MIGRATION_DATABASE_URL (owner) and TEST_ADMIN_DATABASE_URL
// (superuser, for clean-ups: tests/integration/helpers.ts adminQuery) name the same database.
import { inject } from 'vitest';

import { createDatabaseFromTemplate, WORKER_DATABASE_PREFIX } from '../../scripts/db/test-database';

const name = `${WORKER_DATABASE_PREFIX}${process.env.VITEST_POOL_ID ?? '1'}`;
const database = await createDatabaseFromTemplate(
  {
    adminUrl: inject('testDatabaseAdminUrl'),
    ownerUrl: inject('testDatabaseOwnerUrl'),
    runtimeUrl: inject('testDatabaseRuntimeUrl'),
  },
  name,
);
process.env.DATABASE_URL = database.runtimeUrl;
process.env.MIGRATION_DATABASE_URL = database.migrationUrl;
process.env.TEST_ADMIN_DATABASE_URL = database.adminUrl;
// The origin the tests expect in links and problem types, whatever the shell
// exports (a PORT or APP_URL meant for a development server).
process.env.APP_URL = 'http://localhost:3000';
