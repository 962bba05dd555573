import 'server-only';

import { createTranslator } from 'next-intl';
import nodemailer, { type Transporter } from 'nodemailer';

import type { Locale } from '@/lib/i18n/config';
import { prisma } from '@/server/platform/db';
import { getEnv } from '@/server/platform/env';
import { getLogger } from '@/server/platform/log';
import { countSignInMail } from '@/server/platform/metrics';

import { renderBrandedMail } from './layout';

export type OutgoingMail = { to: string; subject: string; text: string; html: string; locale: Locale };

const globalForMail = globalThis as unknown as { accordTransport?: Transporter; accordMailWarned?: boolean };

/**
 * Sends over SMTP when SMTP_URL is set. Otherwise the mail is kept in the
 * database and shown at /dev/mailbox (development only).
 */
export async function sendMail(mail: OutgoingMail): Promise<void> {
  const env = getEnv();
  if (env.SMTP_URL) {
    globalForMail.accordTransport ??= nodemailer.createTransport(env.SMTP_URL);
    await globalForMail.accordTransport.sendMail({
      from: env.MAIL_FROM,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      headers: { 'Content-Language': mail.locale },
    });
    return;
  }
  if (env.production && !globalForMail.accordMailWarned) {
    globalForMail.accordMailWarned = true;
    getLogger().warn({ component: 'mail' }, 'SMTP_URL is not set: mails are stored in dev_mails and not delivered');
  }
  await prisma.devMail.create({ data: { to: mail.to, subject: mail.subject, text: mail.text, html: mail.html } });
}

async function translator(locale: Locale) {
  const messages = (await import(`../../messages/${locale}.json`)).default;
  return createTranslator({ locale, messages, namespace: 'mail' });
}

export async function sendSignInMail(input: { to: string; locale: Locale; link: string; code: string }): Promise<void> {
  const t = await translator(input.locale);
  const spacedCode = `${input.code.slice(0, 3)} ${input.code.slice(3)}`;
  const { text, html } = renderBrandedMail({
    locale: input.locale,
    preheader: t('signIn.preheader'),
    paragraphs: [t('signIn.linkIntro')],
    button: { label: t('signIn.button'), href: input.link },
    code: { intro: t('signIn.codeIntro'), value: input.code, display: spacedCode },
    footer: [t('signIn.expiry'), t('signIn.ignore')],
  });
  try {
    await sendMail({ to: input.to, subject: t('signIn.subject'), text, html, locale: input.locale });
  } catch (error) {
    countSignInMail('failed');
    throw error;
  }
  countSignInMail('sent');
}

export type SecurityNoticeType = 'passkey.added' | 'passkey.cloned' | 'sign_in.new_device' | 'identity.linked';

/** A notice about the account's security, with a link that ends every session. */
export async function sendSecurityNotice(input: {
  to: string;
  locale: Locale;
  type: SecurityNoticeType;
  detail: Record<string, string>;
  notMeLink: string;
}): Promise<void> {
  const t = await translator(input.locale);
  const key = input.type.replace('.', '_') as
    'passkey_added' | 'passkey_cloned' | 'sign_in_new_device' | 'identity_linked';
  const { text, html } = renderBrandedMail({
    locale: input.locale,
    preheader: t(`security.${key}.subject`),
    paragraphs: [
      t(`security.${key}.body`, {
        name: input.detail.name ?? '',
        device: input.detail.device ?? '',
        provider: input.detail.provider ?? '',
      }),
    ],
    button: { label: t('security.notMe'), href: input.notMeLink },
    footer: [t('security.notMeHint'), t('security.itWasMe')],
  });
  await sendMail({ to: input.to, subject: t(`security.${key}.subject`), text, html, locale: input.locale });
}
