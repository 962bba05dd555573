import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import { notFound } from 'next/navigation';

import { AuthShell } from '@/app/_components/auth-shell';
import { interactionPath, isInteractionUid } from '@/lib/oidc/interaction-path';

import { ContinueToApp } from './continue-to-app';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('oidc.authorize'))('continueMetaTitle') };
}

/**
 * Signed in (or registered) on the way to an app: the browser goes on to the
 * provider's interaction with a full navigation (lib/oidc/interaction-path.ts
 * returnDestination says why). Nothing is read here: the provider checks it all.
 */
export default async function ContinuePage({ params }: { params: Promise<{ uid: string }> }) {
  const { uid } = await params;
  if (!isInteractionUid(uid)) notFound();
  const t = await getTranslations('oidc.authorize');
  return (
    <AuthShell title={t('continueMetaTitle')}>
      <ContinueToApp href={interactionPath(uid)} label={t('continueLink')} />
    </AuthShell>
  );
}
