import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import Link from 'next/link';

import { EmptyState, PageHeader } from '@/components/ui/page-section';
import { SegmentBodySchema } from '@/lib/validation/content';
import { listContent } from '@/server/personalization/content';
import { requirePermission } from '@/server/staff/auth';

import { segmentsReferenced } from '../editor-data';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('console.content.segments'))('title') };
}

/** Saved segments and how many blocks refer to each. */
export default async function SegmentsPage() {
  await requirePermission('content.edit');
  const [t, segments, blocks] = await Promise.all([
    getTranslations('console.content.segments'),
    listContent('segment'),
    listContent('block'),
  ]);
  const references = blocks.map((b) => segmentsReferenced((b.latest.body as { rule?: unknown } | null)?.rule));
  return (
    <div className="flex flex-col gap-6">
      <Link
        href="/console/content"
        className="inline-flex min-h-6 items-center text-brand underline underline-offset-4"
      >
        {t('back')}
      </Link>
      <div className="flex flex-wrap items-end justify-between gap-4">
        <PageHeader title={t('title')} intro={t('intro')} />
        <Link
          href="/console/content/segments/new"
          className="inline-flex min-h-11 items-center rounded-lg bg-brand px-5 py-2.5 font-semibold text-on-brand hover:brightness-110"
        >
          {t('new')}
        </Link>
      </div>
      {segments.length === 0 ? (
        <EmptyState>{t('empty')}</EmptyState>
      ) : (
        <ul className="flex flex-col gap-2">
          {segments.map((s) => {
            const body = SegmentBodySchema.safeParse(s.latest.body);
            const usedBy = references.filter((r) => r.has(s.key)).length;
            return (
              <li key={s.id} className="rounded-lg bg-white p-3 ring-1 ring-slate-200">
                <Link
                  className="inline-flex min-h-6 items-center text-brand underline underline-offset-4"
                  href={`/console/content/segments/${s.id}`}
                >
                  {body.success ? body.data.name : s.key}
                </Link>{' '}
                <span className="font-mono text-sm text-muted">{s.key}</span> · {t('usedByCount', { count: usedBy })}
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}
