import { fileURLToPath } from 'node:url';

import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      { find: /^@\//, replacement: root },
      // `server-only` throws unless bundled for React Server Components.
      { find: /^server-only$/, replacement: fileURLToPath(new URL('./tests/setup/empty.ts', import.meta.url)) },
    ],
  },
  test: {
    include: ['tests/**/*.test.ts'],
    environment: 'node',
    // next-auth imports 'next/server' without an extension, which Node's ESM loader
    // cannot resolve (next has no exports map): let Vite resolve it.
    server: { deps: { inline: ['next-auth'] } },
    globalSetup: './tests/setup/global-setup.ts',
    setupFiles: ['./tests/setup/worker-database.ts'],
    pool: 'forks',
    maxWorkers: 2,
    // Starting PostgreSQL and migrating take a few seconds on a cold machine.
    hookTimeout: 60_000,
    // Database round trips on a loaded 2-core machine; no test asserts timings.
    testTimeout: 30_000,
  },
});
