import 'server-only';

// use-intl's React-free core, not next-intl: `npm run staff` renders this mail outside
// Next.js, where the react-server condition gives a React without hooks.
import { createTranslator } from 'use-intl/core';

import type { Locale } from '@/lib/i18n/config';
import { renderBrandedMail } from '@/server/mail/layout';
import type { OutgoingMail } from '@/server/mail/send';

async function translator(locale: Locale) {
  const messages = (await import(`../../messages/${locale}.json`)).default;
  return createTranslator({ locale, messages, namespace: 'mail.staffInvitation' });
}

/** The one-time link that enrols a member's passkey for the console, and when it stops working. */
export async function staffInvitationMail(input: {
  to: string;
  locale: Locale;
  name: string;
  link: string;
  expiresAt: Date;
}): Promise<OutgoingMail> {
  const t = await translator(input.locale);
  const expiry = new Intl.DateTimeFormat(input.locale === 'fr' ? 'fr-FR' : 'en-GB', {
    dateStyle: 'long',
    timeStyle: 'short',
    timeZone: 'UTC',
  }).format(input.expiresAt);
  const { text, html } = renderBrandedMail({
    locale: input.locale,
    preheader: t('preheader'),
    paragraphs: [t('greeting', { name: input.name }), t('body')],
    button: { label: t('button'), href: input.link },
    footer: [t('expiry', { expiry }), t('ignore')],
  });
  return { to: input.to, subject: t('subject'), text, html, locale: input.locale };
}
