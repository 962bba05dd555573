import 'server-only';

import { createTranslator } from 'use-intl/core';

import { brand } from '@/lib/brand';
import type { Locale } from '@/lib/i18n/config';
import { renderBrandedMail } from '@/server/mail/layout';
import type { OutgoingMail } from '@/server/mail/send';
import { getEnv } from '@/server/platform/env';

// The customer is told of a consent an agent recorded for them on the phone
// (issue 16 item 4): which purpose, which answer, by whom, and where to change it.

export async function supportConsentMail(input: {
  locale: Locale;
  purpose: string;
  granted: boolean;
  agentName: string;
  at: Date;
}): Promise<Omit<OutgoingMail, 'to'>> {
  const messages = (await import(`../../messages/${input.locale}.json`)).default;
  const t = createTranslator({ locale: input.locale, messages, namespace: 'mail.supportConsent' });
  const when = new Intl.DateTimeFormat(input.locale, {
    dateStyle: 'long',
    timeStyle: 'short',
    timeZone: brand.timeZone,
  }).format(input.at);
  const answer = input.granted ? 'granted' : 'withdrawn';
  const { text, html } = renderBrandedMail({
    locale: input.locale,
    preheader: t('preheader'),
    paragraphs: [t(`body.${answer}`, { agent: input.agentName, purpose: input.purpose, when }), t('change')],
    button: { label: t('button'), href: `${getEnv().APP_URL}/account/privacy` },
    footer: [t('notYou', { support: brand.supportEmail })],
  });
  return { subject: t(`subject.${answer}`, { purpose: input.purpose }), text, html, locale: input.locale };
}
