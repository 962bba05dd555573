import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import Link from 'next/link';
import { redirect } from 'next/navigation';

import { AuthShell } from '@/app/_components/auth-shell';
import { PasskeySignIn } from '@/app/_components/passkey-sign-in';
import { TextField } from '@/components/ui/text-field';
import { consoleReturnPath } from '@/server/staff/auth';
import { getSignedInStaff } from '@/server/staff/sessions';

import { finishStaffSignInAction, startStaffSignInAction } from './actions';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('console.signIn'))('metaTitle') };
}

export default async function StaffSignInPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const next = consoleReturnPath((await searchParams).next);
  if (await getSignedInStaff()) redirect(next);
  const t = await getTranslations('console.signIn');
  return (
    <AuthShell title={t('title')}>
      <p className="mb-6 text-muted">{t('intro')}</p>
      {/* Only for the browser's passkey autofill (conditional mediation): nothing is submitted. */}
      <div className="mb-4">
        <TextField
          id="staff-email"
          name="username"
          type="email"
          label={t('emailLabel')}
          hint={t('emailHint')}
          autoComplete="username webauthn"
        />
      </div>
      <PasskeySignIn
        start={startStaffSignInAction}
        finish={finishStaffSignInAction.bind(null, next)}
        messages="console.signIn"
        divider={false}
      />
      {/* The session cookie is SameSite=Strict: a link from a mail arrives without it, a click here sends it. */}
      <p className="mt-6 text-sm">
        <Link href={next} className="font-medium text-brand underline underline-offset-4 hover:no-underline">
          {t('continue', { path: next })}
        </Link>
      </p>
      <p className="mt-2 text-sm text-muted">{t('lostPasskey')}</p>
    </AuthShell>
  );
}
