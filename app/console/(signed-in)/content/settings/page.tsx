import type { Metadata } from 'next';
import { getFormatter, getTranslations } from 'next-intl/server';

import { PageHeader, PageSection } from '@/components/ui/page-section';
import { listContent } from '@/server/personalization/content';
import { requirePermission } from '@/server/staff/auth';

import { PublicationButton } from '../blocks/[id]/history/publication-button';
import { HoldoutForm } from './holdout-form';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('console.content.settings'))('title') };
}

const percentOf = (body: unknown): number | null => {
  const value = (body as { holdoutPercent?: unknown } | null)?.holdoutPercent;
  return typeof value === 'number' ? value : null;
};

/** The brand-wide holdout: published settings, versioned and audited like a block (default 0 %). */
export default async function ContentSettingsPage() {
  const actor = await requirePermission('content.publish');
  const [t, format, [settings]] = await Promise.all([
    getTranslations('console.content.settings'),
    getFormatter(),
    listContent('settings'),
  ]);
  const live = settings?.live ? percentOf(settings.live.body) : null;
  const pending = settings?.pending ?? null;
  const pendingPercent = pending ? percentOf(settings?.latest.body) : null;
  return (
    <div className="flex flex-col gap-10">
      <PageHeader title={t('title')} intro={t('intro')} />
      <PageSection id="holdout" title={t('holdoutTitle')} intro={t('holdoutIntro')}>
        <p>
          {t('current', { percent: live ?? 0 })}
          {settings?.live &&
            ` ${t('since', { date: format.dateTime(settings.live.createdAt, { dateStyle: 'medium', timeStyle: 'short' }), author: settings.live.authorLabel })}`}
        </p>
        {pending && (
          <div className="flex flex-col gap-2 rounded-lg bg-white p-4 ring-1 ring-slate-200">
            <p>{t('pending', { percent: pendingPercent ?? '?', author: pending.requestedByLabel })}</p>
            {pending.requestedByStaffId === actor.id ? (
              <p className="text-muted">{t('ownPending')}</p>
            ) : (
              <div className="flex flex-wrap gap-4">
                <PublicationButton
                  kind="approve"
                  label={t('approve')}
                  payload={{ objectId: settings!.id, publicationId: pending.id }}
                />
                <PublicationButton
                  kind="reject"
                  label={t('reject')}
                  payload={{ objectId: settings!.id, publicationId: pending.id }}
                />
              </div>
            )}
          </div>
        )}
        <HoldoutForm
          holdoutPercent={live ?? 0}
          expectedLatestRevisionId={settings?.latest.id ?? null}
          expectedLiveRevisionId={settings?.live?.id ?? null}
        />
      </PageSection>
    </div>
  );
}
