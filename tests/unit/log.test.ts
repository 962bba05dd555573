import { redirect } from 'next/navigation';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { answerOrProblem } from '@/server/platform/errors';
import { errorMessage, getLogger, routeTemplate } from '@/server/platform/log';

describe('routes as logged', () => {
  it('drops the query string and fragment', () => {
    expect(routeTemplate('/api/auth/callback/email?token=abc123&email=ana%40example.com')).toBe(
      '/api/auth/callback/email',
    );
    expect(routeTemplate('/signin#code=123456')).toBe('/signin');
    expect(routeTemplate(undefined)).toBe('/');
  });

  it('replaces ids, numbers, emails and tokens with :id, keeps words', () => {
    expect(routeTemplate('/api/v1/customers/0b6f1c7e-8a55-4a8e-9d5e-2f1a3c4b5d6e/consents')).toBe(
      '/api/v1/customers/:id/consents',
    );
    expect(routeTemplate('/console/webhooks/12345')).toBe('/console/webhooks/:id');
    expect(routeTemplate('/dev/mailbox/ana%40example.com')).toBe('/dev/mailbox/:id');
    expect(routeTemplate('/email/revert/Xk3pQ9zLm2Rt8vWy1aBc')).toBe('/email/revert/:id');
    expect(routeTemplate('/account/security-events')).toBe('/account/security-events');
    expect(routeTemplate('/_next/static/chunks/app-layout.js')).toBe('/_next/static/chunks/app-layout.js');
  });
});

describe('error messages as logged', () => {
  it('masks email addresses that SMTP servers and drivers quote', () => {
    expect(
      errorMessage(
        new Error("Can't send mail - all recipients were rejected: 550 5.1.1 <ana.b+x@example.com>: unknown"),
      ),
    ).toBe("Can't send mail - all recipients were rejected: 550 5.1.1 <<email>>: unknown");
    expect(errorMessage('Key (email)=(bob@example.org) already exists.')).toBe('Key (email)=(<email>) already exists.');
  });
});

describe('unexpected errors in route handlers', () => {
  afterEach(() => vi.restoreAllMocks());

  it('become a 500 problem whose errorId is the request id, also on the one log line', async () => {
    const logged = vi.spyOn(getLogger(), 'error').mockImplementation(() => {});
    const request = new Request('http://localhost/account/privacy/export?x=1', {
      headers: { 'x-request-id': 'req-0123456789' },
    });
    const response = await answerOrProblem(request, async () => {
      throw new Error('customer ana@example.com broke it');
    });
    expect(response.status).toBe(500);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(await response.json()).toEqual({
      type: 'about:blank',
      title: 'Internal error',
      status: 500,
      instance: '/account/privacy/export',
      errorId: 'req-0123456789',
    });
    expect(logged).toHaveBeenCalledOnce();
    expect(logged.mock.calls[0]![0]).toMatchObject({ errorId: 'req-0123456789', route: '/account/privacy/export' });
  });

  it("let Next's redirects through", async () => {
    await expect(
      answerOrProblem(new Request('http://localhost/x'), async () => redirect('/signin')),
    ).rejects.toMatchObject({ digest: expect.stringContaining('NEXT_REDIRECT') });
  });
});
