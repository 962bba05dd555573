'use client';

import type { UseFormReturn } from 'react-hook-form';

import { TextField } from '@/components/ui/text-field';
import { useTranslations } from '@/lib/i18n/client';
import { OIDC_CLAIMS, OIDC_SCOPES } from '@/lib/oidc/claims';
import { APP_CLIENT_TYPES, type AppSignInInput } from '@/lib/validation/app';

import { CheckboxGroup } from './checkbox-group';

/** The sign-in settings of the new-app form and of an app's page. */
export type SignInForm = UseFormReturn<Omit<AppSignInInput, 'clientId'>>;

/** One URI a line (or comma-separated), as the schema's lists take them. */
const uriLines = (value: unknown) =>
  typeof value === 'string' ? value.split(/[\s,]+/).filter(Boolean) : (value as string[]);

/** A textarea of URIs, one a line. */
function UriList({
  id,
  label,
  hint,
  error,
  ...field
}: { id: string; label: string; hint: string; error?: string } & ReturnType<SignInForm['register']>) {
  return (
    <div className="flex flex-col gap-1.5">
      <label htmlFor={id} className="font-medium">
        {label}
      </label>
      <p id={`${id}-hint`} className="text-sm text-muted">
        {hint}
      </p>
      <textarea
        id={id}
        rows={2}
        spellCheck={false}
        autoComplete="off"
        aria-invalid={error ? true : undefined}
        aria-describedby={[`${id}-hint`, error && `${id}-error`].filter(Boolean).join(' ')}
        className="rounded-lg border border-slate-400 bg-white px-3 py-2 font-mono text-sm aria-[invalid=true]:border-red-700"
        {...field}
      />
      {error && (
        <p id={`${id}-error`} className="text-sm font-medium text-red-700">
          {error}
        </p>
      )}
    </div>
  );
}

/** Redirect and post-logout URIs, client type, scopes, required and optional claims, back-channel logout URL. */
export function SignInFields({ form, error }: { form: SignInForm; error: (key?: string) => string | undefined }) {
  const t = useTranslations('console.apps.form');
  const { errors } = form.formState;
  const checkbox = 'size-5 rounded border-slate-400 accent-brand';
  return (
    <fieldset className="flex flex-col gap-6 rounded-xl p-4 ring-1 ring-slate-200" aria-describedby="sign-in-hint">
      <legend className="px-1 text-lg font-semibold">{t('signIn.title')}</legend>
      <p id="sign-in-hint" className="-mt-2 text-sm text-muted">
        {t('signIn.intro')}
      </p>
      <UriList
        id="redirectUris"
        label={t('signIn.redirectUris')}
        hint={t('signIn.redirectUrisHint')}
        error={error(errors.redirectUris?.message)}
        {...form.register('redirectUris', { setValueAs: uriLines })}
      />
      <UriList
        id="postLogoutRedirectUris"
        label={t('signIn.postLogoutRedirectUris')}
        hint={t('signIn.postLogoutRedirectUrisHint')}
        error={error(errors.postLogoutRedirectUris?.message)}
        {...form.register('postLogoutRedirectUris', { setValueAs: uriLines })}
      />
      <CheckboxGroup id="clientType" legend={t('signIn.clientType')} error={error(errors.clientType?.message)}>
        {APP_CLIENT_TYPES.map((type) => (
          <label key={type} className="flex items-center gap-2">
            <input type="radio" value={type} className={checkbox} {...form.register('clientType')} />
            {t(`signIn.clientTypes.${type}`)}
          </label>
        ))}
      </CheckboxGroup>
      <CheckboxGroup
        id="oidcScopes"
        legend={t('signIn.oidcScopes')}
        hint={t('signIn.oidcScopesHint')}
        error={error(errors.oidcScopes?.message)}
      >
        {OIDC_SCOPES.map((scope) => (
          <label key={scope} className="flex items-center gap-2">
            <input type="checkbox" value={scope} className={checkbox} {...form.register('oidcScopes')} />
            <span className="font-mono">{scope}</span>
          </label>
        ))}
      </CheckboxGroup>
      {(['requiredClaims', 'optionalClaims'] as const).map((key) => (
        <CheckboxGroup
          key={key}
          id={key}
          legend={t(`signIn.${key}`)}
          hint={t(`signIn.${key}Hint`)}
          error={error(errors[key]?.message)}
        >
          <div className="grid gap-2 sm:grid-cols-2">
            {OIDC_CLAIMS.map((claim) => (
              <label key={claim} className="flex items-center gap-2">
                <input type="checkbox" value={claim} className={checkbox} {...form.register(key)} />
                <span className="font-mono">{claim}</span>
              </label>
            ))}
          </div>
        </CheckboxGroup>
      ))}
      <TextField
        id="backchannelLogoutUri"
        type="url"
        label={t('signIn.backchannelLogoutUri')}
        hint={t('signIn.backchannelLogoutUriHint')}
        autoComplete="off"
        error={error(errors.backchannelLogoutUri?.message)}
        {...form.register('backchannelLogoutUri', { setValueAs: (v: string) => (v === '' ? undefined : v) })}
      />
    </fieldset>
  );
}
