/**
 * The environment server/ code needs when a test worker imports it (server/platform/env.ts
 * validates it on first use). Imported first by e2e/fixtures.ts, before any server/ module.
 */
import { TEST_AUTH_SECRET } from './test-secrets';

const databaseUrl = process.env.E2E_DATABASE_URL;
if (!databaseUrl) {
  throw new Error('E2E_DATABASE_URL is not set: run `npm run test:e2e`, which prepares the database and the build');
}
// The app's database and secret: fixtures write rows the app must accept as its own.
process.env.DATABASE_URL = databaseUrl;
process.env.AUTH_SECRET = TEST_AUTH_SECRET;
