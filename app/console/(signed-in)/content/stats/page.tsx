import type { Metadata } from 'next';
import { getFormatter, getTranslations } from 'next-intl/server';

import { EmptyState, PageHeader, PageSection } from '@/components/ui/page-section';
import { isUuid } from '@/lib/uuid';
import {
  clickRate,
  getContentStats,
  STATS_GROUPS,
  STATS_PERIODS,
  type Counts,
  type StatsPeriod,
} from '@/server/personalization/stats-query';
import { requirePermission } from '@/server/staff/auth';

import { LineChart, type Series } from './line-chart';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('console.content.stats'))('title') };
}

const card = 'rounded-xl bg-white p-5 shadow-sm ring-1 ring-slate-200';
const cell = 'px-3 py-2 text-left align-top';
const num = 'px-3 py-2 text-right align-top tabular-nums';

/** Colours and dashes distinguishable without colour (WCAG 1.4.1). */
const STYLE: Record<(typeof STATS_GROUPS)[number], { color: string; dash?: string }> = {
  personalized: { color: '#1d4ed8' },
  holdout: { color: '#b45309', dash: '6 4' },
  'no-consent': { color: '#475569', dash: '2 3' },
  off: { color: '#7e22ce', dash: '10 3 2 3' },
};

function pick(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Impressions, clicks and click rate per block, group and day (content_stats: no customer in it).
 * The chart is server-rendered SVG beside the same figures as a table: no chart library, no client
 * JavaScript (docs/decisions/035-personalization.md §6).
 */
export default async function ContentStatsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await requirePermission('content.view');
  const [query, t, format] = await Promise.all([
    searchParams,
    getTranslations('console.content.stats'),
    getFormatter(),
  ]);
  const days = (STATS_PERIODS as readonly number[]).includes(Number(pick(query.days)))
    ? (Number(pick(query.days)) as StatsPeriod)
    : 30;
  const block = pick(query.block);
  const objectId = isUuid(block) ? block : null;
  const stats = await getContentStats({ days, objectId });
  const selected = stats.blocks.find((b) => b.objectId === objectId) ?? null;

  const n = (v: number) => format.number(v);
  const rate = (c: Counts | undefined) => {
    const r = clickRate(c);
    return r === null ? '—' : format.number(r, { style: 'percent', maximumFractionDigits: 1 });
  };
  const groups = STATS_GROUPS.filter((g) => stats.blocks.some((b) => b.byGroup[g]));
  const dayLabel = (day: string) =>
    format.dateTime(new Date(`${day}T00:00:00Z`), { day: 'numeric', month: 'short', timeZone: 'UTC' });
  const series: Series[] = groups.map((g) => ({
    label: t(`groups.${g}`),
    ...STYLE[g],
    values: stats.days.map((d) => clickRate(stats.daily[d]?.[g])),
  }));

  return (
    <div className="flex flex-col gap-10">
      <PageHeader title={t('title')} intro={t('intro')} />
      <form method="get" className="flex flex-wrap items-end gap-3">
        <div className="flex flex-col gap-1">
          <label htmlFor="stats-days" className="font-medium">
            {t('period')}
          </label>
          <select
            id="stats-days"
            name="days"
            defaultValue={String(days)}
            className="min-h-11 rounded-lg border border-slate-400 bg-white px-3 py-2"
          >
            {STATS_PERIODS.map((p) => (
              <option key={p} value={p}>
                {t('lastDays', { days: p })}
              </option>
            ))}
          </select>
        </div>
        <div className="flex flex-col gap-1">
          <label htmlFor="stats-block" className="font-medium">
            {t('block')}
          </label>
          <select
            id="stats-block"
            name="block"
            defaultValue={objectId ?? ''}
            className="min-h-11 rounded-lg border border-slate-400 bg-white px-3 py-2"
          >
            <option value="">{t('allBlocks')}</option>
            {stats.blocks.map((b) => (
              <option key={b.objectId} value={b.objectId}>
                {b.key}
              </option>
            ))}
          </select>
        </div>
        <button
          type="submit"
          className="min-h-11 rounded-lg border border-slate-300 bg-white px-5 py-2.5 font-semibold"
        >
          {t('show')}
        </button>
      </form>

      {stats.blocks.length === 0 ? (
        <EmptyState>{t('empty', { days })}</EmptyState>
      ) : (
        <>
          <PageSection id="blocks" title={t('blocksTitle')} intro={t('blocksIntro')}>
            {/* Focusable: a keyboard can scroll a wide table (WCAG 2.1.1). */}
            <div
              className="overflow-x-auto"
              tabIndex={0}
              role="region"
              aria-label={t('tableRegion', { title: t('blocksTitle') })}
            >
              <table className={`${card} w-full border-collapse text-sm`}>
                <caption className="sr-only">{t('blocksTitle')}</caption>
                <thead>
                  <tr>
                    <th scope="col" className={cell}>
                      {t('block')}
                    </th>
                    <th scope="col" className={cell}>
                      {t('slot')}
                    </th>
                    <th scope="col" className={num}>
                      {t('impressions')}
                    </th>
                    <th scope="col" className={num}>
                      {t('clicks')}
                    </th>
                    <th scope="col" className={num}>
                      {t('rate')}
                    </th>
                    {groups.map((g) => (
                      <th key={g} scope="col" className={num}>
                        {t('rateOf', { group: t(`groups.${g}`) })}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {stats.blocks.map((b) => (
                    <tr key={b.objectId} className="border-t border-slate-200">
                      <th scope="row" className={`${cell} break-all`}>
                        {b.key}
                      </th>
                      <td className={cell}>{b.slot ?? '—'}</td>
                      <td className={num}>{n(b.total.impressions)}</td>
                      <td className={num}>{n(b.total.clicks)}</td>
                      <td className={num}>{rate(b.total)}</td>
                      {groups.map((g) => (
                        <td key={g} className={num}>
                          {rate(b.byGroup[g])}
                          <span className="block text-xs text-muted">
                            {t('ofImpressions', {
                              clicks: n(b.byGroup[g]?.clicks ?? 0),
                              impressions: n(b.byGroup[g]?.impressions ?? 0),
                            })}
                          </span>
                        </td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </PageSection>

          <PageSection
            id="daily"
            title={selected ? t('dailyTitleOne', { key: selected.key }) : t('dailyTitle')}
            intro={t('dailyIntro')}
          >
            <div className="grid gap-6 lg:grid-cols-2">
              <LineChart
                title={t('chartLabel', { days })}
                xLabels={stats.days.map(dayLabel)}
                series={series}
                formatY={(v) => format.number(v, { style: 'percent', maximumFractionDigits: 1 })}
              />
              <div
                className="max-h-[32rem] overflow-auto"
                tabIndex={0}
                role="region"
                aria-label={t('tableRegion', { title: t('dailyTitle') })}
              >
                <table className={`${card} w-full border-collapse text-sm`}>
                  <caption className="sr-only">{t('dailyTitle')}</caption>
                  <thead>
                    <tr>
                      <th scope="col" className={cell}>
                        {t('day')}
                      </th>
                      {groups.map((g) => (
                        <th key={g} scope="col" className={num}>
                          {t(`groups.${g}`)}
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {stats.days.map((d) => (
                      <tr key={d} className="border-t border-slate-200">
                        <th scope="row" className={cell}>
                          {dayLabel(d)}
                        </th>
                        {groups.map((g) => (
                          <td key={g} className={num}>
                            {rate(stats.daily[d]?.[g])}
                            <span className="block text-xs text-muted">
                              {t('ofImpressions', {
                                clicks: n(stats.daily[d]?.[g]?.clicks ?? 0),
                                impressions: n(stats.daily[d]?.[g]?.impressions ?? 0),
                              })}
                            </span>
                          </td>
                        ))}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </div>
          </PageSection>
        </>
      )}
    </div>
  );
}
