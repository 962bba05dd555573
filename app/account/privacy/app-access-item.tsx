'use client';

import { useEffect, useRef, useState, useTransition } from 'react';

import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { callAction, useActionMessages } from '@/components/use-action-messages';
import { useLocale, useTranslations } from '@/lib/i18n/client';

import { setAppAccessAction } from './actions';

type FieldKey = 'name' | 'email' | 'phone' | 'postalAddress' | 'locale' | 'preferences' | 'signals';

export type AppAccessItemProps = {
  appId: string;
  name: string;
  description: string;
  /** What it reads and why: each field with the titles of the purposes it is used for. */
  fields: Array<{ field: FieldKey; purposes: string[] }>;
  /** What it can see of the customer now. */
  visibleFields: FieldKey[];
  withdrawn: boolean;
  /** Signed in to it with the portal's account: since when and what it received (server/oidc/grants.ts). */
  signedInNote?: string;
};

/** One app of the brand: what it reads and why, and one click to withdraw its access or allow it again. */
export function AppAccessItem(p: AppAccessItemProps) {
  const t = useTranslations('privacy');
  const locale = useLocale();
  const tr = useActionMessages();
  const [pending, startTransition] = useTransition();
  const [notice, setNotice] = useState<{ tone: 'error' | 'success'; text: string } | null>(null);
  const titleId = `app-${p.appId}`;
  // The button is disabled while it works, which drops the keyboard focus:
  // give it back to the button (now "Allow again" or "Withdraw access").
  const actionsRef = useRef<HTMLDivElement>(null);
  const refocus = useRef(false);
  useEffect(() => {
    if (pending || !refocus.current) return;
    refocus.current = false;
    if (!document.activeElement || document.activeElement === document.body)
      actionsRef.current?.querySelector('button')?.focus();
  }, [pending]);
  const list = (items: string[]) => new Intl.ListFormat(locale, { type: 'conjunction' }).format(items);

  const answer = (allowed: boolean) => {
    refocus.current = true;
    startTransition(async () => {
      setNotice(null);
      const result = await callAction(() => setAppAccessAction({ appId: p.appId, allowed }));
      if (result.ok)
        setNotice({ tone: 'success', text: t(allowed ? 'appAllowedNow' : 'appWithdrawnNow', { name: p.name }) });
      else setNotice({ tone: 'error', text: tr(result.message ?? 'common.genericError') });
    });
  };

  const status = p.withdrawn
    ? t('appWithdrawnNote')
    : p.visibleFields.length > 0
      ? t('appSeesNow', { fields: list(p.visibleFields.map((f) => t(`appFields.${f}`))) })
      : t('appSeesNothing');

  return (
    <li aria-labelledby={titleId} className="flex flex-col gap-3 rounded-xl bg-white p-5 ring-1 ring-slate-200">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="max-w-prose">
          <h3 id={titleId} className="font-semibold">
            {p.name}
          </h3>
          {p.description && <p className="mt-1 text-sm">{p.description}</p>}
          <p className="mt-3 text-sm font-medium">{t('appReads')}</p>
          <dl className="mt-1 flex flex-col gap-1 text-sm">
            {p.fields.map((f) => (
              <div key={f.field} className="flex flex-wrap gap-x-2">
                <dt className="font-medium first-letter:uppercase">{t(`appFields.${f.field}`)}</dt>
                <dd className="text-muted">{t('appFieldPurposes', { purposes: list(f.purposes) })}</dd>
              </div>
            ))}
          </dl>
        </div>
        <div ref={actionsRef} className="flex flex-col items-end gap-2">
          <span
            className={`rounded-full px-2.5 py-0.5 text-xs font-semibold ${p.withdrawn ? 'bg-slate-100 text-slate-800' : 'bg-green-100 text-green-900'}`}
          >
            {t(p.withdrawn ? 'appStatusWithdrawn' : 'appStatusAllowed')}
          </span>
          <Button
            type="button"
            variant={p.withdrawn ? 'primary' : 'secondary'}
            pending={pending}
            pendingLabel={t('working')}
            aria-label={t(p.withdrawn ? 'appAllowLabel' : 'appWithdrawLabel', { name: p.name })}
            onClick={() => answer(p.withdrawn)}
          >
            {t(p.withdrawn ? 'appAllow' : 'appWithdraw')}
          </Button>
        </div>
      </div>
      {p.signedInNote && <p className="text-sm">{p.signedInNote}</p>}
      <p className="text-sm text-muted">{status}</p>
      <div aria-live="polite">{notice && <Alert tone={notice.tone}>{notice.text}</Alert>}</div>
    </li>
  );
}
