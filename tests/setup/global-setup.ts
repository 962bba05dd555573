// Once per test run: a PostgreSQL server and a migrated template database.
// Each worker then copies the template (tests/setup/worker-database.ts).
import type { TestProject } from 'vitest/node';
import { createTemplateDatabase, prepareTestServer } from '../../scripts/db/test-database';

declare module 'vitest' {
  export interface ProvidedContext {
    testDatabaseAdminUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const started = Date.now();
  const server = await prepareTestServer();
  try {
    await createTemplateDatabase(server.adminUrl);
  } catch (error) {
    await server.stop();
    throw error;
  }
  console.log(`test database template ready (${Date.now() - started} ms)`);
  project.provide('testDatabaseAdminUrl', server.adminUrl);
  return async () => {
    await server.stop();
  };
}
