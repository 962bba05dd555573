/**
 * Values the test app and the specs must share. Imported by playwright.config.ts
 * (the app's env) and by e2e/fixtures.ts (server code run in the test workers):
 * sign-in codes and consent pseudonyms are HMACed with AUTH_SECRET, so a
 * challenge a fixture writes only matches what the app checks if both use this.
 */

/** A fixed secret for the test app only (never used outside e2e). */
export const TEST_AUTH_SECRET = 'accord-e2e-test-secret-not-for-production-0123456789';
