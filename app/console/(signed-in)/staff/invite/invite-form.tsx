'use client';

import { zodResolver } from '@hookform/resolvers/zod';
import Link from 'next/link';
import { useState, useTransition } from 'react';
import { useForm } from 'react-hook-form';

import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { SelectField } from '@/components/ui/select-field';
import { TextField } from '@/components/ui/text-field';
import { callAction, useActionMessages } from '@/components/use-action-messages';
import { useLocale, useTranslations } from '@/lib/i18n/client';
import { locales, type Locale } from '@/lib/i18n/config';
import { DISPLAY_NAME_MAX_LENGTH, InviteStaffSchema, type InviteStaffInput } from '@/lib/validation/staff';

import { inviteStaffAction } from '../actions';
import { RolesField } from '../roles-field';

const FIELDS = ['email', 'displayName', 'roles', 'locale'] as const;

export function InviteStaffForm({ locale }: { locale: Locale }) {
  const t = useTranslations('console');
  const tc = useTranslations('common');
  const tr = useActionMessages();
  const uiLocale = useLocale();
  const [pending, startTransition] = useTransition();
  const [notice, setNotice] = useState<{ tone: 'error' | 'success'; text: string; staffId?: string } | null>(null);
  const form = useForm<InviteStaffInput>({
    resolver: zodResolver(InviteStaffSchema),
    defaultValues: { email: '', displayName: '', roles: [], locale },
  });
  const { errors } = form.formState;

  const onSubmit = form.handleSubmit((values) =>
    startTransition(async () => {
      setNotice(null);
      const result = await callAction(() => inviteStaffAction(values));
      if (result.ok) {
        form.reset({ email: '', displayName: '', roles: [], locale });
        const expiry = new Intl.DateTimeFormat(uiLocale, { dateStyle: 'medium', timeStyle: 'short' }).format(
          new Date(result.expiresAt),
        );
        setNotice({ tone: 'success', text: t(`staff.invited.${result.mail}`, { expiry }), staffId: result.staffId });
        return;
      }
      for (const [field, key] of Object.entries(result.fieldErrors ?? {})) {
        if ((FIELDS as readonly string[]).includes(field))
          form.setError(field as (typeof FIELDS)[number], { message: key }, { shouldFocus: true });
      }
      if (result.message) setNotice({ tone: 'error', text: tr(result.message, result.values) });
    }),
  );

  const error = (key?: string) => (key ? tr(key) : undefined);
  return (
    <form method="post" onSubmit={onSubmit} noValidate className="flex flex-col gap-5">
      <div aria-live="polite">
        {notice && (
          <Alert tone={notice.tone}>
            {notice.text}{' '}
            {notice.staffId && (
              <Link href={`/console/staff/${notice.staffId}`} className="font-semibold underline underline-offset-4">
                {t('staff.openMember')}
              </Link>
            )}
          </Alert>
        )}
      </div>
      <TextField
        id="email"
        type="email"
        label={t('staff.email')}
        autoComplete="off"
        error={error(errors.email?.message)}
        {...form.register('email')}
      />
      <TextField
        id="displayName"
        label={t('staff.name')}
        autoComplete="off"
        hint={t('staff.nameHint', { max: DISPLAY_NAME_MAX_LENGTH })}
        error={error(errors.displayName?.message)}
        {...form.register('displayName')}
      />
      <RolesField id="roles" register={form.register('roles')} error={error(errors.roles?.message)} />
      <SelectField
        id="locale"
        label={t('staff.locale')}
        hint={t('staff.localeHint')}
        error={error(errors.locale?.message)}
        options={locales.map((l) => ({ value: l, label: tc(`languageNames.${l}`) }))}
        {...form.register('locale')}
      />
      <div>
        <Button type="submit" pending={pending} pendingLabel={t('staff.inviting')}>
          {t('staff.sendInvitation')}
        </Button>
      </div>
    </form>
  );
}
