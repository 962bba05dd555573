import { defineConfig } from 'prisma/config';

// Prisma 7 reads the connection here, not from schema.prisma, and does not load .env.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations', seed: 'tsx --conditions=react-server prisma/seed.ts' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://localhost:5432/accord' },
});
