'use client';

import { zodResolver } from '@hookform/resolvers/zod';
import { useEffect, useRef, useState, useTransition } from 'react';
import { useForm } from 'react-hook-form';

import { useStepUp } from '@/app/account/step-up';
import { Button } from '@/components/ui/button';
import { TextField } from '@/components/ui/text-field';
import { callAction, useActionMessages } from '@/components/use-action-messages';
import { useTranslations } from '@/lib/i18n/client';
import { RequestEmailChangeSchema, type RequestEmailChangeInput } from '@/lib/validation/email-change';
import { VerifyCodeSchema, type VerifyCodeInput } from '@/lib/validation/sign-in';

import { cancelEmailChangeAction, confirmEmailChangeCodeAction, requestEmailChangeAction } from './actions';

export type EmailChangeFormsProps = {
  email: string;
  pendingEmail: string | null;
  hasPasskey: boolean;
  /** Opened by the customer (Change email): the new address field takes the focus. */
  focusOnOpen: boolean;
  /** Shows (or, with null, clears) a message in the section's live region. */
  onNotice: (notice: { tone: 'error' | 'success'; text: string } | null) => void;
  /** The request is sent (the code form follows, with the page's new state), or the customer cancelled it. */
  onClose: (reason: 'sent' | 'cancelled') => void;
  /** The code proved the new address: the change is done. */
  onConfirmed: () => void;
};

/**
 * The forms of an email change, loaded when the customer opens one (or has a
 * change pending): the new address, the step-up it may need (with the passkey
 * client), and the code that proves the new address.
 */
export function EmailChangeForms({
  email,
  pendingEmail,
  hasPasskey,
  focusOnOpen,
  onNotice,
  onClose,
  onConfirmed,
}: EmailChangeFormsProps) {
  const t = useTranslations('emailChange');
  const tr = useActionMessages();
  const [pending, startTransition] = useTransition();
  const stepUp = useStepUp(hasPasskey);
  const [codeValues, setCodeValues] = useState<Record<string, string | number> | undefined>();
  const requestForm = useForm<RequestEmailChangeInput>({
    resolver: zodResolver(RequestEmailChangeSchema),
    defaultValues: { newEmail: '' },
  });
  const codeForm = useForm<VerifyCodeInput>({ resolver: zodResolver(VerifyCodeSchema), defaultValues: { code: '' } });

  // Only when the customer opens the form, not when a pending change is shown with the page.
  const focusFirst = useRef(focusOnOpen && !pendingEmail);
  useEffect(() => {
    if (!focusFirst.current) return;
    focusFirst.current = false;
    requestForm.setFocus('newEmail');
  }, [requestForm]);

  const sendRequest = (values: RequestEmailChangeInput) =>
    startTransition(async () => {
      onNotice(null);
      const result = await callAction(() => requestEmailChangeAction(values));
      if (result.ok) {
        requestForm.reset({ newEmail: '' });
        onClose('sent');
        return;
      }
      if (stepUp.needed(result, () => sendRequest(requestForm.getValues()))) return;
      if (result.fieldErrors?.newEmail)
        requestForm.setError('newEmail', { message: result.fieldErrors.newEmail }, { shouldFocus: true });
      if (result.message) onNotice({ tone: 'error', text: tr(result.message, result.values) });
    });

  const confirm = codeForm.handleSubmit((values) =>
    startTransition(async () => {
      onNotice(null);
      const result = await callAction(() => confirmEmailChangeCodeAction(values));
      if (result.ok) {
        codeForm.reset({ code: '' });
        onNotice({ tone: 'success', text: t('done', { email: pendingEmail ?? '' }) });
        onConfirmed();
        return;
      }
      setCodeValues(result.values);
      if (result.fieldErrors?.code)
        codeForm.setError('code', { message: result.fieldErrors.code }, { shouldFocus: true });
      if (result.message) onNotice({ tone: 'error', text: tr(result.message, result.values) });
    }),
  );

  const cancel = () =>
    startTransition(async () => {
      const result = await callAction(() => cancelEmailChangeAction());
      onNotice(
        result.ok
          ? { tone: 'success', text: t('cancelled', { email }) }
          : { tone: 'error', text: tr(result.message ?? 'common.genericError') },
      );
    });

  const codeError = codeForm.formState.errors.code?.message;
  const newEmailError = requestForm.formState.errors.newEmail?.message;

  if (pendingEmail) {
    return (
      <form
        method="post"
        onSubmit={confirm}
        noValidate
        className="flex flex-col gap-4 rounded-xl bg-white p-5 ring-1 ring-slate-200"
      >
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
    );
  }
  if (stepUp.open) return stepUp.panel;
  return (
    <form
      method="post"
      onSubmit={requestForm.handleSubmit(sendRequest)}
      noValidate
      className="flex flex-col gap-4 rounded-xl bg-white p-5 ring-1 ring-slate-200"
    >
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
        <Button type="button" variant="secondary" onClick={() => onClose('cancelled')}>
          {t('cancel')}
        </Button>
      </div>
    </form>
  );
}
