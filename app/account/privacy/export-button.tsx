'use client';

import { useRef, useState, useTransition } from 'react';

import { useStepUp } from '@/app/account/step-up';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { callAction, useActionMessages } from '@/components/use-action-messages';
import { useTranslations } from '@/lib/i18n/client';

import { startExportAction } from './actions';

/** Step-up if the sign-in is not recent, then the browser downloads the file. */
export function ExportButton({ hasPasskey }: { hasPasskey: boolean }) {
  const t = useTranslations('export');
  const tr = useActionMessages();
  const [pending, startTransition] = useTransition();
  const stepUp = useStepUp(hasPasskey);
  const [notice, setNotice] = useState<{ tone: 'error' | 'success'; text: string } | null>(null);
  // A route handler answers with the file: the browser downloads it and stays on the page.
  const fileLink = useRef<HTMLAnchorElement>(null);

  const download = () =>
    startTransition(async () => {
      setNotice(null);
      const result = await callAction(() => startExportAction());
      if (stepUp.needed(result, download)) return;
      if (result.ok) {
        fileLink.current?.click();
        setNotice({ tone: 'success', text: t('ready') });
      } else setNotice({ tone: 'error', text: tr(result.message ?? 'common.genericError') });
    });

  return (
    <div className="flex flex-col gap-3">
      <div aria-live="polite">{notice && <Alert tone={notice.tone}>{notice.text}</Alert>}</div>
      <a ref={fileLink} href="/account/privacy/export" download hidden tabIndex={-1} aria-hidden="true" />
      {stepUp.open ? (
        stepUp.panel
      ) : (
        <div>
          <Button type="button" onClick={download} pending={pending} pendingLabel={t('preparing')}>
            {t('button')}
          </Button>
        </div>
      )}
    </div>
  );
}
