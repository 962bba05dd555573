'use client';

import { useEffect, useRef } from 'react';

import { Button } from '@/components/ui/button';
import type { EditConflict } from '@/lib/action-result';
import { useLocale, useTranslations } from '@/lib/i18n/client';

import { describeValue } from './display';

/**
 * "This changed elsewhere": both values side by side, and the customer
 * chooses. Nothing was saved until they do.
 */
export function ConflictNotice({
  conflict,
  onKeepMine,
  onUseSaved,
  pending,
}: {
  conflict: EditConflict;
  onKeepMine: () => void;
  onUseSaved: () => void;
  pending: boolean;
}) {
  const t = useTranslations('profile');
  const tc = useTranslations('common');
  const locale = useLocale();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  const describe = (field: string, value: EditConflict['fields'][number]['yours']) =>
    describeValue(field, value, {
      locale,
      notSet: t('notSet'),
      languageName: (code) => (code === 'fr' || code === 'en' ? tc(`languageNames.${code}`) : code),
    });
  return (
    <section
      role="alert"
      aria-labelledby="conflict-title"
      className="rounded-lg border-l-4 border-amber-700 bg-amber-50 p-4 text-amber-950"
    >
      <h3 id="conflict-title" ref={heading} tabIndex={-1} className="font-semibold">
        {t('conflictTitle')}
      </h3>
      <p className="mt-1 text-sm">{t('conflictIntro')}</p>
      <table className="mt-3 w-full text-left text-sm">
        <thead>
          <tr>
            <th scope="col" className="py-1 pr-3">
              {t('conflictField')}
            </th>
            <th scope="col" className="py-1 pr-3">
              {t('conflictYours')}
            </th>
            <th scope="col" className="py-1">
              {t('conflictCurrent')}
            </th>
          </tr>
        </thead>
        <tbody>
          {conflict.fields.map((f) => (
            <tr key={f.field} className="border-t border-amber-200 align-top">
              <th scope="row" className="py-1 pr-3 font-medium">
                {t(`fields.${f.field.replace('.', '_')}` as 'fields.firstName')}
              </th>
              <td className="py-1 pr-3 break-words">{describe(f.field, f.yours)}</td>
              <td className="py-1 break-words">{describe(f.field, f.current)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="mt-3 flex flex-wrap gap-3">
        <Button type="button" onClick={onKeepMine} pending={pending}>
          {t('keepMine')}
        </Button>
        <Button type="button" variant="secondary" onClick={onUseSaved} disabled={pending}>
          {t('useSaved')}
        </Button>
      </div>
    </section>
  );
}
