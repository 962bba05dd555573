'use client';

import { useState, useTransition } from 'react';

import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { callAction, useActionMessages } from '@/components/use-action-messages';
import { useTranslations } from '@/lib/i18n/client';

import { setConsentAction } from './actions';

export type ConsentItemProps = {
  purposeKey: string;
  title: string;
  text: string;
  legalBasis: string;
  required: boolean;
  currentVersion: number;
  policyUrl: string;
  granted: boolean | null;
  grantedVersion: number | null;
  needsReview: boolean;
  gpcNote: boolean;
};

/** One purpose: its text, its status, and one click to grant or withdraw. */
export function ConsentItem(p: ConsentItemProps) {
  const t = useTranslations('privacy');
  const tr = useActionMessages();
  const [pending, startTransition] = useTransition();
  const [notice, setNotice] = useState<{ tone: 'error' | 'success'; text: string } | null>(null);
  const titleId = `purpose-${p.purposeKey}`;

  const answer = (granted: boolean) =>
    startTransition(async () => {
      setNotice(null);
      const result = await callAction(() =>
        setConsentAction({ purposeKey: p.purposeKey, version: p.currentVersion, granted }),
      );
      if (result.ok)
        setNotice({ tone: 'success', text: t(granted ? 'grantedNow' : 'withdrawnNow', { title: p.title }) });
      else setNotice({ tone: 'error', text: tr(result.message ?? 'common.genericError') });
    });

  const status = p.required
    ? t('required')
    : p.granted && p.grantedVersion !== null
      ? p.needsReview
        ? t('grantedFor', { version: p.grantedVersion })
        : t('granted')
      : t('notGranted');

  return (
    <li aria-labelledby={titleId} className="flex flex-col gap-3 rounded-xl bg-white p-5 ring-1 ring-slate-200">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="max-w-prose">
          <h3 id={titleId} className="font-semibold">
            {p.title}
          </h3>
          <p className="mt-1 text-sm">{p.text}</p>
          <p className="mt-1 text-sm text-muted">
            {p.legalBasis} · {t('versionLabel', { version: p.currentVersion })} ·{' '}
            <a
              href={p.policyUrl}
              className="text-brand underline underline-offset-4"
              aria-label={t('policyLabel', { title: p.title })}
            >
              {t('policy')}
            </a>
          </p>
        </div>
        <div className="flex flex-col items-end gap-2">
          <span
            className={`rounded-full px-2.5 py-0.5 text-xs font-semibold ${p.granted || p.required ? 'bg-green-100 text-green-900' : 'bg-slate-100 text-slate-800'}`}
          >
            {status}
          </span>
          {!p.required && !p.needsReview && (
            <Button
              type="button"
              variant={p.granted ? 'secondary' : 'primary'}
              pending={pending}
              pendingLabel={t('working')}
              aria-label={t(p.granted ? 'withdrawLabel' : 'grantLabel', { title: p.title })}
              onClick={() => answer(!p.granted)}
            >
              {t(p.granted ? 'withdraw' : 'grant')}
            </Button>
          )}
        </div>
      </div>
      {p.gpcNote && <p className="text-sm text-muted">{t('gpcNote')}</p>}
      {p.needsReview && p.grantedVersion !== null && (
        <div className="rounded-lg border-l-4 border-amber-700 bg-amber-50 p-4 text-amber-950">
          <p className="font-semibold">{t('reviewTitle')}</p>
          <p className="mt-1 text-sm">{t('reviewIntro', { old: p.grantedVersion, current: p.currentVersion })}</p>
          <div className="mt-3 flex flex-wrap gap-3">
            <Button type="button" pending={pending} onClick={() => answer(true)}>
              {t('agreeNew')}
            </Button>
            {!p.required && (
              <Button type="button" variant="secondary" disabled={pending} onClick={() => answer(false)}>
                {t('declineNew')}
              </Button>
            )}
          </div>
        </div>
      )}
      <div aria-live="polite">{notice && <Alert tone={notice.tone}>{notice.text}</Alert>}</div>
    </li>
  );
}
