// `npm run build`, after `next build`: the custom HTTP server, the worker and the
// operators' CLIs compiled to JavaScript in dist/, so that production runs no
// TypeScript loader (tsx is a devDependency). Packages stay external (node_modules);
// our own code, server/ and the generated Prisma client are bundled.
// docs/decisions/021-reference-data-and-production-defaults.md
import { createRequire } from 'node:module';
import path from 'node:path';

import { build } from 'esbuild';

import { repoRoot } from './db/postgres';

const require = createRequire(import.meta.url);
// What the react-server condition selects: server/ modules may load outside Next.
const emptyServerOnly = path.join(path.dirname(require.resolve('server-only')), 'empty.js');

const started = Date.now();
await build({
  absWorkingDir: repoRoot,
  entryPoints: {
    serve: 'scripts/serve.ts',
    'http-server': 'scripts/http-server.ts',
    worker: 'scripts/worker.ts',
    'db-cli': 'scripts/db/cli.ts',
    apps: 'scripts/apps.ts',
    staff: 'scripts/staff.ts',
    content: 'scripts/content.ts',
    oidc: 'scripts/oidc.ts',
  },
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20.19',
  packages: 'external',
  tsconfig: 'tsconfig.json',
  sourcemap: 'linked',
  logLevel: 'warning',
  // AsyncLocalStorage on globalThis before anything else, as Next.js sets it when it starts:
  // the bundle hoists external imports, so next/headers (server/platform/cookies.ts and
  // request-context.ts, which the OpenID provider reaches) would otherwise be evaluated
  // before `next` and throw "AsyncLocalStorage accessed in runtime where it is not available".
  // tsx loads them lazily, which is why the e2e servers never saw it.
  banner: { js: 'import "next/dist/server/node-environment-baseline.js";' },
  plugins: [
    {
      name: 'server-only',
      setup(b) {
        b.onResolve({ filter: /^server-only$/ }, () => ({ path: emptyServerOnly }));
        // next has no exports map: Node's ESM loader finds `next/headers` only by its file
        // name. Server modules that import it (console sessions, which npm run staff loads)
        // then load in a CLI, whose code never calls it.
        b.onResolve({ filter: /^next\/(headers|navigation|cache)$/ }, (args) => ({
          path: `${args.path}.js`,
          external: true,
        }));
      },
    },
  ],
});
console.log(`[build] server, worker and CLIs compiled to dist/ (${Date.now() - started} ms)`);
