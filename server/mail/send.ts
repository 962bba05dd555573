import 'server-only';

// use-intl's React-free core (next-intl re-exports it): CLIs such as `npm run staff` queue
// mail outside Next.js, where the react-server condition gives a React without hooks.
import { createTranslator } from 'use-intl/core';

import type { Locale } from '@/lib/i18n/config';
import type { Tx } from '@/server/platform/db';
import { getEnv } from '@/server/platform/env';
import { getLogger } from '@/server/platform/log';

import { renderBrandedMail } from './layout';
import { INLINE_GRACE_SECONDS, sealMail } from './queue';

export type OutgoingMail = { to: string; subject: string; text: string; html: string; locale: Locale };

/** What kind of mail a queue row holds: logs and metrics name it, never its recipient. */
export type MailPurpose =
  | 'sign-in'
  | 'security-notice'
  | 'email-change'
  | 'email-changed'
  | 'email-reverted'
  | 'staff-invitation'
  | 'data-export'
  | 'account-erased'
  | 'support-reveal'
  | 'support-consent'
  | 'support-recovery';

export type MailRequest = OutgoingMail & {
  /** One request, one mail: a second enqueue with the same key is ignored. */
  key: string;
  purpose: MailPurpose;
  /** Past this, the mail is dropped instead of sent (its code no longer works). */
  expiresAt?: Date;
};

const globalForMail = globalThis as unknown as { accordMailWarned?: boolean };

/**
 * Writes the mail in the caller's transaction, so it exists if and only if
 * the request it belongs to was committed; deliver it after the commit with
 * deliverNow (server/mail/queue.ts). Returns the queue row's id, or null when
 * there is nothing to deliver: the key was already queued, or there is no
 * SMTP_URL and the mail went to the development mailbox (/dev/mailbox).
 */
export async function enqueueMail(tx: Tx, mail: MailRequest): Promise<string | null> {
  const env = getEnv();
  if (!env.SMTP_URL) {
    if (env.production && !globalForMail.accordMailWarned) {
      globalForMail.accordMailWarned = true;
      getLogger().warn({ component: 'mail' }, 'SMTP_URL is not set: mails are stored in dev_mails and not delivered');
    }
    await tx.devMail.create({ data: { to: mail.to, subject: mail.subject, text: mail.text, html: mail.html } });
    return null;
  }
  const payload = sealMail(mail.key, {
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    locale: mail.locale,
  });
  // Workers leave the row to the inline try that follows the commit, unless the
  // process dies first: then the worker takes it once this grace has passed.
  const rows = await tx.$queryRaw<Array<{ id: string }>>`
    INSERT INTO mail_queue (id, idempotency_key, purpose, payload, expires_at, next_attempt_at)
    VALUES (gen_random_uuid(), ${mail.key}, ${mail.purpose}, ${payload}, ${mail.expiresAt ?? null},
            now() + make_interval(secs => ${INLINE_GRACE_SECONDS}))
    ON CONFLICT (idempotency_key) DO NOTHING
    RETURNING id`;
  return rows[0]?.id ?? null;
}

async function translator(locale: Locale) {
  const messages = (await import(`../../messages/${locale}.json`)).default;
  return createTranslator({ locale, messages, namespace: 'mail' });
}

export async function signInMail(input: {
  to: string;
  locale: Locale;
  link: string;
  code: string;
}): Promise<OutgoingMail> {
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
  return { to: input.to, subject: t('signIn.subject'), text, html, locale: input.locale };
}

export type SecurityNoticeType = 'passkey.added' | 'passkey.cloned' | 'sign_in.new_device' | 'identity.linked';

/** A notice about the account's security, with a link that ends every session. */
export async function securityNoticeMail(input: {
  to: string;
  locale: Locale;
  type: SecurityNoticeType;
  detail: Record<string, string>;
  notMeLink: string;
}): Promise<OutgoingMail> {
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
  return { to: input.to, subject: t(`security.${key}.subject`), text, html, locale: input.locale };
}
