import { getTranslations } from 'next-intl/server';

import { Alert } from '@/components/ui/alert';
import { SubmitButton } from '@/components/ui/button';
import { listOidcProviders } from '@/server/identity/oidc';

import { oidcSignInAction } from './oidc-actions';

/** "Sign in with …", one plain form per configured provider: works without JavaScript. */
export async function OidcButtons({ returnTo }: { returnTo?: string }) {
  const providers = listOidcProviders();
  if (providers.length === 0) return null;
  const t = await getTranslations('oidc');
  return (
    <div className="mt-6 flex flex-col gap-3">
      <div className="flex items-center gap-3 text-sm text-muted" aria-hidden="true">
        <span className="h-px flex-1 bg-slate-200" />
        {t('or')}
        <span className="h-px flex-1 bg-slate-200" />
      </div>
      {providers.map((p) => (
        <form key={p.id} action={oidcSignInAction}>
          <input type="hidden" name="provider" value={p.id} />
          {returnTo && <input type="hidden" name="returnTo" value={returnTo} />}
          <SubmitButton variant="secondary" className="w-full" pendingLabel={t('redirecting', { provider: p.name })}>
            {t('signInWith', { provider: p.name })}
          </SubmitButton>
        </form>
      ))}
    </div>
  );
}

// The `error` Auth.js (pages.error) or server/identity/oidc.ts puts on /signin, and the message for it.
const ERROR_MESSAGES: Record<string, string> = {
  'oidc-email-unverified': 'emailUnverified',
  'oidc-email-missing': 'emailMissing',
  'oidc-link-expired': 'linkExpired',
  'oidc-unavailable': 'unavailable',
  OAuthCallbackError: 'providerError',
  AccessDenied: 'refused',
  OAuthAccountNotLinked: 'refused',
};

/**
 * Why a third-party sign-in did not happen. Anything else Auth.js reports (a
 * state, PKCE or nonce check that failed, a replayed answer) is the same for
 * the customer: nothing happened, start again.
 */
export async function OidcError({ error, provider }: { error?: string; provider?: string }) {
  if (!error) return null;
  const t = await getTranslations('oidc');
  const name = listOidcProviders().find((p) => p.id === provider)?.name ?? t('someProvider');
  return (
    <div className="mb-6">
      <Alert tone="error">{t(`errors.${ERROR_MESSAGES[error] ?? 'failed'}`, { provider: name })}</Alert>
    </div>
  );
}
