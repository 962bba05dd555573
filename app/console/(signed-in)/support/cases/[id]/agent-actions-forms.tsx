'use client';

import { zodResolver } from '@hookform/resolvers/zod';
import { useRouter } from 'next/navigation';
import { useState, useTransition, type ReactNode } from 'react';
import { useForm, type FieldValues, type Path, type UseFormReturn } from 'react-hook-form';

import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { SelectField } from '@/components/ui/select-field';
import { TextField } from '@/components/ui/text-field';
import { callAction, useActionMessages } from '@/components/use-action-messages';
import type { ActionResult } from '@/lib/action-result';
import { useTranslations } from '@/lib/i18n/client';
import { ADDRESS_KINDS, ADDRESS_LINE_MAX_LENGTH } from '@/lib/validation/address';
import { EMAIL_MAX_LENGTH } from '@/lib/validation/email';
import {
  AgreementSchema,
  SupportConsentSchema,
  SupportEmailChangeSchema,
  SupportFixAddressSchema,
} from '@/lib/validation/support-actions';

import {
  endAllSessionsAction,
  fixAddressAction,
  recordConsentAction,
  resendEmailChangeAction,
  startEmailChangeAction,
} from './agent-actions-server';

type Option = { value: string; label: string };

/**
 * One action: its fields, the customer's agreement (required), a button; the
 * outcome is announced. Field errors from the server land on their fields.
 */
function ActionForm<T extends FieldValues & { agreed: boolean }>({
  id,
  title,
  intro,
  button,
  done,
  schema,
  defaultValues,
  run,
  fields,
}: {
  id: string;
  title: string;
  intro: string;
  button: string;
  done: string;
  schema: Parameters<typeof zodResolver>[0];
  defaultValues: T;
  run: (values: T) => Promise<ActionResult>;
  fields?: (form: UseFormReturn<T>, error: (name: string) => string | undefined) => ReactNode;
}) {
  const t = useTranslations('console.support.actions');
  const tr = useActionMessages();
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [outcome, setOutcome] = useState<{ tone: 'success' | 'error'; text: string } | null>(null);
  const form = useForm<T>({ resolver: zodResolver(schema) as never, defaultValues: defaultValues as never });
  const errors = form.formState.errors as Record<string, { message?: string } | Record<string, { message?: string }>>;
  const error = (name: string): string | undefined => {
    const [head, tail] = name.split('.');
    const entry = errors[head!] as Record<string, unknown> | undefined;
    const message = (tail ? (entry?.[tail] as { message?: string } | undefined)?.message : entry?.message) as
      string | undefined;
    return message ? tr(message) : undefined;
  };

  const submit = (values: T) =>
    startTransition(async () => {
      setOutcome(null);
      const result = await callAction(() => run(values));
      if (result.ok) {
        form.reset(defaultValues as never);
        setOutcome({ tone: 'success', text: done });
        router.refresh();
        return;
      }
      for (const [field, key] of Object.entries(result.fieldErrors ?? {}))
        form.setError(field as Path<T>, { message: key }, { shouldFocus: true });
      if (result.message) setOutcome({ tone: 'error', text: tr(result.message, result.values) });
    });

  return (
    <section aria-labelledby={`${id}-title`} className="flex flex-col gap-3 rounded-lg border border-slate-300 p-4">
      <h3 id={`${id}-title`} className="text-lg font-semibold">
        {title}
      </h3>
      <p className="text-sm text-muted">{intro}</p>
      <form method="post" onSubmit={form.handleSubmit(submit)} noValidate className="flex max-w-xl flex-col gap-4">
        <div aria-live="polite">{outcome && <Alert tone={outcome.tone}>{outcome.text}</Alert>}</div>
        {fields?.(form, error)}
        <div className="flex flex-col gap-1">
          <label className="flex items-center gap-2 font-medium">
            <input
              type="checkbox"
              className="size-5"
              aria-invalid={error('agreed') ? true : undefined}
              aria-describedby={error('agreed') ? `${id}-agreed-error` : undefined}
              {...form.register('agreed' as Path<T>)}
            />
            {t('agreement')}
          </label>
          {error('agreed') && (
            <p id={`${id}-agreed-error`} className="text-sm font-medium text-red-700">
              {error('agreed')}
            </p>
          )}
        </div>
        <div>
          <Button type="submit" pending={pending} pendingLabel={t('working')}>
            {button}
          </Button>
        </div>
      </form>
    </section>
  );
}

export function AgentActionForms({
  caseId,
  countries,
  purposes,
}: {
  caseId: string;
  countries: Option[];
  purposes: Option[];
}) {
  const t = useTranslations('console.support.actions');
  return (
    <div className="flex flex-col gap-4">
      <ActionForm
        id="support-resend"
        title={t('resend.title')}
        intro={t('resend.intro')}
        button={t('resend.button')}
        done={t('resend.done')}
        schema={AgreementSchema}
        defaultValues={{ agreed: false }}
        run={(values) => resendEmailChangeAction(caseId, values)}
      />
      <ActionForm
        id="support-end-sessions"
        title={t('endSessions.title')}
        intro={t('endSessions.intro')}
        button={t('endSessions.button')}
        done={t('endSessions.done')}
        schema={AgreementSchema}
        defaultValues={{ agreed: false }}
        run={(values) => endAllSessionsAction(caseId, values)}
      />
      <ActionForm
        id="support-address"
        title={t('fixAddress.title')}
        intro={t('fixAddress.intro')}
        button={t('fixAddress.button')}
        done={t('fixAddress.done')}
        schema={SupportFixAddressSchema}
        defaultValues={{
          agreed: false,
          kind: 'home',
          address: { country: countries[0]?.value ?? 'FR', line1: '', line2: '', postalCode: '', city: '' },
        }}
        run={(values) => fixAddressAction(caseId, values)}
        fields={(form, error) => (
          <>
            <SelectField
              id="support-address-kind"
              label={t('fixAddress.kind')}
              options={ADDRESS_KINDS.map((k) => ({ value: k, label: t(`fixAddress.kinds.${k}`) }))}
              error={error('kind')}
              {...form.register('kind')}
            />
            <SelectField
              id="support-address-country"
              label={t('fixAddress.country')}
              options={countries}
              error={error('address.country')}
              {...form.register('address.country')}
            />
            <TextField
              id="support-address-line1"
              label={t('fixAddress.line1')}
              autoComplete="off"
              maxLength={ADDRESS_LINE_MAX_LENGTH * 2}
              error={error('address.line1')}
              {...form.register('address.line1')}
            />
            <TextField
              id="support-address-line2"
              label={t('fixAddress.line2')}
              autoComplete="off"
              maxLength={ADDRESS_LINE_MAX_LENGTH * 2}
              error={error('address.line2')}
              {...form.register('address.line2')}
            />
            <TextField
              id="support-address-postal-code"
              label={t('fixAddress.postalCode')}
              autoComplete="off"
              error={error('address.postalCode')}
              {...form.register('address.postalCode')}
            />
            <TextField
              id="support-address-city"
              label={t('fixAddress.city')}
              autoComplete="off"
              error={error('address.city')}
              {...form.register('address.city')}
            />
          </>
        )}
      />
      <ActionForm
        id="support-email"
        title={t('emailChange.title')}
        intro={t('emailChange.intro')}
        button={t('emailChange.button')}
        done={t('emailChange.done')}
        schema={SupportEmailChangeSchema}
        defaultValues={{ agreed: false, newEmail: '' }}
        run={(values) => startEmailChangeAction(caseId, values)}
        fields={(form, error) => (
          <TextField
            id="support-email-new"
            type="email"
            label={t('emailChange.newEmail')}
            autoComplete="off"
            maxLength={EMAIL_MAX_LENGTH * 2}
            error={error('newEmail')}
            {...form.register('newEmail')}
          />
        )}
      />
      {purposes.length > 0 && (
        <ActionForm
          id="support-consent"
          title={t('consent.title')}
          intro={t('consent.intro')}
          button={t('consent.button')}
          done={t('consent.done')}
          schema={SupportConsentSchema}
          defaultValues={{ agreed: false, purposeKey: purposes[0]!.value, granted: false }}
          run={(values) => recordConsentAction(caseId, values)}
          fields={(form, error) => (
            <>
              <SelectField
                id="support-consent-purpose"
                label={t('consent.purpose')}
                options={purposes}
                error={error('purposeKey')}
                {...form.register('purposeKey')}
              />
              <SelectField
                id="support-consent-answer"
                label={t('consent.answer')}
                options={[
                  { value: 'false', label: t('consent.withdraw') },
                  { value: 'true', label: t('consent.grant') },
                ]}
                error={error('granted')}
                {...form.register('granted', { setValueAs: (v: unknown) => v === true || v === 'true' })}
              />
            </>
          )}
        />
      )}
    </div>
  );
}
