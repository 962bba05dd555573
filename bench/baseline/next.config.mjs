// The benchmark's bare Next.js app (README "Performance", docs/performance.md):
// the floor Accord's pages and API are measured against. It is built and
// started only by `npm run bench`, from this folder, with the repository's
// node_modules (so the same Next.js and React as Accord), and nothing of
// Accord is imported here: no proxy, no i18n, no Tailwind, no Auth.js, no Prisma.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** @type {import('next').NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
  // Packages resolve from the repository's node_modules, two folders up.
  turbopack: { root: repoRoot },
  outputFileTracingRoot: repoRoot,
};

export default nextConfig;
