'use client';

import { useState, useTransition } from 'react';

import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { callAction, useActionMessages } from '@/components/use-action-messages';
import { useTranslations } from '@/lib/i18n/client';

import { deleteSignalsAction } from './actions';

export type ActivityItem = {
  id: string;
  /** "Added to cart: Running" */
  what: string;
  /** The app's item reference, shown as text. */
  item: string | null;
  /** "By Checkbook on 3 Dec 2026, 14:02" */
  meta: string;
  /** "Used until 3 Mar 2027" or why it is not used. */
  counts: string;
  deleteLabel: string;
};

/** The activity used for personalization, each entry and all of it deletable after a confirmation. */
export function ActivityList({ signals }: { signals: ActivityItem[] }) {
  const t = useTranslations('preferences.activity');
  const tr = useActionMessages();
  const [pending, startTransition] = useTransition();
  const [notice, setNotice] = useState<{ tone: 'error' | 'success'; text: string } | null>(null);

  const remove = (input: { ids: string[] } | { all: true }, done: string) =>
    startTransition(async () => {
      setNotice(null);
      const result = await callAction(() => deleteSignalsAction(input));
      setNotice(result.ok ? { tone: 'success', text: done } : { tone: 'error', text: tr(result.message ?? '') });
    });

  const removeOne = (s: ActivityItem) => {
    if (window.confirm(t('confirmOne', { what: s.what }))) remove({ ids: [s.id] }, t('deletedOne'));
  };
  const removeAll = () => {
    if (window.confirm(t('confirmAll', { count: signals.length }))) remove({ all: true }, t('deletedAll'));
  };

  return (
    <div className="flex flex-col gap-4">
      <div aria-live="polite">{notice && <Alert tone={notice.tone}>{notice.text}</Alert>}</div>
      <ul className="flex flex-col gap-2">
        {signals.map((s) => (
          <li
            key={s.id}
            className="flex flex-wrap items-center justify-between gap-3 rounded-lg bg-white p-3 text-sm ring-1 ring-slate-200"
          >
            <div className="min-w-0">
              <p className="font-medium break-words">{s.what}</p>
              {s.item && <p className="break-all text-muted">{t('item', { item: s.item })}</p>}
              <p className="text-muted">
                {s.meta} · {s.counts}
              </p>
            </div>
            <Button
              type="button"
              variant="secondary"
              onClick={() => removeOne(s)}
              disabled={pending}
              aria-label={s.deleteLabel}
            >
              {t('delete')}
            </Button>
          </li>
        ))}
      </ul>
      <div>
        <Button type="button" variant="danger" onClick={removeAll} pending={pending} pendingLabel={t('deleting')}>
          {t('deleteAll')}
        </Button>
      </div>
    </div>
  );
}
