import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import Link from 'next/link';
import { redirect } from 'next/navigation';

import { AuthShell } from '@/app/_components/auth-shell';

import { getChallenge } from '../challenge';
import { CodeForm } from './code-form';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('code'))('metaTitle') };
}

export default async function CodePage() {
  const challenge = await getChallenge();
  if (!challenge) redirect('/signin');
  const { email, mailQueued } = challenge;
  const t = await getTranslations('code');
  return (
    <AuthShell title={t('title')}>
      <p className="mb-6 text-muted">
        {t.rich(mailQueued ? 'introQueued' : 'intro', { email, strong: (c) => <strong>{c}</strong> })}
      </p>
      <CodeForm />
      <p className="mt-6 text-sm">
        <Link href="/signin" className="font-medium text-brand underline underline-offset-4 hover:no-underline">
          {t('differentEmail')}
        </Link>
      </p>
    </AuthShell>
  );
}
