import 'server-only';

import { Readable } from 'node:stream';

import { stringify } from 'csv-stringify';
import * as z from 'zod/mini';

import { isUuid } from '@/lib/uuid';
import type { Prisma } from '@/server/generated/prisma/client';
import {
  AUDIT_ACTIONS,
  isAuditAction,
  writeAudit,
  type AuditAction,
  type AuditActor,
  type AuditObjectType,
} from '@/server/platform/audit';
import { subjectPseudonym } from '@/server/platform/crypto';
import { prisma } from '@/server/platform/db';

// The console's audit page and its CSV: one filter, read newest first by id
// (bigserial: the order rows were written in). docs/decisions/033-staff-console.md §5

export const AUDIT_PAGE_SIZE = 50;
export const AUDIT_EXPORT_MAX_ROWS = 100_000;
const EXPORT_BATCH = 1_000;
/** How much of a pseudonym the page shows: enough to tell two erased customers apart. */
const PSEUDONYM_PREFIX = 12;

export const AUDIT_OBJECT_TYPES = [
  ...new Set(Object.values(AUDIT_ACTIONS).flatMap((spec) => (spec.object ? [spec.object] : []))),
] as AuditObjectType[];

export type AuditFilters = {
  /** A staff member's id, or 'cli' for the command line. */
  member?: string;
  action?: AuditAction;
  objectType?: AuditObjectType;
  /** An object's id; a customer's id also finds their rows after erasure (by pseudonym). */
  objectId?: string;
  /** A UTC day, inclusive. */
  from?: string;
  /** A UTC day, inclusive. */
  to?: string;
};

export type AuditCursor = { before?: bigint; after?: bigint };

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const CURSOR = /^\d{1,18}$/;

function isDay(value: string): boolean {
  if (!DAY.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
}

const optional = (check: (v: string) => boolean, error: string, max = 128) =>
  z.optional(
    z.string().check(
      z.trim(),
      z.maxLength(max, { error: 'auditFilter.tooLong' }),
      z.refine((v) => v === '' || check(v), { error }),
    ),
  );

const FilterSchema = z
  .object({
    member: optional((v) => v === 'cli' || isUuid(v), 'auditFilter.member'),
    action: optional(isAuditAction, 'auditFilter.action'),
    objectType: optional((v) => (AUDIT_OBJECT_TYPES as string[]).includes(v), 'auditFilter.objectType'),
    objectId: optional((v) => !/[\u0000-\u001f\u007f]/.test(v), 'auditFilter.objectId'),
    from: optional(isDay, 'auditFilter.date'),
    to: optional(isDay, 'auditFilter.date'),
    before: optional((v) => CURSOR.test(v), 'auditFilter.cursor'),
    after: optional((v) => CURSOR.test(v), 'auditFilter.cursor'),
  })
  .check(
    z.refine((f) => !f.from || !f.to || f.from <= f.to, {
      error: 'auditFilter.dateOrder',
      path: ['to'],
    }),
  );

export type ParsedAuditQuery =
  { ok: true; filters: AuditFilters; cursor: AuditCursor } | { ok: false; fieldErrors: Record<string, string> };

/**
 * The filters of a GET query (the page's form, the CSV link): each field once,
 * empty means "any". A repeated, over-long or unknown value is a field error.
 */
export function parseAuditQuery(params: URLSearchParams): ParsedAuditQuery {
  const input: Record<string, string> = {};
  const fieldErrors: Record<string, string> = {};
  for (const key of ['member', 'action', 'objectType', 'objectId', 'from', 'to', 'before', 'after']) {
    const values = params.getAll(key);
    const [only, ...more] = values;
    if (more.length > 0) fieldErrors[key] = 'auditFilter.repeated';
    else if (only !== undefined) input[key] = only;
  }
  const parsed = FilterSchema.safeParse(input);
  if (!parsed.success)
    for (const issue of parsed.error.issues) fieldErrors[String(issue.path[0] ?? 'form')] ??= issue.message;
  if (!parsed.success || Object.keys(fieldErrors).length > 0) return { ok: false, fieldErrors };
  const { before, after, ...rest } = parsed.data;
  const filters = Object.fromEntries(Object.entries(rest).filter(([, v]) => v)) as AuditFilters;
  return {
    ok: true,
    filters,
    cursor: { before: before ? BigInt(before) : undefined, after: after ? BigInt(after) : undefined },
  };
}

/** The filters as query parameters, for links to other pages and to the CSV. */
export function auditFilterParams(filters: AuditFilters): URLSearchParams {
  return new URLSearchParams(Object.entries(filters).filter((e): e is [string, string] => Boolean(e[1])));
}

function whereOf(filters: AuditFilters): Prisma.AuditLogWhereInput {
  const where: Prisma.AuditLogWhereInput[] = [];
  if (filters.member === 'cli') where.push({ actorType: 'cli' });
  else if (filters.member) where.push({ actorStaffId: filters.member });
  if (filters.action) where.push({ action: filters.action });
  if (filters.objectType) where.push({ objectType: filters.objectType });
  if (filters.objectId) {
    // A customer is named by customer_id until erased, then by the pseudonym only:
    // the pseudonym of the id finds both.
    where.push({
      OR: [
        { objectId: filters.objectId },
        ...(isUuid(filters.objectId) ? [{ subjectPseudonym: subjectPseudonym(filters.objectId.toLowerCase()) }] : []),
      ],
    });
  }
  if (filters.from) where.push({ occurredAt: { gte: new Date(`${filters.from}T00:00:00Z`) } });
  if (filters.to) where.push({ occurredAt: { lt: new Date(Date.parse(`${filters.to}T00:00:00Z`) + 86_400_000) } });
  return { AND: where };
}

const ROW_SELECT = {
  id: true,
  occurredAt: true,
  actorType: true,
  actorLabel: true,
  action: true,
  objectType: true,
  objectId: true,
  customerId: true,
  subjectPseudonym: true,
  reason: true,
  requestId: true,
  details: true,
} as const;

type RawRow = Prisma.AuditLogGetPayload<{ select: typeof ROW_SELECT }>;

export type AuditRow = {
  id: string;
  occurredAt: Date;
  actor: { type: string; label: string };
  action: string;
  object: { type: string; id: string } | null;
  /** The customer concerned: their id, or only a pseudonym's prefix once they were erased. */
  customer: { erased: false; id: string } | { erased: true; pseudonym: string } | null;
  reason: string | null;
  requestId: string | null;
  details: Record<string, unknown>;
};

function toRow(r: RawRow): AuditRow {
  return {
    id: r.id.toString(),
    occurredAt: r.occurredAt,
    actor: { type: r.actorType, label: r.actorLabel },
    action: r.action,
    object: r.objectType && r.objectId ? { type: r.objectType, id: r.objectId } : null,
    customer: r.customerId
      ? { erased: false, id: r.customerId }
      : r.subjectPseudonym
        ? { erased: true, pseudonym: r.subjectPseudonym.slice(0, PSEUDONYM_PREFIX) }
        : null,
    reason: r.reason,
    requestId: r.requestId,
    details: r.details && typeof r.details === 'object' && !Array.isArray(r.details) ? r.details : {},
  };
}

export type AuditPage = {
  rows: AuditRow[];
  /** Cursors for the page of newer rows and of older rows, null at either end. */
  newer: string | null;
  older: string | null;
};

/** One page of 50, newest first; `before`/`after` a row id of the neighbouring page. */
export async function listAuditRows(filters: AuditFilters, cursor: AuditCursor = {}): Promise<AuditPage> {
  const where = whereOf(filters);
  let rows: RawRow[];
  if (cursor.after !== undefined) {
    const ascending = await prisma.auditLog.findMany({
      where: { AND: [where, { id: { gt: cursor.after } }] },
      orderBy: { id: 'asc' },
      take: AUDIT_PAGE_SIZE,
      select: ROW_SELECT,
    });
    rows = ascending.reverse();
  } else {
    rows = await prisma.auditLog.findMany({
      where: cursor.before === undefined ? where : { AND: [where, { id: { lt: cursor.before } }] },
      orderBy: { id: 'desc' },
      take: AUDIT_PAGE_SIZE,
      select: ROW_SELECT,
    });
  }
  const newest = rows[0]?.id;
  const oldest = rows.at(-1)?.id;
  if (newest === undefined || oldest === undefined) return { rows: [], newer: null, older: null };
  const [hasNewer, hasOlder] = await Promise.all([
    prisma.auditLog.findFirst({ where: { AND: [where, { id: { gt: newest } }] }, select: { id: true } }),
    prisma.auditLog.findFirst({ where: { AND: [where, { id: { lt: oldest } }] }, select: { id: true } }),
  ]);
  return {
    rows: rows.map(toRow),
    newer: hasNewer ? newest.toString() : null,
    older: hasOlder ? oldest.toString() : null,
  };
}

/** Members and the command line, for the member filter: everyone who could have written a row. */
export async function listAuditMembers(): Promise<Array<{ id: string; label: string }>> {
  const members = await prisma.staffMember.findMany({
    orderBy: [{ displayName: 'asc' }, { email: 'asc' }],
    select: { id: true, displayName: true, email: true },
  });
  return members.map((m) => ({ id: m.id, label: `${m.displayName} (${m.email})` }));
}

/** Whether more rows than one CSV may hold match (counted up to the limit only). */
export async function exceedsExportLimit(filters: AuditFilters): Promise<boolean> {
  const beyond = await prisma.auditLog.findFirst({
    where: whereOf(filters),
    orderBy: { id: 'desc' },
    skip: AUDIT_EXPORT_MAX_ROWS,
    select: { id: true },
  });
  return beyond !== null;
}

export const AUDIT_CSV_COLUMNS = [
  'id',
  'occurred_at',
  'actor_type',
  'actor',
  'action',
  'object_type',
  'object_id',
  'customer',
  'reason',
  'request_id',
  'details',
] as const;

function csvRecord(row: AuditRow): string[] {
  return [
    row.id,
    row.occurredAt.toISOString(),
    row.actor.type,
    row.actor.label,
    row.action,
    row.object?.type ?? '',
    row.object?.id ?? '',
    row.customer === null ? '' : row.customer.erased ? `erased:${row.customer.pseudonym}` : row.customer.id,
    row.reason ?? '',
    row.requestId ?? '',
    JSON.stringify(row.details),
  ];
}

async function* exportRows(filters: AuditFilters, beforeId: bigint | undefined): AsyncGenerator<string[]> {
  const where = whereOf(filters);
  let cursor = beforeId;
  let left = AUDIT_EXPORT_MAX_ROWS;
  while (left > 0) {
    const batch = await prisma.auditLog.findMany({
      where: cursor === undefined ? where : { AND: [where, { id: { lt: cursor } }] },
      orderBy: { id: 'desc' },
      take: Math.min(EXPORT_BATCH, left),
      select: ROW_SELECT,
    });
    for (const r of batch) yield csvRecord(toRow(r));
    const last = batch.at(-1);
    if (batch.length < EXPORT_BATCH || !last) return;
    left -= batch.length;
    cursor = last.id;
  }
}

/**
 * The CSV of the filtered rows older than `beforeId` (the export's own audit
 * row: the file is the trail as it stood when asked), newest first, at most
 * AUDIT_EXPORT_MAX_ROWS, read a thousand at a time while it streams.
 * Cells a spreadsheet would run as formulas (=, +, -, @…) are prefixed with '.
 */
export function streamAuditCsv(filters: AuditFilters, beforeId?: bigint): ReadableStream<Uint8Array> {
  const csv = stringify({ header: true, columns: [...AUDIT_CSV_COLUMNS], escape_formulas: true });
  Readable.from(exportRows(filters, beforeId))
    .on('error', (error) => csv.destroy(error))
    .pipe(csv);
  return Readable.toWeb(csv) as ReadableStream<Uint8Array>;
}

/**
 * Audits the export (`audit.export`, with its filters) and returns the id of
 * that row, which bounds the file. A customer's id among the filters is kept
 * as their pseudonym: the row outlives their erasure and must not name them.
 */
export async function auditTheExport(actor: AuditActor, filters: AuditFilters): Promise<bigint> {
  const { objectId, ...rest } = filters;
  const staffObject =
    objectId && isUuid(objectId) && filters.objectType !== 'customer'
      ? await prisma.staffMember.findUnique({ where: { id: objectId }, select: { id: true } })
      : null;
  const customerLike = objectId !== undefined && isUuid(objectId) && !staffObject;
  return prisma.$transaction(async (tx) => {
    await writeAudit(tx, actor, {
      action: 'audit.export',
      details: {
        ...rest,
        ...(objectId && !customerLike ? { objectId } : {}),
        ...(objectId && customerLike ? { subject: subjectPseudonym(objectId.toLowerCase()) } : {}),
        limit: AUDIT_EXPORT_MAX_ROWS,
      },
    });
    const [row] = await tx.$queryRaw<Array<{ id: bigint }>>`
      SELECT currval(pg_get_serial_sequence('audit_log', 'id')) AS id`;
    if (!row) throw new Error('the export audit row has no id');
    return row.id;
  });
}

// ── All staff access to one customer (the privacy officer's data-subject request) ──

/** One staff touch of a customer: an audit row (what staff did) or a staff read of the access log (what staff saw). */
export type StaffAccessEntry = {
  source: 'audit' | 'access-log';
  id: string;
  occurredAt: Date;
  actor: string;
  /** The audit action, or the access log's purpose. */
  what: string;
  fields: string[];
  reason: string | null;
};

/** The customer named by their exact address (stored lower-cased), or null. */
export async function findCustomerIdByEmail(email: string): Promise<string | null> {
  const row = await prisma.user.findUnique({ where: { email }, select: { id: true } });
  return row?.id ?? null;
}

type StaffAccessRaw = {
  source: 'audit' | 'access-log';
  id: string;
  occurred_at: Date;
  actor: string;
  what: string;
  fields: string[] | null;
  reason: string | null;
};

/**
 * Newest first, both sources in one statement: the audit rows naming the customer (by id, or by
 * the pseudonym once erased) and the staff rows of their data_access_log, before `beforeId` of
 * the audit when the export bounds itself by its own row.
 */
async function readStaffAccess(customerId: string, limit: number, auditBefore?: bigint): Promise<StaffAccessEntry[]> {
  const rows = await prisma.$queryRaw<StaffAccessRaw[]>`
    SELECT 'audit' AS source, a.id::text AS id, a.occurred_at, a.actor_label AS actor, a.action AS what,
           NULL::text[] AS fields, a.reason
      FROM audit_log a
     WHERE (a.customer_id = ${customerId}::uuid OR a.subject_pseudonym = ${subjectPseudonym(customerId)})
       AND (${auditBefore ?? null}::bigint IS NULL OR a.id < ${auditBefore ?? null}::bigint)
    UNION ALL
    SELECT 'access-log', l.id::text, l.occurred_at, l.accessor_name, l.purpose, l.fields, l.reason
      FROM data_access_log l
     WHERE l.customer_id = ${customerId}::uuid AND l.accessor_type = 'staff'
     ORDER BY occurred_at DESC, id DESC
     LIMIT ${limit}`;
  return rows.map((r) => ({
    source: r.source,
    id: r.id,
    occurredAt: r.occurred_at,
    actor: r.actor,
    what: r.what,
    fields: r.fields ?? [],
    reason: r.reason,
  }));
}

export async function listStaffAccess(customerId: string, limit = 200): Promise<StaffAccessEntry[]> {
  if (!isUuid(customerId)) return [];
  return readStaffAccess(customerId.toLowerCase(), limit);
}

/**
 * A GET of the customer's staff access is itself a staff read of their data: audited
 * (`audit.customer-access`), in its own transaction before the rows are read.
 */
export async function auditStaffAccessView(
  actor: AuditActor,
  customerId: string,
  format: 'page' | 'csv',
): Promise<bigint> {
  return prisma.$transaction(async (tx) => {
    await writeAudit(tx, actor, {
      action: 'audit.customer-access',
      objectId: customerId,
      customerId,
      reason: 'data-subject request',
      details: { format },
    });
    const [row] = await tx.$queryRaw<Array<{ id: bigint }>>`
      SELECT currval(pg_get_serial_sequence('audit_log', 'id')) AS id`;
    if (!row) throw new Error('the audit row has no id');
    return row.id;
  });
}

export const STAFF_ACCESS_CSV_COLUMNS = ['source', 'id', 'occurred_at', 'staff', 'what', 'fields', 'reason'] as const;

/** The CSV of a customer's staff access, up to AUDIT_EXPORT_MAX_ROWS, bounded by the export's own audit row. */
export function streamStaffAccessCsv(customerId: string, beforeId?: bigint): ReadableStream<Uint8Array> {
  const csv = stringify({ header: true, columns: [...STAFF_ACCESS_CSV_COLUMNS], escape_formulas: true });
  const records = async function* () {
    for (const e of await readStaffAccess(customerId.toLowerCase(), AUDIT_EXPORT_MAX_ROWS, beforeId))
      yield [e.source, e.id, e.occurredAt.toISOString(), e.actor, e.what, e.fields.join(' '), e.reason ?? ''];
  };
  Readable.from(records())
    .on('error', (error) => csv.destroy(error))
    .pipe(csv);
  return Readable.toWeb(csv) as ReadableStream<Uint8Array>;
}
