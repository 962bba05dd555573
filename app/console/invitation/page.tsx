import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';

import { AuthShell } from '@/app/_components/auth-shell';

import { Enrolment } from './enrolment';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('console.invitation'))('metaTitle') };
}

/** The invitation link's page: /console/invitation#<token> (docs/decisions/033-staff-console.md section 2). */
export default async function InvitationPage() {
  const t = await getTranslations('console.invitation');
  return (
    <AuthShell title={t('title')}>
      <Enrolment />
    </AuthShell>
  );
}
