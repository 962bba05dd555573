'use client';

import { zodResolver } from '@hookform/resolvers/zod';
import { useTranslations } from 'next-intl';
import { useState, useTransition } from 'react';
import { useForm } from 'react-hook-form';
import { StepUpPanel } from '@/components/step-up';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { TextField } from '@/components/ui/text-field';
import { callAction, useActionMessages } from '@/components/use-action-messages';
import { RequestEmailChangeSchema, type RequestEmailChangeInput } from '@/lib/validation/email-change';
import { VerifyCodeSchema, type VerifyCodeInput } from '@/lib/validation/sign-in';
import { cancelEmailChangeAction, confirmEmailChangeCodeAction, requestEmailChangeAction } from './actions';

type Props = { email: string; verified: boolean; provenance: string; pendingEmail: string | null; hasPasskey: boolean };

/**
 * Changing the sign-in address: step-up, then the new address proves itself
 * (link or code); until then the current address stays the sign-in.
 */
export function EmailSection({ email, verified, provenance, pendingEmail, hasPasskey }: Props) {
  const t = useTranslations('emailChange');
  const tr = useActionMessages();
  const [pending, startTransition] = useTransition();
  const [changing, setChanging] = useState(false);
  const [stepUp, setStepUp] = useState(false);
  const [notice, setNotice] = useState<{ tone: 'error' | 'success'; text: string } | null>(null);
  const [codeValues, setCodeValues] = useState<Record<string, string | number> | undefined>();
  const requestForm = useForm<RequestEmailChangeInput>({ resolver: zodResolver(RequestEmailChangeSchema), defaultValues: { newEmail: '' } });
  const codeForm = useForm<VerifyCodeInput>({ resolver: zodResolver(VerifyCodeSchema), defaultValues: { code: '' } });

  const sendRequest = (values: RequestEmailChangeInput) =>
    startTransition(async () => {
      setNotice(null);
      const result = await callAction(() => requestEmailChangeAction(values));
      if (result.ok) {
        setChanging(false);
        requestForm.reset({ newEmail: '' });
        return;
      }
      if (result.stepUp) return setStepUp(true);
      if (result.fieldErrors?.newEmail) requestForm.setError('newEmail', { message: result.fieldErrors.newEmail }, { shouldFocus: true });
      if (result.message) setNotice({ tone: 'error', text: tr(result.message, result.values) });
    });

  const confirm = codeForm.handleSubmit((values) =>
    startTransition(async () => {
      setNotice(null);
      const result = await callAction(() => confirmEmailChangeCodeAction(values));
      if (result.ok) {
        codeForm.reset({ code: '' });
        setNotice({ tone: 'success', text: t('done', { email: pendingEmail ?? '' }) });
        return;
      }
      setCodeValues(result.values);
      if (result.fieldErrors?.code) codeForm.setError('code', { message: result.fieldErrors.code }, { shouldFocus: true });
      if (result.message) setNotice({ tone: 'error', text: tr(result.message, result.values) });
    }),
  );

  const cancel = () =>
    startTransition(async () => {
      const result = await callAction(() => cancelEmailChangeAction());
      setNotice(result.ok ? { tone: 'success', text: t('cancelled', { email }) } : { tone: 'error', text: tr(result.message ?? 'common.genericError') });
    });

  const codeError = codeForm.formState.errors.code?.message;
  const newEmailError = requestForm.formState.errors.newEmail?.message;

  return (
    <div className="flex flex-col gap-4">
      <p>
        {t('current', { email })}{' '}
        {verified && <span className="ml-1 rounded-full bg-green-100 px-2 py-0.5 text-xs font-semibold text-green-900">{t('verified')}</span>}
      </p>
      <p className="-mt-3 text-sm text-muted">{provenance}</p>
      <div aria-live="polite">{notice && <Alert tone={notice.tone}>{notice.text}</Alert>}</div>

      {pendingEmail ? (
        <form method="post" onSubmit={confirm} noValidate className="flex flex-col gap-4 rounded-xl bg-white p-5 ring-1 ring-slate-200">
          <p>{t('pending', { email: pendingEmail })}</p>
          <TextField
            id="email-change-code"
            label={t('codeLabel')}
            inputMode="numeric"
            autoComplete="one-time-code"
            className="font-mono tracking-[0.3em]"
            error={codeError ? tr(codeError, codeValues) : undefined}
            {...codeForm.register('code')}
          />
          <div className="flex flex-wrap gap-3">
            <Button type="submit" pending={pending} pendingLabel={t('confirming')}>
              {t('confirm')}
            </Button>
            <Button type="button" variant="secondary" onClick={cancel} disabled={pending}>
              {t('cancelChange')}
            </Button>
          </div>
        </form>
      ) : stepUp ? (
        <StepUpPanel
          hasPasskey={hasPasskey}
          onCancel={() => setStepUp(false)}
          onVerified={() => {
            setStepUp(false);
            sendRequest(requestForm.getValues());
          }}
        />
      ) : changing ? (
        <form method="post" onSubmit={requestForm.handleSubmit(sendRequest)} noValidate className="flex flex-col gap-4 rounded-xl bg-white p-5 ring-1 ring-slate-200">
          <TextField
            id="newEmail"
            type="email"
            label={t('newEmailLabel')}
            hint={t('newEmailHint')}
            autoComplete="email"
            error={newEmailError ? tr(newEmailError) : undefined}
            {...requestForm.register('newEmail')}
          />
          <div className="flex flex-wrap gap-3">
            <Button type="submit" pending={pending} pendingLabel={t('sending')}>
              {t('send')}
            </Button>
            <Button type="button" variant="secondary" onClick={() => setChanging(false)}>
              {t('cancel')}
            </Button>
          </div>
        </form>
      ) : (
        <div>
          <Button type="button" variant="secondary" onClick={() => setChanging(true)}>
            {t('change')}
          </Button>
        </div>
      )}
    </div>
  );
}
