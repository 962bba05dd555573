import { NextResponse, type NextRequest } from 'next/server';

// Early, cheap checks only. Every page, action and route checks the session
// again itself (server/auth.ts requireCustomer); this file is never the only guard.

const SESSION_COOKIES = ['authjs.session-token', '__Secure-authjs.session-token'];
const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function allowedOrigins(request: NextRequest): Set<string> {
  const origins = new Set<string>([request.nextUrl.origin]);
  // proxy.ts runs apart from server/; APP_URL is validated there (server/env.ts).
  const appUrl = process.env.APP_URL;
  if (appUrl) origins.add(new URL(appUrl).origin);
  return origins;
}

export function proxy(request: NextRequest) {
  const { pathname } = request.nextUrl;

  // Cross-site request forgery on server actions and form posts: the browser
  // always sends Origin on these; a missing or foreign one is refused with 403
  // before any action runs. /api/ routes authenticate with their own means.
  if (UNSAFE_METHODS.has(request.method) && !pathname.startsWith('/api/')) {
    const origin = request.headers.get('origin');
    if (!origin || !allowedOrigins(request).has(origin)) {
      return new NextResponse('Forbidden: this request did not come from this site.', {
        status: 403,
        headers: { 'Content-Type': 'text/plain; charset=utf-8' },
      });
    }
  }

  if (pathname === '/account' || pathname.startsWith('/account/')) {
    const hasSession = SESSION_COOKIES.some((name) => request.cookies.has(name));
    if (!hasSession) {
      const url = new URL('/signin', request.url);
      url.searchParams.set('callbackUrl', pathname);
      return NextResponse.redirect(url);
    }
    // The account layout reads this to send an ended session back here after sign-in.
    const headers = new Headers(request.headers);
    headers.set('x-accord-path', pathname);
    return NextResponse.next({ request: { headers } });
  }
  return NextResponse.next();
}

export const config = {
  matcher: ['/((?!_next/static|_next/image|brand/|favicon.ico).*)'],
};
