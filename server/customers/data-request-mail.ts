import 'server-only';

import { createTranslator } from 'use-intl/core';

import { brand } from '@/lib/brand';
import type { Locale } from '@/lib/i18n/config';
import { renderBrandedMail } from '@/server/mail/layout';
import type { OutgoingMail } from '@/server/mail/send';

// What a customer is told when the privacy team acts on their data request
// (docs/decisions/033-staff-console.md §5): no link, nothing to click.

async function translator(locale: Locale) {
  const messages = (await import(`../../messages/${locale}.json`)).default;
  return createTranslator({ locale, messages, namespace: 'mail.dataRequest' });
}

export async function dataExportedMail(input: { to: string; locale: Locale }): Promise<OutgoingMail> {
  const t = await translator(input.locale);
  const { text, html } = renderBrandedMail({
    locale: input.locale,
    preheader: t('exported.preheader'),
    paragraphs: [t('exported.body')],
    footer: [t('notYou', { support: brand.supportEmail })],
  });
  return { to: input.to, subject: t('exported.subject'), text, html, locale: input.locale };
}

export async function accountErasedMail(input: { to: string; locale: Locale }): Promise<OutgoingMail> {
  const t = await translator(input.locale);
  const { text, html } = renderBrandedMail({
    locale: input.locale,
    preheader: t('erased.preheader'),
    paragraphs: [t('erased.body', { brand: brand.name }), t('erased.kept')],
    footer: [t('notYou', { support: brand.supportEmail })],
  });
  return { to: input.to, subject: t('erased.subject', { brand: brand.name }), text, html, locale: input.locale };
}
