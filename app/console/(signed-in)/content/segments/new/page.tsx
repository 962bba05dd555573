import type { Metadata } from 'next';
import { getLocale, getTranslations } from 'next-intl/server';
import Link from 'next/link';

import { ClientMessages } from '@/components/client-messages';
import { PageHeader } from '@/components/ui/page-section';
import { requirePermission } from '@/server/staff/auth';

import { builderValues } from '../../editor-data';
import { EDITOR_NAMESPACES } from '../../editor-namespaces';
import { SegmentEditor } from '../segment-editor';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('console.content.segmentEditor'))('newTitle') };
}

export default async function NewSegmentPage() {
  await requirePermission('content.edit');
  const locale = await getLocale();
  const [t, values] = await Promise.all([getTranslations('console.content.segmentEditor'), builderValues(locale)]);
  return (
    <ClientMessages namespaces={EDITOR_NAMESPACES}>
      <div className="flex max-w-4xl flex-col gap-6">
        <Link
          href="/console/content/segments"
          className="inline-flex min-h-6 items-center text-brand underline underline-offset-4"
        >
          {t('back')}
        </Link>
        <PageHeader title={t('newTitle')} intro={t('intro')} />
        <SegmentEditor objectId={null} latestRevisionId={null} key_="" name="" rule={{}} values={values} />
      </div>
    </ClientMessages>
  );
}
