import 'server-only';

import { createTranslator } from 'use-intl/core';

import { brand } from '@/lib/brand';
import type { Locale } from '@/lib/i18n/config';
import { renderBrandedMail } from '@/server/mail/layout';
import type { OutgoingMail } from '@/server/mail/send';

async function translator(locale: Locale) {
  const messages = (await import(`../../messages/${locale}.json`)).default;
  return createTranslator({ locale, messages, namespace: 'mail.supportRecovery' });
}

const when = (locale: Locale, date: Date) =>
  new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' }).format(date) + ' UTC';

/** To the address on file when the proofs are in: what will happen, when, and how to stop it. */
export async function recoveryHeldMail(input: {
  to: string;
  locale: Locale;
  maskedNewEmail: string;
  holdUntil: Date;
  cancelLink: string;
}): Promise<OutgoingMail> {
  const t = await translator(input.locale);
  const { text, html } = renderBrandedMail({
    locale: input.locale,
    preheader: t('held.preheader'),
    paragraphs: [t('held.body', { newEmail: input.maskedNewEmail, date: when(input.locale, input.holdUntil) })],
    button: { label: t('held.button'), href: input.cancelLink },
    footer: [t('held.hint'), t('held.itWasMe')],
  });
  return { to: input.to, subject: t('held.subject'), text, html, locale: input.locale };
}

/** To the old and the new address once applied. */
export async function recoveryAppliedMail(input: {
  to: string;
  locale: Locale;
  newEmail: string;
}): Promise<OutgoingMail> {
  const t = await translator(input.locale);
  const { text, html } = renderBrandedMail({
    locale: input.locale,
    preheader: t('applied.preheader'),
    paragraphs: [t('applied.body', { newEmail: input.newEmail })],
    footer: [t('applied.hint')],
  });
  return { to: input.to, subject: t('applied.subject'), text, html, locale: input.locale };
}

export async function recoveryCodeSms(input: { to: string; locale: Locale; code: string }) {
  const t = await translator(input.locale);
  return { to: input.to, text: t('sms.code', { brand: brand.name, code: input.code }) };
}

export async function recoveryHeldSms(input: { to: string; locale: Locale; holdUntil: Date; cancelLink: string }) {
  const t = await translator(input.locale);
  return {
    to: input.to,
    text: t('sms.held', { brand: brand.name, date: when(input.locale, input.holdUntil), link: input.cancelLink }),
  };
}

export async function recoveryAppliedSms(input: { to: string; locale: Locale }) {
  const t = await translator(input.locale);
  return { to: input.to, text: t('sms.applied', { brand: brand.name }) };
}
