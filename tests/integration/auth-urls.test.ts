import { NextRequest } from 'next/server';
import { describe, expect, it, vi } from 'vitest';

import { requestSignInAction } from '@/app/(auth)/signin/actions';
import { CLIENT_IP_HEADER } from '@/lib/client-ip-header';
import { handlers } from '@/server/identity/auth';
import { getEnv } from '@/server/platform/env';

import { latestSignInMail, uniqueEmail, uniqueIp } from './helpers';

// What a client can put in a request's host headers; only a trusted proxy's
// X-Forwarded-Host reaches the app (scripts/client-address.ts), the Host always does.
const forged = { host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' };
const ip = uniqueIp();

vi.mock('next/headers', async (importOriginal) => {
  const { RequestCookies } = await import('next/dist/server/web/spec-extension/cookies');
  const jar = new RequestCookies(new Headers());
  return {
    ...(await importOriginal<typeof import('next/headers')>()),
    cookies: async () => jar,
    headers: async () => new Headers({ ...forged, [CLIENT_IP_HEADER]: ip, 'user-agent': 'vitest' }),
  };
});
vi.mock('next-intl/server', () => ({ getLocale: async () => 'en' }));
vi.mock('next/navigation', async (importOriginal) => ({
  ...(await importOriginal<typeof import('next/navigation')>()),
  redirect: (path: string) => {
    throw new Error(`redirect ${path}`);
  },
}));

describe('URLs come from APP_URL only, whatever the Host or X-Forwarded-Host', () => {
  it('puts APP_URL in the sign-in mail of a request with a forged host', async () => {
    const email = uniqueEmail('forged-host');
    await expect(requestSignInAction({ email })).rejects.toThrow('redirect /signin/code');
    const mail = await latestSignInMail(email);
    expect(mail.text).toContain(`${getEnv().APP_URL}/signin/confirm?token=${mail.token}`);
    expect(mail.text + mail.html).not.toContain('evil.example');
  });

  it("builds Auth.js's redirects from APP_URL", async () => {
    const response = await handlers.GET(new NextRequest('http://evil.example/api/auth/signin', { headers: forged }));
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('location')!, getEnv().APP_URL);
    expect(location.searchParams.get('callbackUrl')).toBe(getEnv().APP_URL);
    const signOutPage = await handlers.GET(
      new NextRequest('http://evil.example/api/auth/signout', { headers: forged }),
    );
    expect(await signOutPage.text()).not.toContain('evil.example');
  });
});
