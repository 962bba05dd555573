import 'server-only';

import { createTranslator } from 'use-intl/core';

import { brand } from '@/lib/brand';
import type { Locale } from '@/lib/i18n/config';
import { renderBrandedMail } from '@/server/mail/layout';
import type { OutgoingMail } from '@/server/mail/send';

async function translator(locale: Locale) {
  const messages = (await import(`../../messages/${locale}.json`)).default;
  return createTranslator({ locale, messages, namespace: 'mail.emailChange' });
}

/** To the new address: a link and a code, like the sign-in mail, to prove it. */
export async function emailChangeVerificationMail(input: {
  to: string;
  locale: Locale;
  link: string;
  code: string;
}): Promise<OutgoingMail> {
  const t = await translator(input.locale);
  const { text, html } = renderBrandedMail({
    locale: input.locale,
    preheader: t('verify.preheader'),
    paragraphs: [t('verify.intro', { email: input.to })],
    button: { label: t('verify.button'), href: input.link },
    code: {
      intro: t('verify.codeIntro'),
      value: input.code,
      display: `${input.code.slice(0, 3)} ${input.code.slice(3)}`,
    },
    footer: [t('verify.expiry'), t('verify.ignore')],
  });
  return { to: input.to, subject: t('verify.subject'), text, html, locale: input.locale };
}

/** To the old address, once the change is done: what changed, and a way back for 7 days. */
export async function emailChangedNoticeMail(input: {
  to: string;
  locale: Locale;
  newEmail: string;
  revertLink: string;
}): Promise<OutgoingMail> {
  const t = await translator(input.locale);
  const { text, html } = renderBrandedMail({
    locale: input.locale,
    preheader: t('notice.preheader'),
    paragraphs: [t('notice.body', { newEmail: input.newEmail })],
    button: { label: t('notice.button'), href: input.revertLink },
    footer: [t('notice.hint'), t('notice.itWasMe')],
  });
  return { to: input.to, subject: t('notice.subject'), text, html, locale: input.locale };
}

/** To the address a revert took the account from: it no longer signs in, and why. */
export async function emailRevertedNoticeMail(input: {
  to: string;
  locale: Locale;
  oldEmail: string;
}): Promise<OutgoingMail> {
  const t = await translator(input.locale);
  const { text, html } = renderBrandedMail({
    locale: input.locale,
    preheader: t('reverted.preheader'),
    paragraphs: [t('reverted.body', { oldEmail: input.oldEmail }), t('reverted.evicted')],
    footer: [t('reverted.hint', { support: brand.supportEmail })],
  });
  return { to: input.to, subject: t('reverted.subject'), text, html, locale: input.locale };
}
