import nextVitals from 'eslint-config-next/core-web-vitals';
import nextTs from 'eslint-config-next/typescript';

// Import boundaries (docs/guiding-principles.md, principle 2): what a folder may import says
// where its code may run and which way the domains depend on each other.
const NO_DATABASE = {
  group: ['**/generated/prisma/**', '@prisma/*'],
  message: 'Only server/ talks to the database.',
};
const NO_SERVER = {
  group: ['@/server', '@/server/**', '**/server/**'],
  message: 'This code may run in the browser: no server/ imports.',
};
const NO_APP = {
  group: ['@/app', '@/app/**', '**/app/**'],
  message:
    'components/ and lib/ are shared by routes: they never import from app/ (move the code next to its route, or here).',
};
const domains = (names) => ({
  group: names.flatMap((name) => [`@/server/${name}/**`, `../${name}/**`, `../../${name}/**`]),
  message: `This layer may not depend on ${names.join(', ')} (server/platform imports no domain; consent knows no apps).`,
});
// next-intl's client runtime (its provider and hooks, from 'next-intl' itself) would
// load on every page: client components use lib/i18n/client.tsx, server code
// next-intl/server. docs/decisions/032-less-javascript-on-customer-pages.md
const NO_NEXT_INTL_CLIENT = {
  name: 'next-intl',
  message: "Client components translate with '@/lib/i18n/client', server components with 'next-intl/server'.",
};
const restrict = (files, patterns, paths = []) => ({
  files,
  rules: { 'no-restricted-imports': ['error', { patterns, paths }] },
});

// A client component ('use client') is bundled for the browser: it gets data as
// props from a server component or calls a server action, never server/ itself.
const noServerInClient = {
  meta: {
    type: 'problem',
    messages: { server: "A 'use client' module may not import server/ ({{source}}): pass props or call an action." },
  },
  create(context) {
    let client = false;
    return {
      Program(node) {
        client = node.body.some((s) => s.type === 'ExpressionStatement' && s.directive === 'use client');
      },
      ImportDeclaration(node) {
        const source = String(node.source.value);
        if (client && /^(@\/server(\/|$)|(\.\.?\/)+(.*\/)?server\/)/.test(source)) {
          context.report({ node, messageId: 'server', data: { source } });
        }
      },
    };
  },
};

// One module keeps the rule language's meaning, and the SDK's root entry loads its browser part:
// only server/personalization/evaluate.ts imports it (docs/decisions/035-personalization.md §2).
const growthbookOnlyInEvaluate = {
  meta: {
    type: 'problem',
    messages: { only: 'Only server/personalization/evaluate.ts imports @growthbook/growthbook: call matches/explain.' },
  },
  create(context) {
    const check = (node, source) => {
      if (typeof source === 'string' && /^@growthbook\/growthbook(\/|$)/.test(source)) {
        context.report({ node, messageId: 'only' });
      }
    };
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => check(node, node.source?.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => check(node, node.source.value),
    };
  },
};
const accord = {
  rules: { 'no-server-in-client': noServerInClient, 'growthbook-only-in-evaluate': growthbookOnlyInEvaluate },
};

const config = [
  ...nextVitals,
  ...nextTs,
  {
    ignores: [
      '**/.next/**',
      'dist/**',
      'node_modules/**',
      'server/generated/**',
      '.data/**',
      'test-results/**',
      'playwright-report/**',
      '**/next-env.d.ts',
    ],
  },
  {
    // The benchmark's bare app is the floor Accord is measured against: it imports nothing of Accord.
    files: ['bench/baseline/**'],
    rules: {
      'import/no-restricted-paths': [
        'error',
        {
          zones: [
            {
              target: './bench/baseline',
              from: '.',
              except: ['./bench/baseline', './node_modules'],
              message: 'The bare app imports nothing of Accord.',
            },
          ],
        },
      ],
    },
  },
  {
    // Only server/ (and the scripts and tests that run outside Next) reads process.env.
    files: ['app/**', 'components/**', 'lib/**'],
    plugins: { accord },
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read configuration through server/platform/env.ts.' },
      ],
      'accord/no-server-in-client': 'error',
    },
  },
  {
    files: ['**/*.{ts,tsx,js,mjs,cjs}'],
    ignores: ['server/personalization/evaluate.ts'],
    plugins: { accord },
    rules: { 'accord/growthbook-only-in-evaluate': 'error' },
  },
  {
    // Server code logs through server/platform/log.ts (JSON lines with the request id, nothing personal).
    files: [
      'app/**',
      'server/**',
      'lib/**',
      'components/**',
      'proxy.ts',
      'instrumentation.ts',
      'scripts/http-server.ts',
      'scripts/graceful-http-server.ts',
      'scripts/webhook-worker-in-process.ts',
    ],
    rules: { 'no-console': 'error' },
  },
  // One block per folder: a later block's no-restricted-imports replaces an earlier one's.
  restrict(['app/**'], [NO_DATABASE], [NO_NEXT_INTL_CLIENT]),
  restrict(['components/**', 'lib/**'], [NO_DATABASE, NO_SERVER, NO_APP], [NO_NEXT_INTL_CLIENT]),
  restrict(
    ['server/platform/**'],
    [domains(['mail', 'identity', 'customers', 'consent', 'apps', 'staff', 'personalization', 'support', 'oidc'])],
  ),
  restrict(['server/mail/**'], [domains(['identity', 'customers', 'consent', 'apps', 'staff', 'personalization'])]),
  restrict(['server/consent/**'], [domains(['apps', 'staff', 'personalization'])]),
  // Personalization reads through the consent policy; the apps' API, the export and the
  // console call it, never the reverse (docs/decisions/035-personalization.md).
  restrict(['server/personalization/**'], [domains(['apps', 'customers', 'identity', 'staff'])]),
  // The console builds on the customer and app domains, never the reverse: they audit
  // through server/platform/audit.ts with the actor they are given.
  restrict(['server/identity/**', 'server/customers/**', 'server/apps/**'], [domains(['staff', 'support'])]),
  // The OpenID provider (docs/decisions/037-openid-provider.md) serves apps and customers, never staff;
  // its grants.ts is called by consent and identity, so it imports neither.
  restrict(['server/oidc/**'], [domains(['staff', 'support', 'personalization'])]),
  // The QA flows run against deployments whose database they cannot reach (docs/qa.md).
  restrict(
    ['e2e/flows/**', 'e2e/pages/**', 'playwright.flows.config.ts'],
    [
      {
        group: [
          ...NO_DATABASE.group,
          ...NO_SERVER.group,
          '../fixtures',
          '../server-env',
          '../helpers',
          '**/tests/**',
          'pg',
        ],
        message: 'The QA flows reach the app through its pages and its mail only, never its database or server code.',
      },
    ],
  ),
];

export default config;
