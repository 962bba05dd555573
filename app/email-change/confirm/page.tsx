import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';

import { ConfirmLinkPage, LinkOutcomePage } from '@/app/_components/link-pages';
import { SignOutOthersOffer } from '@/app/account/sign-out-others-offer';
import { ClientMessages } from '@/components/client-messages';
import { EmailChangeTokenSchema } from '@/lib/validation/email-change';
import { peekEmailChangeLink } from '@/server/customers/email-change';
import { getSignedInCustomer } from '@/server/identity/auth';
import { listSessions } from '@/server/identity/sessions';

import { confirmEmailChangeLinkAction } from '../actions';

export async function generateMetadata(): Promise<Metadata> {
  // The token is in this page's URL: never send it on in a Referer.
  return { title: (await getTranslations('emailChange.confirmPage'))('metaTitle'), referrer: 'no-referrer' };
}

/** The link in the mail to the new address: shows what it does; only the button uses it. */
export default async function ConfirmEmailChangePage({
  searchParams,
}: {
  searchParams: Promise<{ token?: string; status?: string; offer?: string }>;
}) {
  const { token, status, offer } = await searchParams;
  const t = await getTranslations('emailChange.confirmPage');
  const toProfile = { href: '/account/profile', label: t('toProfile') };
  if (status === 'done' || status === 'taken') {
    return (
      <LinkOutcomePage
        title={t(status === 'done' ? 'doneTitle' : 'takenTitle')}
        text={t(status === 'done' ? 'done' : 'taken')}
        next={toProfile}
      >
        {status === 'done' && offer === 'sessions' && (await sessionOffer())}
      </LinkOutcomePage>
    );
  }
  const parsed = EmailChangeTokenSchema.safeParse({ token });
  const pending = parsed.success ? await peekEmailChangeLink(parsed.data.token) : null;
  if (!parsed.success || !pending)
    return <LinkOutcomePage title={t('invalidTitle')} text={t('invalid')} next={toProfile} />;
  return (
    <ConfirmLinkPage
      title={t('title')}
      intro={t('intro', { email: pending.newEmail })}
      action={confirmEmailChangeLinkAction}
      token={parsed.data.token}
      submit={t('submit')}
      submitting={t('submitting')}
    />
  );
}

/** For a signed-in browser, the offer to end the customer's other sessions (its action checks the session again). */
async function sessionOffer() {
  const customer = await getSignedInCustomer();
  if (!customer) return null;
  const sessions = await listSessions(customer.id, customer.sessionId);
  return (
    <ClientMessages namespaces={['signOutOthers']}>
      <SignOutOthersOffer reason="emailChanged" otherSessions={sessions.length - 1} />
    </ClientMessages>
  );
}
