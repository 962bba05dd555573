import nextVitals from 'eslint-config-next/core-web-vitals';
import nextTs from 'eslint-config-next/typescript';

const config = [
  ...nextVitals,
  ...nextTs,
  {
    ignores: ['**/.next/**', 'node_modules/**', 'server/generated/**', '.data/**', 'test-results/**', 'playwright-report/**', '**/next-env.d.ts'],
  },
  {
    // The benchmark's bare app is the floor Accord is measured against: it imports nothing of Accord.
    files: ['bench/baseline/**'],
    rules: {
      'import/no-restricted-paths': [
        'error',
        { zones: [{ target: './bench/baseline', from: '.', except: ['./bench/baseline', './node_modules'], message: 'The bare app imports nothing of Accord.' }] },
      ],
    },
  },
  {
    // House rule 2: only server/ (and the scripts/tests that run outside Next) reads process.env.
    files: ['app/**', 'components/**', 'lib/**'],
    rules: {
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Read configuration through server/env.ts.' }],
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/generated/prisma/**', '@prisma/*'], message: 'Only server/ talks to the database.' }] },
      ],
    },
  },
  {
    files: ['components/**', 'lib/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@/server/*', '**/server/*'], message: 'components/ and lib/ may run in the browser: no server/ imports.' }] },
      ],
    },
  },
];

export default config;
