// npm install: generate the Prisma client (server/generated). Prisma's CLI is a
// devDependency: an install without it (npm ci --omit=dev, on a tree built
// beforehand) keeps the client the build compiled into .next and dist/.
// PRISMA_SCHEMA_ENGINE_BINARY: see /docs/decisions/002-migrations-on-the-wasm-schema-engine.md.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let cli;
try {
  cli = require.resolve('prisma/build/index.js');
} catch {
  console.log('postinstall: no Prisma CLI (devDependencies omitted): keeping the client generated at build time');
  process.exit(0);
}
const { status } = spawnSync(process.execPath, [cli, 'generate'], {
  stdio: 'inherit',
  env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY || '/bin/true' },
});
process.exit(status ?? 1);
