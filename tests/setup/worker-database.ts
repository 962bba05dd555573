// Runs in each test worker before its test file is imported: gives the worker
// its own copy of the migrated template and points DATABASE_URL at it, so
// server/platform/db.ts connects there.
import { inject } from 'vitest';

import { createDatabaseFromTemplate, WORKER_DATABASE_PREFIX } from '../../scripts/db/test-database';

const name = `${WORKER_DATABASE_PREFIX}${process.env.VITEST_POOL_ID ?? '1'}`;
process.env.DATABASE_URL = await createDatabaseFromTemplate(inject('testDatabaseAdminUrl'), name);
// The origin the tests expect in links and problem types, whatever the shell
// exports (a PORT or APP_URL meant for a development server).
process.env.APP_URL = 'http://localhost:3000';
