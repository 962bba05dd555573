import type { Metadata } from 'next';
import { getLocale, getTranslations } from 'next-intl/server';
import Link from 'next/link';
import { notFound } from 'next/navigation';

import { ClientMessages } from '@/components/client-messages';
import { PageHeader, PageSection } from '@/components/ui/page-section';
import { isUuid } from '@/lib/uuid';
import { SegmentBodySchema } from '@/lib/validation/content';
import { getContentObject, listContent } from '@/server/personalization/content';
import { requirePermission } from '@/server/staff/auth';

import { builderValues, segmentsReferenced } from '../../editor-data';
import { EDITOR_NAMESPACES } from '../../editor-namespaces';
import { SegmentEditor } from '../segment-editor';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('console.content.segmentEditor'))('editTitle') };
}

/** Edits a segment; lists the blocks whose latest rule refers to it. A block's id, or any other, is 404. */
export default async function EditSegmentPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<{ saved?: string | string[] }>;
}) {
  await requirePermission('content.edit');
  const [{ id }, { saved }] = await Promise.all([params, searchParams]);
  const object = isUuid(id) ? await getContentObject(id) : null;
  if (!object || object.type !== 'segment') notFound();
  const body = SegmentBodySchema.safeParse(object.latest.body);
  const locale = await getLocale();
  const [t, values, blocks] = await Promise.all([
    getTranslations('console.content.segmentEditor'),
    builderValues(locale),
    listContent('block'),
  ]);
  const usedBy = blocks.filter((b) =>
    segmentsReferenced((b.latest.body as { rule?: unknown } | null)?.rule).has(object.key),
  );
  return (
    <ClientMessages namespaces={EDITOR_NAMESPACES}>
      <div className="flex max-w-4xl flex-col gap-6">
        <Link
          href="/console/content/segments"
          className="inline-flex min-h-6 items-center text-brand underline underline-offset-4"
        >
          {t('back')}
        </Link>
        <PageHeader
          title={t('editHeading', { name: body.success ? body.data.name : object.key })}
          intro={t('editIntro', { number: object.latest.number, live: object.live?.number ?? 0 })}
        />
        <SegmentEditor
          savedNumber={typeof saved === 'string' ? Number(saved) || undefined : undefined}
          objectId={object.id}
          latestRevisionId={object.latest.id}
          key_={object.key}
          name={body.success ? body.data.name : ''}
          rule={body.success ? body.data.rule : {}}
          values={values}
        />
        <PageSection id="used-by" title={t('usedBy')}>
          {usedBy.length === 0 ? (
            <p className="text-muted">{t('usedByNone')}</p>
          ) : (
            <ul className="list-disc pl-5">
              {usedBy.map((b) => (
                <li key={b.id}>
                  <Link
                    className="inline-flex min-h-6 items-center text-brand underline underline-offset-4"
                    href={`/console/content/blocks/${b.id}`}
                  >
                    {b.key}
                  </Link>
                </li>
              ))}
            </ul>
          )}
        </PageSection>
      </div>
    </ClientMessages>
  );
}
