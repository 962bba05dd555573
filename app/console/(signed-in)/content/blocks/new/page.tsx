import type { Metadata } from 'next';
import { getLocale, getTranslations } from 'next-intl/server';
import Link from 'next/link';
import { notFound } from 'next/navigation';

import { ClientMessages } from '@/components/client-messages';
import { PageHeader } from '@/components/ui/page-section';
import { SLOT_KEYS, type Slot } from '@/lib/personalization/catalogue';
import { getEnv } from '@/server/platform/env';
import { requirePermission } from '@/server/staff/auth';

import { builderValues, segmentOptions } from '../../editor-data';
import { EDITOR_NAMESPACES } from '../../editor-namespaces';
import { BlockEditor } from '../block-editor';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('console.content.editor'))('newTitle') };
}

export default async function NewBlockPage({ searchParams }: { searchParams: Promise<{ slot?: string | string[] }> }) {
  await requirePermission('content.edit');
  const { slot } = await searchParams;
  if (typeof slot !== 'string' || !(SLOT_KEYS as string[]).includes(slot)) notFound();
  const locale = await getLocale();
  const [t, tl, values, segments] = await Promise.all([
    getTranslations('console.content.editor'),
    getTranslations('console.content.list'),
    builderValues(locale),
    segmentOptions(),
  ]);
  return (
    <ClientMessages namespaces={EDITOR_NAMESPACES}>
      <div className="flex flex-col gap-6">
        <Link
          href="/console/content"
          className="inline-flex min-h-6 items-center text-brand underline underline-offset-4"
        >
          {t('back')}
        </Link>
        <PageHeader title={t('newTitle')} intro={t('newIntro', { slot: tl(`slots.${slot as Slot}`) })} />
        <BlockEditor
          slot={slot as Slot}
          objectId={null}
          latestRevisionId={null}
          key_=""
          body={null}
          imageUrl={null}
          values={values}
          segments={segments}
          maxImageBytes={getEnv().CONTENT_IMAGE_MAX_BYTES}
        />
      </div>
    </ClientMessages>
  );
}
