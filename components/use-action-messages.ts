'use client';

import { unstable_rethrow } from 'next/navigation';

import type { ActionFailure } from '@/lib/action-result';
import { useTranslations } from '@/lib/i18n/client';

/**
 * Translates a message key from a server action or a zod schema
 * ('email.invalid' is looked up under validation., 'code.expired' as is).
 */
export function useActionMessages() {
  const t = useTranslations();
  return (key: string, values?: Record<string, string | number>): string => {
    const full = !key.startsWith('validation.') && t.has(`validation.${key}`) ? `validation.${key}` : key;
    return t.has(full) ? t(full, values) : t('common.genericError');
  };
}

/** Calls a server action from a form; a network or server failure becomes a plain message, redirects go through. */
export async function callAction<T extends { ok: boolean }>(action: () => Promise<T>): Promise<T | ActionFailure> {
  try {
    return await action();
  } catch (error) {
    unstable_rethrow(error);
    return { ok: false, message: 'common.genericError' };
  }
}
