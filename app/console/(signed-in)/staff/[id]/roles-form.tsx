'use client';

import { zodResolver } from '@hookform/resolvers/zod';
import { useRouter } from 'next/navigation';
import { useState, useTransition } from 'react';
import { useForm } from 'react-hook-form';

import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { callAction, useActionMessages } from '@/components/use-action-messages';
import { useTranslations } from '@/lib/i18n/client';
import type { Role } from '@/lib/staff-roles';
import { ChangeRolesSchema, type ChangeRolesInput } from '@/lib/validation/staff';

import { changeRolesAction } from '../actions';
import { RolesField } from '../roles-field';

export function RolesForm({ staffId, roles, version }: { staffId: string; roles: Role[]; version: number }) {
  const t = useTranslations('console');
  const tr = useActionMessages();
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [notice, setNotice] = useState<{ tone: 'error' | 'success'; text: string } | null>(null);
  // staffId and version travel with the values: the server checks both (another
  // member's id acts on them only through this permission; a stale version changes nothing).
  const form = useForm<ChangeRolesInput>({
    resolver: zodResolver(ChangeRolesSchema),
    values: { staffId, roles, version },
  });

  const onSubmit = form.handleSubmit((values) =>
    startTransition(async () => {
      setNotice(null);
      const result = await callAction(() => changeRolesAction(values));
      if (result.ok) {
        setNotice({ tone: 'success', text: t('staff.rolesSaved') });
        router.refresh();
        return;
      }
      if (result.fieldErrors?.roles) form.setError('roles', { message: result.fieldErrors.roles });
      const message = result.message ?? (result.fieldErrors?.roles ? undefined : 'common.genericError');
      if (message) setNotice({ tone: 'error', text: tr(message, result.values) });
    }),
  );

  const rolesError = form.formState.errors.roles?.message;
  return (
    <form method="post" onSubmit={onSubmit} noValidate className="flex flex-col gap-5">
      <div aria-live="polite">{notice && <Alert tone={notice.tone}>{notice.text}</Alert>}</div>
      <RolesField id="member-roles" register={form.register('roles')} error={rolesError ? tr(rolesError) : undefined} />
      <div>
        <Button type="submit" pending={pending} pendingLabel={t('staff.saving')}>
          {t('staff.saveRoles')}
        </Button>
      </div>
    </form>
  );
}
