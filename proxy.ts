import { NextResponse, type NextRequest } from 'next/server';

import { wellFormedActionReply } from '@/lib/action-reply';
import { SESSION_COOKIE, STAFF_SESSION_COOKIE } from '@/server/platform/cookies';

// Early, cheap work only: each page's CSP nonce, the Origin check on form posts and
// an early redirect. Every page, action and route checks the session again
// itself (server/identity/auth.ts requireCustomer); this file is never the only guard.
// proxy.ts runs apart from server/, so it reads the few variables it needs
// itself; server/platform/env.ts validates them at start-up. From server/ it takes
// only the session cookies' names: any of them (http, https, the https name before
// ADR 020) is worth letting through to the page's own check.

const SESSION_COOKIES = Object.values(SESSION_COOKIE);
const STAFF_SESSION_COOKIES = Object.values(STAFF_SESSION_COOKIE);
/** The console's pages for members not signed in (docs/decisions/033-staff-console.md). */
const CONSOLE_PUBLIC = ['/console/signin', '/console/invitation'];
const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const production = process.env.NODE_ENV === 'production';

/** Origins of the configured OpenID providers: the sign-in form posts lead there. */
const oidcOrigins = Object.entries(process.env)
  .filter(([key, value]) => /^AUTH_OIDC_[A-Z0-9_]+_ISSUER$/.test(key) && value)
  .flatMap(([, value]) => {
    try {
      return [new URL(value!).origin];
    } catch {
      return [];
    }
  });

function contentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'self'",
    // Only scripts carrying this response's nonce, and what they load ('strict-dynamic').
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${production ? '' : " 'unsafe-eval'"}`,
    // Inline styles only (React style attributes, mail previews); never inline scripts.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    `form-action 'self' ${oidcOrigins.join(' ')}`.trim(),
    "frame-ancestors 'none'",
    // The dev mailbox shows each mail in a sandboxed srcdoc frame.
    "frame-src 'self'",
    ...(production && process.env.APP_URL?.startsWith('https://') ? ['upgrade-insecure-requests'] : []),
  ].join('; ');
}

// The other security headers are static: next.config.mjs sets them on every
// response, this file's included.
function withSecurityHeaders(response: NextResponse, csp: string): NextResponse {
  response.headers.set('Content-Security-Policy', csp);
  return response;
}

function allowedOrigins(request: NextRequest): Set<string> {
  const origins = new Set<string>([request.nextUrl.origin]);
  const appUrl = process.env.APP_URL;
  if (appUrl) origins.add(new URL(appUrl).origin);
  return origins;
}

/** 400 before any action runs (server actions live on pages: never under /api/). */
function badRequest(detail: string, csp: string): NextResponse {
  return withSecurityHeaders(
    new NextResponse(`Bad request: ${detail}`, {
      status: 400,
      headers: { 'Content-Type': 'text/plain; charset=utf-8' },
    }),
    csp,
  );
}

/** A server action call Next.js could not decode (lib/action-reply.ts). */
async function malformedActionCall(request: NextRequest): Promise<boolean> {
  if (request.method !== 'POST' || !request.headers.has('next-action')) return false;
  try {
    if (!(request.headers.get('content-type') ?? '').startsWith('multipart/form-data'))
      return !wellFormedActionReply(await request.clone().text(), false);
    // React's decoder fails on a second "0" field too.
    const roots = (await request.clone().formData()).getAll('0');
    const [root] = roots;
    return roots.length !== 1 || typeof root !== 'string' || !wellFormedActionReply(root, true);
  } catch {
    return true;
  }
}

export async function proxy(request: NextRequest) {
  const { pathname } = request.nextUrl;
  const nonce = Buffer.from(crypto.randomUUID()).toString('base64');
  const csp = contentSecurityPolicy(nonce);

  // Cross-site request forgery on server actions and form posts: the browser
  // always sends Origin on these; a missing or foreign one is refused with 403
  // before any action runs. /api/ routes authenticate with their own means.
  if (UNSAFE_METHODS.has(request.method) && !pathname.startsWith('/api/')) {
    const origin = request.headers.get('origin');
    if (!origin || !allowedOrigins(request).has(origin)) {
      return withSecurityHeaders(
        new NextResponse('Forbidden: this request did not come from this site.', {
          status: 403,
          headers: { 'Content-Type': 'text/plain; charset=utf-8' },
        }),
        csp,
      );
    }
  }

  if (await malformedActionCall(request)) return badRequest('this form submission is malformed.', csp);

  if (pathname === '/account' || pathname.startsWith('/account/')) {
    const hasSession = SESSION_COOKIES.some((name) => request.cookies.has(name));
    if (!hasSession) {
      const url = new URL('/signin', request.url);
      url.searchParams.set('callbackUrl', pathname);
      return withSecurityHeaders(NextResponse.redirect(url), csp);
    }
  }

  const inConsole = pathname === '/console' || pathname.startsWith('/console/');
  if (inConsole && !CONSOLE_PUBLIC.some((p) => pathname === p || pathname.startsWith(`${p}/`))) {
    if (!STAFF_SESSION_COOKIES.some((name) => request.cookies.has(name))) {
      const url = new URL('/console/signin', request.url);
      if (pathname !== '/console') url.searchParams.set('next', pathname);
      return withSecurityHeaders(NextResponse.redirect(url), csp);
    }
  }

  // Next.js reads the nonce from the request's CSP header and puts it on its own scripts.
  const headers = new Headers(request.headers);
  headers.set('x-nonce', nonce);
  headers.set('Content-Security-Policy', csp);
  // The account and console layouts read this to send an ended session back here after sign-in.
  headers.set('x-accord-path', pathname);
  return withSecurityHeaders(NextResponse.next({ request: { headers } }), csp);
}

export const config = {
  // Not /api/: route handlers send no HTML, so need no nonce; they authenticate
  // with their own means (tokens, Auth.js's CSRF check) and skip the Origin
  // check above anyway. Their static headers, CSP included, come from
  // next.config.mjs, without the cost of running this file on every API request.
  matcher: ['/((?!api/|_next/static|_next/image|brand/|favicon.ico).*)'],
};
