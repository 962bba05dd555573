import type { Metadata } from 'next';
import { getLocale, getTranslations } from 'next-intl/server';
import Link from 'next/link';
import { notFound } from 'next/navigation';

import { ClientMessages } from '@/components/client-messages';
import { PageHeader } from '@/components/ui/page-section';
import { isUuid } from '@/lib/uuid';
import { BlockBodySchema } from '@/lib/validation/content';
import { getContentObject } from '@/server/personalization/content';
import { imageUrl } from '@/server/personalization/images';
import { getEnv } from '@/server/platform/env';
import { requirePermission } from '@/server/staff/auth';

import { builderValues, segmentOptions } from '../../editor-data';
import { EDITOR_NAMESPACES } from '../../editor-namespaces';
import { BlockEditor } from '../block-editor';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('console.content.editor'))('editTitle') };
}

/** Edits a block from its latest revision; a segment's id, or any other, is 404. */
export default async function EditBlockPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<{ saved?: string | string[] }>;
}) {
  await requirePermission('content.edit');
  const [{ id }, { saved }] = await Promise.all([params, searchParams]);
  const object = isUuid(id) ? await getContentObject(id) : null;
  if (!object || object.type !== 'block' || !object.slot) notFound();
  const body = BlockBodySchema.safeParse(object.latest.body);
  const locale = await getLocale();
  const [t, tl, values, segments] = await Promise.all([
    getTranslations('console.content.editor'),
    getTranslations('console.content.list'),
    builderValues(locale),
    segmentOptions(),
  ]);
  const data = body.success ? body.data : null;
  return (
    <ClientMessages namespaces={EDITOR_NAMESPACES}>
      <div className="flex flex-col gap-6">
        <Link
          href="/console/content"
          className="inline-flex min-h-6 items-center text-brand underline underline-offset-4"
        >
          {t('back')}
        </Link>
        <PageHeader
          title={t('editHeading', { key: object.key })}
          intro={t('editIntro', {
            slot: tl(`slots.${object.slot}`),
            number: object.latest.number,
            live: object.live?.number ?? 0,
          })}
        />
        <p>
          <Link
            className="inline-flex min-h-6 items-center text-brand underline underline-offset-4"
            href={`/console/content/blocks/${object.id}/history`}
          >
            {t('historyLink')}
          </Link>
        </p>
        <BlockEditor
          savedNumber={typeof saved === 'string' ? Number(saved) || undefined : undefined}
          slot={object.slot}
          objectId={object.id}
          latestRevisionId={object.latest.id}
          key_={object.key}
          body={data}
          imageUrl={data?.image ? imageUrl(data.image.id) : null}
          values={values}
          segments={segments}
          maxImageBytes={getEnv().CONTENT_IMAGE_MAX_BYTES}
        />
      </div>
    </ClientMessages>
  );
}
