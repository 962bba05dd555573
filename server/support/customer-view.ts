import 'server-only';

import { isLocale, type Locale } from '@/lib/i18n/config';
import { isUuid } from '@/lib/uuid';
import {
  REVEAL_WINDOW_MS,
  supportRevealReason,
  supportViewReason,
  type RevealField,
  type RevealInput,
  type RevealReason,
} from '@/lib/validation/support';
import { recordDataAccess, type DataAccess } from '@/server/consent/access-log';
import { maskAddress, maskEmail, maskPhone } from '@/server/customers/masks';
import { describeUserAgent } from '@/server/identity/sessions';
import { deliverNow } from '@/server/mail/queue';
import { enqueueMail } from '@/server/mail/send';
import { writeAudit } from '@/server/platform/audit';
import { sha256 } from '@/server/platform/crypto';
import { prisma, type Tx } from '@/server/platform/db';
import { getEnv } from '@/server/platform/env';
import type { StaffActor } from '@/server/staff/auth';

import { requireOpenCase, type SupportCase } from './cases';
import { supportRevealMail } from './reveal-mail';

// The agent's view of the customer in a case (issue 16 item 2, docs/decisions/036-support-console.md):
// masked here, on the server; a value leaves it unmasked only while a reveal of it by this agent in
// this open case is valid, and every render that carries it is in the customer's access log.

/** The access log's purpose of every staff read in a support case: not gated by consents, always logged. */
export const SUPPORT_PURPOSE = 'support';
/** What the case page shows of the customer, masked: logged as one view per render. */
const VIEW_FIELDS = ['email', 'phone', 'postalAddress', 'consents', 'sessions', 'securityEvents', 'supportCases'];
const ADDRESS_KINDS = { homeAddress: 'home', billingAddress: 'billing', shippingAddress: 'shipping' } as const;

type Agent = Pick<StaffActor, 'id' | 'displayName'>;

/** "Agent 4F2A": stable for one agent, says nothing else about them. */
export function agentPseudonym(staffId: string): string {
  return `Agent ${sha256(staffId).slice(0, 4).toUpperCase()}`;
}

/** How the customer sees the agent named (the brand's SUPPORT_AGENT_NAMES). */
export function agentNameForCustomer(agent: Agent): string {
  return getEnv().SUPPORT_AGENT_NAMES === 'pseudonym' ? agentPseudonym(agent.id) : agent.displayName;
}

function access(agent: Agent, customerId: string, fields: string[], reason: string): DataAccess {
  return {
    customerId,
    accessor: { type: 'staff', id: agent.id, name: agentNameForCustomer(agent) },
    fields,
    purpose: SUPPORT_PURPOSE,
    reason,
  };
}

export type MaskedAddress = { kind: RevealField; city: string; country: string };
export type ActiveReveal = { field: RevealField; value: string; reason: RevealReason; expiresAt: Date };
export type RevealRecord = {
  field: string;
  reason: string;
  ticketRef: string;
  agentName: string;
  revealedAt: Date;
  expiresAt: Date;
};
export type CaseHistoryEntry = {
  id: string;
  agentName: string;
  openedAt: Date;
  closedAt: Date | null;
  method: string;
  current: boolean;
};

export type CaseCustomerView =
  | {
      state: 'open';
      customer: {
        name: string | null;
        email: string;
        phone: string | null;
        addresses: MaskedAddress[];
        createdAt: Date;
      };
      /** Values this agent revealed in this case, still in their window: one per field, the latest. */
      revealed: ActiveReveal[];
      consents: Array<{ key: string; title: string }>;
      sessions: Array<{ id: string; device: string; lastActiveAt: Date }>;
      securityEvents: Array<{ id: string; type: string; createdAt: Date }>;
      cases: CaseHistoryEntry[];
      reveals: RevealRecord[];
    }
  /** A closed case, or one that is not this agent's: its history only, no value of the customer. */
  | { state: 'read-only'; reveals: RevealRecord[] }
  | { state: 'gone' };

type CustomerRow = {
  email: string;
  firstName: string | null;
  lastName: string | null;
  createdAt: Date;
  phone: { e164: string } | null;
  addresses: Array<{
    kind: string;
    line1: string;
    line2: string | null;
    postalCode: string;
    city: string;
    country: string;
  }>;
};

function fieldOfKind(kind: string): RevealField | null {
  const entry = Object.entries(ADDRESS_KINDS).find(([, k]) => k === kind);
  return entry ? (entry[0] as RevealField) : null;
}

/** The unmasked value of one field, or null when the customer has none. */
function valueOf(customer: CustomerRow, field: RevealField): string | null {
  if (field === 'email') return customer.email;
  if (field === 'phone') return customer.phone?.e164 ?? null;
  const address = customer.addresses.find((a) => a.kind === ADDRESS_KINDS[field]);
  if (!address) return null;
  return [address.line1, address.line2, `${address.postalCode} ${address.city}`, address.country]
    .filter(Boolean)
    .join(', ');
}

/** Initials: enough to greet the caller by, nothing to look them up with. */
function maskName(first: string | null, last: string | null): string | null {
  const initials = [first, last].filter((n): n is string => Boolean(n?.trim())).map((n) => `${n.trim()[0]}.`);
  return initials.length ? initials.join(' ') : null;
}

async function readCustomer(tx: Tx, customerId: string): Promise<CustomerRow | null> {
  return tx.user.findUnique({
    where: { id: customerId },
    select: {
      email: true,
      firstName: true,
      lastName: true,
      createdAt: true,
      phone: { select: { e164: true } },
      addresses: {
        orderBy: { kind: 'asc' },
        select: { kind: true, line1: true, line2: true, postalCode: true, city: true, country: true },
      },
    },
  });
}

async function readReveals(db: Tx, caseId: string): Promise<RevealRecord[]> {
  const rows = await db.supportReveal.findMany({
    where: { caseId },
    orderBy: [{ revealedAt: 'desc' }, { id: 'desc' }],
    select: {
      field: true,
      reason: true,
      ticketRef: true,
      revealedAt: true,
      expiresAt: true,
      agent: { select: { displayName: true } },
    },
  });
  return rows.map(({ agent, ...r }) => ({ ...r, agentName: agent.displayName }));
}

function isOwnOpenCase(actor: Agent, supportCase: SupportCase): boolean {
  return supportCase.agentId === actor.id && supportCase.closedAt === null;
}

/**
 * The case page's customer section. For the agent's own open case: the masked
 * customer plus the values they revealed and that are still valid, read in the
 * transaction that audits the view and logs it, and each revealed value, for the customer.
 */
export async function getCaseCustomerView(
  actor: Pick<StaffActor, 'id' | 'displayName' | 'audit'>,
  supportCase: SupportCase,
  locale: Locale,
  now = new Date(),
): Promise<CaseCustomerView> {
  if (!isOwnOpenCase(actor, supportCase))
    return { state: 'read-only', reveals: await readReveals(prisma, supportCase.id) };
  const customerId = supportCase.customerId;
  return prisma.$transaction(async (tx) => {
    const customer = await readCustomer(tx, customerId);
    if (!customer) return { state: 'gone' } as const;
    const [activeRows, consents, sessions, securityEvents, caseRows, reveals] = await Promise.all([
      tx.supportReveal.findMany({
        where: { caseId: supportCase.id, agentId: actor.id, expiresAt: { gt: now } },
        orderBy: [{ revealedAt: 'desc' }, { id: 'desc' }],
        select: { field: true, reason: true, ticketRef: true, expiresAt: true },
      }),
      tx.$queryRaw<Array<{ key: string; title: string }>>`
        SELECT c.purpose_key AS key,
               (SELECT CASE WHEN ${locale} = 'fr' THEN v.title_fr ELSE v.title_en END
                  FROM consent_purpose_versions v WHERE v.purpose_key = c.purpose_key
                 ORDER BY v.version DESC LIMIT 1) AS title
          FROM accord_current_consents(${customerId}::uuid) c
         WHERE c.granted ORDER BY c.purpose_key`,
      tx.session.findMany({
        where: {
          userId: customerId,
          expires: { gt: now },
          createdAt: { gt: new Date(now.getTime() - getEnv().SESSION_MAX_AGE_DAYS * 86_400_000) },
        },
        orderBy: { lastActiveAt: 'desc' },
        select: { id: true, userAgent: true, lastActiveAt: true },
      }),
      tx.securityEvent.findMany({
        where: { customerId },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: 10,
        select: { id: true, type: true, createdAt: true },
      }),
      tx.supportCase.findMany({
        where: { customerId },
        orderBy: [{ openedAt: 'desc' }, { id: 'desc' }],
        take: 20,
        select: {
          id: true,
          openedAt: true,
          closedAt: true,
          verificationMethod: true,
          agent: { select: { displayName: true } },
        },
      }),
      readReveals(tx, supportCase.id),
    ]);
    // The latest valid reveal of each field that still has a value (reveals only store listed names).
    const latest = activeRows.filter((r, i) => activeRows.findIndex((o) => o.field === r.field) === i);
    const revealed = latest.flatMap((r): ActiveReveal[] => {
      const value = valueOf(customer, r.field as RevealField);
      return value === null
        ? []
        : [{ field: r.field as RevealField, value, reason: r.reason as RevealReason, expiresAt: r.expiresAt }];
    });
    // A console GET that reads customer data is audited (docs/decisions/033-staff-console.md).
    await writeAudit(tx, actor.audit, {
      action: 'customer.view',
      customerId,
      reason: supportViewReason(supportCase.id),
      objectId: customerId,
      details: { caseId: supportCase.id, fields: VIEW_FIELDS, revealed: revealed.map((r) => r.field) },
    });
    await recordDataAccess(tx, [
      access(actor, customerId, VIEW_FIELDS, supportViewReason(supportCase.id)),
      ...latest
        .filter((r) => revealed.some((v) => v.field === r.field))
        .map((r) => access(actor, customerId, [r.field], supportRevealReason(r.reason as RevealReason, r.ticketRef))),
    ]);
    return {
      state: 'open',
      customer: {
        name: maskName(customer.firstName, customer.lastName),
        email: maskEmail(customer.email),
        phone: customer.phone ? maskPhone(customer.phone.e164) : null,
        addresses: customer.addresses.flatMap((a) => {
          const kind = fieldOfKind(a.kind);
          return kind ? [{ kind, ...maskAddress(a) }] : [];
        }),
        createdAt: customer.createdAt,
      },
      revealed,
      consents,
      sessions: sessions.map((s) => {
        const { browser, os } = describeUserAgent(s.userAgent);
        return { id: s.id, device: `${browser} · ${os}`, lastActiveAt: s.lastActiveAt };
      }),
      securityEvents,
      cases: caseRows.map((c) => ({
        id: c.id,
        agentName: c.agent.displayName,
        openedAt: c.openedAt,
        closedAt: c.closedAt,
        method: c.verificationMethod,
        current: c.id === supportCase.id,
      })),
      reveals,
    } as const;
  });
}

export type RevealResult =
  | { ok: true; expiresAt: Date }
  /** Not found, closed or another agent's case: the action answers 403. */
  | { ok: false; reason: 'forbidden' }
  /** The customer has no such value (no phone, no address of that kind). */
  | { ok: false; reason: 'no-value' };

/**
 * Reveals one field for REVEAL_WINDOW_MS, in the agent's own open case. The reveal,
 * its audit row and the customer's notice are one transaction; the value itself
 * reaches the agent through the next render of the case (getCaseCustomerView logs it).
 */
export async function revealField(
  actor: StaffActor,
  caseId: string,
  input: RevealInput,
  now = new Date(),
): Promise<RevealResult> {
  if (!isUuid(caseId)) return { ok: false, reason: 'forbidden' };
  const found = await requireOpenCase(actor, caseId);
  if (!found.ok) return { ok: false, reason: 'forbidden' };
  const { supportCase } = found;
  const customer = await prisma.user.findUnique({
    where: { id: supportCase.customerId },
    select: { email: true, locale: true },
  });
  if (!customer) return { ok: false, reason: 'forbidden' };
  const expiresAt = new Date(now.getTime() + REVEAL_WINDOW_MS);
  // Rendered before the transaction: loading a catalogue is no work to hold it open for.
  const mail = await supportRevealMail({
    to: customer.email,
    locale: isLocale(customer.locale) ? customer.locale : 'en',
    field: input.field,
    reason: input.reason,
    ticketRef: input.ticketRef,
    agentName: agentNameForCustomer(actor),
    at: now,
  });
  const outcome = await prisma.$transaction(async (tx) => {
    const current = await readCustomer(tx, supportCase.customerId);
    // The address may have changed since the mail was rendered: it goes to the current one.
    if (!current || valueOf(current, input.field) === null) return { ok: false, reason: 'no-value' } as const;
    const row = await tx.supportReveal.create({
      data: {
        caseId: supportCase.id,
        customerId: supportCase.customerId,
        agentId: actor.id,
        field: input.field,
        reason: input.reason,
        ticketRef: input.ticketRef,
        revealedAt: now,
        expiresAt,
      },
      select: { id: true },
    });
    await writeAudit(tx, actor.audit, {
      action: 'customer.reveal',
      objectId: supportCase.customerId,
      customerId: supportCase.customerId,
      reason: input.reason,
      details: { caseId: supportCase.id, field: input.field, ticketRef: input.ticketRef },
    });
    const mailId = await enqueueMail(tx, {
      ...mail,
      to: current.email,
      key: `support-reveal:${row.id}`,
      purpose: 'support-reveal',
    });
    return { ok: true, mailId } as const;
  });
  if (!outcome.ok) return outcome;
  await deliverNow([outcome.mailId]);
  return { ok: true, expiresAt };
}
