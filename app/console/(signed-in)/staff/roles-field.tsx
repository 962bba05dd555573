'use client';

import type { UseFormRegisterReturn } from 'react-hook-form';

import { useTranslations } from '@/lib/i18n/client';
import { ROLES } from '@/lib/staff-roles';

/** The roles as a group of checkboxes, each with what it allows; one error for the group. */
export function RolesField({
  id,
  register,
  error,
}: {
  id: string;
  register: UseFormRegisterReturn<'roles'>;
  error?: string;
}) {
  const t = useTranslations('console');
  const errorId = error ? `${id}-error` : undefined;
  return (
    <fieldset
      className="flex flex-col gap-3"
      aria-describedby={errorId}
      aria-invalid={error ? true : undefined}
      id={id}
    >
      <legend className="mb-1 font-medium">{t('staff.roles')}</legend>
      {ROLES.map((role) => (
        <label key={role} className="flex items-start gap-3 rounded-lg p-2 ring-1 ring-slate-200">
          <input type="checkbox" value={role} className="mt-1 size-5" {...register} />
          <span>
            <span className="block font-medium">{t(`roles.${role}`)}</span>
            <span className="block text-sm text-muted">{t(`staff.roleHints.${role}`)}</span>
          </span>
        </label>
      ))}
      {error && (
        <p id={errorId} className="text-sm font-medium text-red-700">
          {error}
        </p>
      )}
    </fieldset>
  );
}
