import type { Metadata } from 'next';
import { getFormatter, getTranslations } from 'next-intl/server';
import Link from 'next/link';

import { EmptyState, PageHeader, PageSection } from '@/components/ui/page-section';
import { SLOT_KEYS } from '@/lib/personalization/catalogue';
import { BlockBodySchema, SegmentBodySchema } from '@/lib/validation/content';
import { listContent, type ContentObjectSummary } from '@/server/personalization/content';
import { requirePermission, staffCan } from '@/server/staff/auth';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('console.content.list'))('title') };
}

const link = 'inline-flex min-h-6 items-center text-brand underline underline-offset-4';
const button =
  'inline-flex min-h-11 items-center rounded-lg bg-brand px-4 py-2 text-sm font-semibold text-on-brand hover:brightness-110';

/** The home page's slots with their blocks, and the saved segments (docs/decisions/035-personalization.md §6). */
export default async function ContentPage() {
  const staff = await requirePermission('content.view');
  const canEdit = staffCan(staff, 'content.edit');
  const [t, format, blocks, segments] = await Promise.all([
    getTranslations('console.content.list'),
    getFormatter(),
    listContent('block'),
    listContent('segment'),
  ]);
  const when = (iso: string | null) =>
    iso ? format.dateTime(new Date(iso), { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }) : null;

  function status(o: ContentObjectSummary) {
    const parts = [o.live ? t('live', { number: o.live.number }) : t('notLive')];
    if (!o.live || o.latest.number > o.live.number) parts.push(t('draft', { number: o.latest.number }));
    if (o.pending) parts.push(t('pending'));
    return parts.join(' · ');
  }

  return (
    <div className="flex flex-col gap-8">
      <PageHeader title={t('title')} intro={t('intro')} />
      <nav aria-label={t('linksLabel')} className="flex flex-wrap gap-x-6 gap-y-2">
        <Link className={link} href="/console/content/preview">
          {t('links.preview')}
        </Link>
        <Link className={link} href="/console/content/stats">
          {t('links.stats')}
        </Link>
        <Link className={link} href="/console/content/settings">
          {t('links.settings')}
        </Link>
      </nav>
      {SLOT_KEYS.map((slot) => {
        const inSlot = blocks.filter((b) => b.slot === slot);
        return (
          <PageSection key={slot} id={`slot-${slot}`} title={t(`slots.${slot}`)}>
            {canEdit && (
              <p>
                <Link className={button} href={`/console/content/blocks/new?slot=${slot}`}>
                  {t('newBlock', { slot: t(`slots.${slot}`) })}
                </Link>
              </p>
            )}
            {inSlot.length === 0 ? (
              <EmptyState>{t('noBlocks')}</EmptyState>
            ) : (
              <div className="overflow-x-auto rounded-xl bg-white shadow-sm ring-1 ring-slate-200">
                <table className="w-full text-left text-sm">
                  <caption className="sr-only">{t(`slots.${slot}`)}</caption>
                  <thead className="border-b border-slate-200 bg-slate-50">
                    <tr>
                      {(['key', 'status', 'schedule', 'priority', 'audience', 'actions'] as const).map((c) => (
                        <th key={c} scope="col" className="px-4 py-3">
                          {t(`columns.${c}`)}
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {inSlot.map((o) => {
                      const body = BlockBodySchema.safeParse(o.latest.body);
                      const b = body.success ? body.data : null;
                      const from = when(b?.startsAt ?? null);
                      const until = when(b?.endsAt ?? null);
                      return (
                        <tr key={o.id} className="border-b border-slate-100 last:border-0">
                          <th scope="row" className="px-4 py-3 font-mono font-medium">
                            {o.key}
                          </th>
                          <td className="px-4 py-3">{status(o)}</td>
                          <td className="px-4 py-3">
                            {from && until
                              ? t('between', { from, until })
                              : from
                                ? t('from', { from })
                                : until
                                  ? t('until', { until })
                                  : t('always')}
                          </td>
                          <td className="px-4 py-3">{b?.priority ?? '—'}</td>
                          <td className="px-4 py-3">{b?.generic ? t('generic') : t('targeted')}</td>
                          <td className="px-4 py-3">
                            <span className="flex flex-wrap gap-x-4">
                              {canEdit && (
                                <Link className={link} href={`/console/content/blocks/${o.id}`}>
                                  {t('edit', { key: o.key })}
                                </Link>
                              )}
                              <Link className={link} href={`/console/content/blocks/${o.id}/history`}>
                                {t('history', { key: o.key })}
                              </Link>
                            </span>
                          </td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </div>
            )}
          </PageSection>
        );
      })}
      <PageSection id="segments" title={t('segments')} intro={t('segmentsIntro')}>
        {canEdit && (
          <p className="flex flex-wrap gap-4">
            <Link className={button} href="/console/content/segments/new">
              {t('newSegment')}
            </Link>
            <Link className={link} href="/console/content/segments">
              {t('allSegments')}
            </Link>
          </p>
        )}
        {segments.length === 0 ? (
          <EmptyState>{t('noSegments')}</EmptyState>
        ) : (
          <ul className="flex flex-col gap-2">
            {segments.map((s) => {
              const body = SegmentBodySchema.safeParse(s.latest.body);
              return (
                <li key={s.id} className="rounded-lg bg-white p-3 ring-1 ring-slate-200">
                  {canEdit ? (
                    <Link className={link} href={`/console/content/segments/${s.id}`}>
                      {body.success ? body.data.name : s.key}
                    </Link>
                  ) : (
                    <span>{body.success ? body.data.name : s.key}</span>
                  )}{' '}
                  <span className="font-mono text-sm text-muted">{s.key}</span> · {status(s)}
                </li>
              );
            })}
          </ul>
        )}
      </PageSection>
    </div>
  );
}
