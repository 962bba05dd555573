// Next.js takes the proxy (middleware) of the Turbopack root, which for this
// app is the repository, unless the app has its own: this one matches no
// request, so the bare app runs no proxy at all.
import { NextResponse } from 'next/server';

export function proxy() {
  return NextResponse.next();
}

export const config = { matcher: '/__bench-baseline-runs-no-proxy' };
