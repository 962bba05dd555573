'use client';

import { zodResolver } from '@hookform/resolvers/zod';
import { useRouter } from 'next/navigation';
import { useState, useTransition } from 'react';
import { useForm, useWatch } from 'react-hook-form';

import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { TextField } from '@/components/ui/text-field';
import { callAction, useActionMessages } from '@/components/use-action-messages';
import { useTranslations } from '@/lib/i18n/client';
import { APP_SCOPES, AppInputSchema, type AppInput } from '@/lib/validation/app';

import { createAppAction } from '../actions';
import { CheckboxGroup } from '../checkbox-group';
import { SecretDialog } from '../dialogs';
import { SignInFields, type SignInForm } from '../sign-in-fields';

type Props = { purposes: Array<{ key: string; title: string }>; fields: string[] };

type Created = { clientId: string; clientSecret: string; webhookSecret: string | null };

const FORM_FIELDS = [
  'name',
  'description',
  'purposes',
  'fields',
  'scopes',
  'webhook',
  'redirectUris',
  'postLogoutRedirectUris',
  'clientType',
  'oidcScopes',
  'requiredClaims',
  'optionalClaims',
  'backchannelLogoutUri',
] as const;

/** Registers an app (name, purposes, what it reads for which purpose, scopes, webhook); its secrets are shown once. */
export function NewAppForm({ purposes, fields }: Props) {
  const t = useTranslations('console.apps.form');
  const tr = useActionMessages();
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [notice, setNotice] = useState<string | null>(null);
  const [created, setCreated] = useState<Created | null>(null);
  const form = useForm<AppInput>({
    resolver: zodResolver(AppInputSchema),
    defaultValues: {
      name: '',
      description: '',
      purposes: ['terms-of-service'],
      fields: [],
      scopes: ['customers:read'],
      redirectUris: [],
      postLogoutRedirectUris: [],
      clientType: 'confidential',
      oidcScopes: [],
      requiredClaims: [],
      optionalClaims: [],
    },
  });
  const { errors } = form.formState;
  const declared = new Set([useWatch({ control: form.control, name: 'purposes' })].flat());
  const error = (key?: string, values?: Record<string, string>) => (key ? tr(key, values) : undefined);
  const [serverValues, setServerValues] = useState<Record<string, string>>({});

  const onSubmit = form.handleSubmit((values) =>
    startTransition(async () => {
      setNotice(null);
      const result = await callAction(() => createAppAction(values));
      if (result.ok) {
        setCreated(result);
        return;
      }
      setServerValues((result.values ?? {}) as Record<string, string>);
      let focused = false;
      for (const [field, key] of Object.entries(result.fieldErrors ?? {})) {
        if (!(FORM_FIELDS as readonly string[]).includes(field)) continue;
        form.setError(field as (typeof FORM_FIELDS)[number], { message: key }, { shouldFocus: !focused });
        focused = true;
      }
      if (result.message || !focused) setNotice(tr(result.message ?? 'common.genericError', result.values));
    }),
  );

  const checkbox = 'size-5 rounded border-slate-400 accent-brand';

  return (
    <>
      <form method="post" onSubmit={onSubmit} noValidate className="flex flex-col gap-6" aria-label={t('title')}>
        <div aria-live="polite">{notice && <Alert tone="error">{notice}</Alert>}</div>
        <TextField
          id="name"
          label={t('name')}
          hint={t('nameHint')}
          autoComplete="off"
          error={error(errors.name?.message, serverValues)}
          {...form.register('name')}
        />
        <div className="flex flex-col gap-1.5">
          <label htmlFor="description" className="font-medium">
            {t('description')}
          </label>
          <textarea
            id="description"
            rows={3}
            aria-invalid={errors.description ? true : undefined}
            aria-describedby={errors.description ? 'description-error' : undefined}
            className="rounded-lg border border-slate-400 bg-white px-3 py-2 text-base aria-[invalid=true]:border-red-700"
            {...form.register('description')}
          />
          {errors.description?.message && (
            <p id="description-error" className="text-sm font-medium text-red-700">
              {tr(errors.description.message)}
            </p>
          )}
        </div>
        <CheckboxGroup
          id="purposes"
          legend={t('purposes')}
          hint={t('purposesHint')}
          error={error(errors.purposes?.message, serverValues)}
        >
          {purposes.map((p) => (
            <label key={p.key} className="flex items-center gap-2">
              <input type="checkbox" value={p.key} className={checkbox} {...form.register('purposes')} />
              {p.title}
            </label>
          ))}
        </CheckboxGroup>
        <CheckboxGroup
          id="fields"
          legend={t('fields')}
          hint={t('fieldsHint')}
          error={error(errors.fields?.message, serverValues)}
        >
          <div className="overflow-x-auto">
            <table className="text-sm">
              <thead>
                <tr>
                  <td />
                  {purposes.map((p) => (
                    <th key={p.key} scope="col" className="px-2 py-1 text-left font-medium">
                      {p.title}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {fields.map((field) => (
                  <tr key={field}>
                    <th scope="row" className="py-1 pr-3 text-left font-medium">
                      {t(`fieldNames.${field as 'name'}`)}
                    </th>
                    {purposes.map((p) => (
                      <td key={p.key} className="px-2 py-1">
                        <input
                          type="checkbox"
                          value={`${field}:${p.key}`}
                          disabled={!declared.has(p.key)}
                          aria-label={t('fieldFor', {
                            field: t(`fieldNames.${field as 'name'}`),
                            purpose: p.title,
                          })}
                          className={checkbox}
                          {...form.register('fields')}
                        />
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </CheckboxGroup>
        <CheckboxGroup id="scopes" legend={t('scopes')} error={error(errors.scopes?.message)}>
          {APP_SCOPES.map((scope) => (
            <label key={scope} className="flex items-center gap-2">
              <input type="checkbox" value={scope} className={checkbox} {...form.register('scopes')} />
              <span>
                <span className="font-mono">{scope}</span> · {t(`scopeNames.${scope}`)}
              </span>
            </label>
          ))}
        </CheckboxGroup>
        <TextField
          id="webhook"
          type="url"
          label={t('webhook')}
          hint={t('webhookHint')}
          autoComplete="off"
          error={error(errors.webhook?.message)}
          {...form.register('webhook', { setValueAs: (v: string) => (v === '' ? undefined : v) })}
        />
        <SignInFields form={form as unknown as SignInForm} error={(key) => error(key, serverValues)} />
        <div>
          <Button type="submit" pending={pending} pendingLabel={t('creating')}>
            {t('submit')}
          </Button>
        </div>
      </form>
      {created && (
        <SecretDialog
          title={t('created')}
          secrets={[
            { label: t('clientId'), value: created.clientId },
            { label: t('clientSecret'), value: created.clientSecret },
            ...(created.webhookSecret ? [{ label: t('webhookSecret'), value: created.webhookSecret }] : []),
          ]}
          onClose={() => {
            const { clientId } = created;
            setCreated(null);
            router.push(`/console/apps/${clientId}`);
          }}
        />
      )}
    </>
  );
}
