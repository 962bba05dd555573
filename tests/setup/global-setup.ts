// Once per test run: a PostgreSQL server and a migrated template database.
// Each worker then copies the template (tests/setup/worker-database.ts).
import type { TestProject } from 'vitest/node';

import { createTemplateDatabase, prepareTestServer } from '../../scripts/db/test-database';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser, owner and runtime URLs of the server's `postgres` database (scripts/db/test-database.ts). */
    testDatabaseAdminUrl: string;
    testDatabaseOwnerUrl: string;
    testDatabaseRuntimeUrl: string;
  }
}

/** pg's errors reach the terminal as a bare field dump: keep their message. */
function readable(error: unknown): Error {
  return new Error(`Could not prepare the test database: ${error instanceof Error ? error.message : String(error)}`, {
    cause: error,
  });
}

export default async function setup(project: TestProject) {
  const started = Date.now();
  const server = await prepareTestServer().catch((error: unknown) => {
    throw readable(error);
  });
  try {
    await createTemplateDatabase(server);
  } catch (error) {
    await server.stop();
    throw readable(error);
  }
  console.log(`test database template ready (${Date.now() - started} ms)`);
  project.provide('testDatabaseAdminUrl', server.adminUrl);
  project.provide('testDatabaseOwnerUrl', server.ownerUrl);
  project.provide('testDatabaseRuntimeUrl', server.runtimeUrl);
  return async () => {
    await server.stop();
  };
}
