import { describe, expect, it } from 'vitest';

import {
  cancelEmailChange,
  confirmEmailChangeCode,
  confirmEmailChangeLink,
  getPendingEmailChange,
  peekEmailChangeLink,
  requestEmailChange,
  revertEmailChange,
} from '@/server/customers/email-change';
import { prisma } from '@/server/platform/db';
import { createCustomer, createSessionFor } from '@/tests/factories';

import { uniqueEmail, uniqueIp } from './helpers';

const opts = () => ({ ip: uniqueIp(), locale: 'en' as const, channel: 'portal' });

async function mailTo(email: string) {
  const mail = await prisma.devMail.findFirstOrThrow({ where: { to: email }, orderBy: { createdAt: 'desc' } });
  return {
    mail,
    code: /\b(\d{6})\b/.exec(mail.text)?.[1] ?? '',
    confirmToken: /\/email-change\/confirm\?token=([A-Za-z0-9_-]{43})/.exec(mail.text)?.[1] ?? '',
    revertToken: /\/email-change\/revert\?token=([A-Za-z0-9_-]{43})/.exec(mail.text)?.[1] ?? '',
  };
}

const emailOf = async (id: string) =>
  (await prisma.user.findUniqueOrThrow({ where: { id }, select: { email: true } })).email;
const eventTypes = async (id: string) =>
  (await prisma.outboxEvent.findMany({ where: { customerId: id }, orderBy: { id: 'asc' } })).map((e) => e.type);

describe('email change', () => {
  it('keeps the old address until the code proves the new one, then notifies the old one; one event', async () => {
    const customer = await createCustomer({ email: uniqueEmail() });
    const newEmail = uniqueEmail('new');
    expect(await requestEmailChange(customer.id, newEmail, opts())).toEqual({ ok: true });
    expect(await emailOf(customer.id)).toBe(customer.email);
    expect(await getPendingEmailChange(customer.id)).toMatchObject({ newEmail });
    const { mail, code, confirmToken } = await mailTo(newEmail);
    expect(mail.subject).toBe('Confirm your new email address');
    expect(await peekEmailChangeLink(confirmToken)).toEqual({ newEmail });

    const wrong = code === '000000' ? '111111' : '000000';
    expect(await confirmEmailChangeCode(customer.id, wrong, uniqueIp())).toEqual({
      ok: false,
      reason: 'wrong-code',
      attemptsLeft: 4,
    });
    expect(await confirmEmailChangeCode(customer.id, code, uniqueIp())).toEqual({ ok: true, newEmail });
    expect(await emailOf(customer.id)).toBe(newEmail);
    expect(await eventTypes(customer.id)).toEqual(['customer.email_changed']);
    // The link of the same mail is spent with it.
    expect(await confirmEmailChangeLink(confirmToken)).toEqual({ ok: false, reason: 'expired' });
    const notice = await mailTo(customer.email);
    expect(notice.mail.subject).toBe("Your account's email address was changed");
    expect(notice.revertToken).not.toBe('');
  });

  it('the revert link from the old address restores it, ends every session and works once', async () => {
    const customer = await createCustomer({ email: uniqueEmail() });
    await createSessionFor(customer.id);
    const newEmail = uniqueEmail('new');
    await requestEmailChange(customer.id, newEmail, opts());
    expect(await confirmEmailChangeLink((await mailTo(newEmail)).confirmToken)).toEqual({ ok: true, newEmail });
    const { revertToken } = await mailTo(customer.email);
    expect(await revertEmailChange(revertToken)).toEqual({ ok: true, email: customer.email });
    expect(await emailOf(customer.id)).toBe(customer.email);
    expect(await prisma.session.count({ where: { userId: customer.id } })).toBe(0);
    expect(await revertEmailChange(revertToken)).toEqual({ ok: false, reason: 'expired' });
    expect(await eventTypes(customer.id)).toEqual(['customer.email_changed', 'customer.email_changed']);
    const history = await prisma.profileChange.findMany({
      where: { customerId: customer.id },
      orderBy: { id: 'asc' },
      select: { attribute: true, newValue: true, verified: true },
    });
    expect(history).toEqual([
      { attribute: 'email', newValue: newEmail, verified: true },
      { attribute: 'email', newValue: customer.email, verified: true },
    ]);
  });

  it('a failing change writes nothing: an address taken meanwhile rolls back the whole transaction', async () => {
    const customer = await createCustomer({ email: uniqueEmail() });
    const newEmail = uniqueEmail('contested');
    await requestEmailChange(customer.id, newEmail, opts());
    const { code } = await mailTo(newEmail);
    await createCustomer({ email: newEmail });
    expect(await confirmEmailChangeCode(customer.id, code, uniqueIp())).toEqual({ ok: false, reason: 'address-taken' });
    expect(await emailOf(customer.id)).toBe(customer.email);
    expect(await eventTypes(customer.id)).toEqual([]);
    expect(await prisma.profileChange.count({ where: { customerId: customer.id } })).toBe(0);
    expect(await getPendingEmailChange(customer.id)).toMatchObject({ newEmail });
  });

  it('refuses the same address, kills the code after five wrong tries, and can be cancelled', async () => {
    const customer = await createCustomer({ email: uniqueEmail() });
    expect(await requestEmailChange(customer.id, customer.email, opts())).toEqual({
      ok: false,
      reason: 'same-address',
    });
    await requestEmailChange(customer.id, uniqueEmail('new'), opts());
    for (let i = 0; i < 4; i++) await confirmEmailChangeCode(customer.id, 'x', uniqueIp());
    expect(await confirmEmailChangeCode(customer.id, 'x', uniqueIp())).toEqual({ ok: false, reason: 'code-dead' });
    expect(await getPendingEmailChange(customer.id)).toBeNull();
    await requestEmailChange(customer.id, uniqueEmail('again'), opts());
    await cancelEmailChange(customer.id);
    expect(await getPendingEmailChange(customer.id)).toBeNull();
    expect(await eventTypes(customer.id)).toEqual([]);
  });
});
