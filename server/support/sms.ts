import 'server-only';

import type { Tx } from '@/server/platform/db';
import { getEnv } from '@/server/platform/env';
import { getLogger } from '@/server/platform/log';

// SMS go to the brand's HTTP gateway (SMS_GATEWAY_URL: a POST of {"to","text"} as JSON, any 2xx
// is sent); without one, outside production, to the development mailbox (dev_mails, the
// recipient being the E.164 number and the subject "SMS"), where /dev/mailbox and the tests read them.

export type Sms = { to: string; text: string };

const GATEWAY_TIMEOUT_MS = 10_000;
export const DEV_SMS_SUBJECT = 'SMS';

/**
 * Writes the dev mailbox copy in the caller's transaction (it exists if and only if the request
 * did); returns the SMS still to hand to the gateway after the commit, through sendQueuedSms.
 */
export async function recordSms(tx: Tx, sms: Sms): Promise<Sms | null> {
  const env = getEnv();
  if (env.SMS_GATEWAY_URL) return sms;
  if (env.production) {
    getLogger().warn({ component: 'sms' }, 'SMS_GATEWAY_URL is not set: the SMS was not sent');
    return null;
  }
  await tx.devMail.create({ data: { to: sms.to, subject: DEV_SMS_SUBJECT, text: sms.text, html: '' } });
  return null;
}

/** After the commit: a gateway failure is logged (never the number or the text) and reported. */
export async function sendQueuedSms(messages: Array<Sms | null>): Promise<boolean> {
  const url = getEnv().SMS_GATEWAY_URL;
  let allSent = true;
  for (const sms of messages) {
    if (!sms || !url) continue;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(sms),
        signal: AbortSignal.timeout(GATEWAY_TIMEOUT_MS),
      });
      if (!response.ok) throw new Error(`gateway answered ${response.status}`);
    } catch (error) {
      allSent = false;
      getLogger().error(
        { component: 'sms' },
        `SMS not sent: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
  return allSent;
}
