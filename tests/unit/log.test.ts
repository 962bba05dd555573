import { describe, expect, it } from 'vitest';

import { routeTemplate } from '@/server/platform/log';

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
