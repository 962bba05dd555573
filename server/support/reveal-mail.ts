import 'server-only';

import { createTranslator } from 'use-intl/core';

import { brand } from '@/lib/brand';
import type { Locale } from '@/lib/i18n/config';
import type { RevealField, RevealReason } from '@/lib/validation/support';
import { renderBrandedMail } from '@/server/mail/layout';
import type { OutgoingMail } from '@/server/mail/send';
import { getEnv } from '@/server/platform/env';

// The customer is told of every reveal (issue 16 item 3): which field, by whom, why,
// when; never the value itself, which the mail's reader may not be the customer.

export async function supportRevealMail(input: {
  to: string;
  locale: Locale;
  field: RevealField;
  reason: RevealReason;
  ticketRef: string;
  agentName: string;
  at: Date;
}): Promise<OutgoingMail> {
  const messages = (await import(`../../messages/${input.locale}.json`)).default;
  const t = createTranslator({ locale: input.locale, messages, namespace: 'mail.supportReveal' });
  const when = new Intl.DateTimeFormat(input.locale, {
    dateStyle: 'long',
    timeStyle: 'short',
    timeZone: brand.timeZone,
  }).format(input.at);
  const { text, html } = renderBrandedMail({
    locale: input.locale,
    preheader: t('preheader', { field: t(`fields.${input.field}`) }),
    paragraphs: [
      t('body', { agent: input.agentName, field: t(`fields.${input.field}`), when }),
      t('reason', { reason: t(`reasons.${input.reason}`), ticket: input.ticketRef }),
      t('window'),
    ],
    button: { label: t('button'), href: `${getEnv().APP_URL}/account/privacy#access` },
    footer: [t('notYou', { support: brand.supportEmail })],
  });
  return {
    to: input.to,
    subject: t('subject', { field: t(`fields.${input.field}`) }),
    text,
    html,
    locale: input.locale,
  };
}
