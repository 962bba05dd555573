import type { Metadata } from 'next';
import { getFormatter, getTranslations } from 'next-intl/server';
import { notFound } from 'next/navigation';

import { listDevMails } from '@/server/mail/dev-mailbox';
import { getEnv } from '@/server/platform/env';

export const metadata: Metadata = { title: 'Mailbox', robots: { index: false } };

/** Development only: the mails that would have been sent. A 404 in production. */
export default async function DevMailboxPage() {
  if (getEnv().production) notFound();
  const [mails, t, format] = await Promise.all([listDevMails(), getTranslations('mailbox'), getFormatter()]);
  return (
    <main id="main" className="mx-auto max-w-3xl px-4 py-8">
      <h1 className="text-2xl font-bold">{t('title')}</h1>
      <p className="mt-2 text-muted">{t('intro')}</p>
      {mails.length === 0 ? (
        <p className="mt-8 rounded-lg bg-white p-5 ring-1 ring-slate-200">{t('empty')}</p>
      ) : (
        <ol className="mt-8 flex flex-col gap-6">
          {mails.map((m) => (
            <li key={m.id} className="rounded-xl bg-white p-5 shadow-sm ring-1 ring-slate-200">
              <h2 className="text-lg font-semibold">{m.subject}</h2>
              <p className="text-sm text-muted">
                {t('to')}: {m.to} · {t('received')}:{' '}
                {format.dateTime(m.createdAt, { dateStyle: 'medium', timeStyle: 'medium' })}
              </p>
              {/* The mail's own HTML, isolated: no scripts, no access to this page. */}
              <iframe
                title={m.subject}
                srcDoc={m.html}
                sandbox="allow-popups allow-popups-to-escape-sandbox"
                className="mt-4 h-[28rem] w-full rounded border border-slate-200"
              />
              <details className="mt-3">
                <summary className="cursor-pointer text-sm font-medium">Text</summary>
                <pre className="mt-2 text-sm whitespace-pre-wrap">{m.text}</pre>
              </details>
            </li>
          ))}
        </ol>
      )}
    </main>
  );
}
