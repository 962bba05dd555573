import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { grantDatabaseRole, revokeDatabaseRole } from '@/server/apps/db-roles';
import {
  createApp,
  rotateClientSecret,
  rotateWebhookSecret,
  setAppDisabled,
  type AppRecord,
} from '@/server/apps/registry';
import { redriveDeliveries } from '@/server/apps/webhooks';
import { ensureConsentPurposes } from '@/server/consent/purposes';
import type { AuditActor } from '@/server/platform/audit';
import { sha256 } from '@/server/platform/crypto';
import { getPool, prisma } from '@/server/platform/db';

// Every registry change writes exactly its audit row, in its own transaction:
// the change and the row commit together or not at all (ADR 033 section 5).

const actor: AuditActor = { type: 'cli', label: 'cli:apps-audit' };
// No such staff member: the audit row's foreign key refuses it, so its write fails last.
const failing = (): AuditActor => ({ type: 'staff', staffId: randomUUID(), label: 'ghost', requestId: 'req-1' });

const appName = (tag: string) => `${tag}-${randomUUID().slice(0, 8)}`;

async function auditRowsOf(clientId: string) {
  return prisma.auditLog.findMany({
    where: { objectId: clientId },
    orderBy: { id: 'asc' },
    select: { action: true, actorType: true, actorLabel: true, objectType: true, details: true },
  });
}

/** Runs `change` and returns the audit rows it added for the app. */
async function added(app: Pick<AppRecord, 'clientId'>, change: () => Promise<unknown>) {
  const before = (await auditRowsOf(app.clientId)).length;
  await change();
  return (await auditRowsOf(app.clientId)).slice(before);
}

const row = (action: string, details: Record<string, unknown> = {}) => ({
  action,
  actorType: 'cli',
  actorLabel: 'cli:apps-audit',
  objectType: 'app',
  details: expect.objectContaining(details),
});

/** A dead delivery of an event the dispatcher already handled (no worker runs here). */
async function deadDelivery(appId: string): Promise<bigint> {
  const event = await prisma.outboxEvent.create({
    data: { type: 'customer.updated', payload: {}, dispatchedAt: new Date() },
    select: { id: true },
  });
  const delivery = await prisma.webhookDelivery.create({
    data: { outboxId: event.id, appId, status: 'dead', attempts: 8, lastStatus: 503 },
    select: { id: true },
  });
  return delivery.id;
}

const roles: string[] = [];
afterAll(async () => {
  for (const role of roles)
    await getPool()
      .query(`DROP OWNED BY "${role}"; DROP ROLE IF EXISTS "${role}"`)
      .catch(() => undefined);
});

describe('the registry audits each change in its transaction', () => {
  beforeAll(ensureConsentPurposes);

  it('create, rotations, disable and enable, grant and revoke, redrive: one row each, never a secret', async () => {
    const name = appName('audited');
    const created = await createApp(
      {
        name,
        purposes: 'service',
        fields: 'name',
        scopes: 'customers:read,customers:write',
        webhook: 'https://shop.example.com/hooks',
      },
      actor,
    );
    const { app } = created;
    const details = { name, clientId: app.clientId, scopes: ['customers:read', 'customers:write'] };
    expect(await auditRowsOf(app.clientId)).toEqual([row('app.create', { ...details, webhook: true })]);

    let clientSecret = '';
    expect(await added(app, async () => ({ clientSecret } = (await rotateClientSecret(app.clientId, actor))!))).toEqual(
      [row('app.secret.rotate', details)],
    );
    let webhookSecret = '';
    expect(
      await added(app, async () => {
        const rotated = await rotateWebhookSecret(app.clientId, 2, actor);
        if (rotated && rotated !== 'no-webhook') webhookSecret = rotated.webhookSecret;
      }),
    ).toEqual([row('app.webhook-secret.rotate', { ...details, overlapHours: 2 })]);

    const granted = await added(app, async () => {
      const grant = (await grantDatabaseRole(app.clientId, actor))!;
      roles.push(grant.role);
      expect(JSON.stringify(await auditRowsOf(app.clientId))).not.toContain(grant.password);
    });
    expect(granted).toEqual([row('app.db-role.grant', { name, clientId: app.clientId })]);

    const id = await deadDelivery(app.id);
    expect(await added(app, () => redriveDeliveries(app.clientId, {}, actor))).toEqual([
      row('app.deliveries.redrive', { name, clientId: app.clientId, count: 1, ids: [] }),
    ]);
    // Nothing left to redrive: nothing changed, nothing written.
    expect(await added(app, () => redriveDeliveries(app.clientId, {}, actor))).toEqual([]);
    await prisma.webhookDelivery.update({ where: { id }, data: { status: 'delivered', deliveredAt: new Date() } });
    expect(await added(app, () => redriveDeliveries(app.clientId, { ids: [id.toString()] }, actor))).toEqual([
      row('app.deliveries.redrive', { count: 1, ids: [id.toString()] }),
    ]);

    expect(await added(app, () => setAppDisabled(app.clientId, true, actor))).toEqual([row('app.disable', details)]);
    expect(await added(app, () => revokeDatabaseRole(app.clientId, actor))).toEqual([
      row('app.db-role.revoke', { name, clientId: app.clientId }),
    ]);
    expect(await added(app, () => setAppDisabled(app.clientId, false, actor))).toEqual([row('app.enable', details)]);

    const written = JSON.stringify((await auditRowsOf(app.clientId)).map((r) => r.details));
    for (const secret of [created.clientSecret, created.webhookSecret!, clientSecret, webhookSecret])
      expect(written).not.toContain(secret);
  });

  it('writes nothing for an app without a webhook asked to rotate one, or an app without a role asked to revoke it', async () => {
    const { app } = await createApp({ name: appName('plain'), purposes: 'service', fields: 'name' }, actor);
    expect(
      await added(app, async () => {
        expect(await rotateWebhookSecret(app.clientId, 24, actor)).toBe('no-webhook');
        expect(await revokeDatabaseRole(app.clientId, actor)).toEqual({ role: null });
      }),
    ).toEqual([]);
  });

  it('rolls the change back when its audit row cannot be written', async () => {
    const name = appName('rollback');
    await expect(createApp({ name, purposes: 'service', fields: 'name' }, failing())).rejects.toThrow();
    expect(await prisma.app.findUnique({ where: { name } })).toBeNull();

    const created = await createApp(
      { name, purposes: 'service', fields: 'name', webhook: 'https://shop.example.com/hooks' },
      actor,
    );
    const { app } = created;
    const stored = () =>
      prisma.app.findUniqueOrThrow({
        where: { id: app.id },
        select: { clientSecretHash: true, webhookSecret: true, disabledAt: true, dbRole: true, tokensValidAfter: true },
      });
    const before = await stored();
    const id = await deadDelivery(app.id);

    await expect(rotateClientSecret(app.clientId, failing())).rejects.toThrow();
    await expect(rotateWebhookSecret(app.clientId, 24, failing())).rejects.toThrow();
    await expect(setAppDisabled(app.clientId, true, failing())).rejects.toThrow();
    await expect(grantDatabaseRole(app.clientId, failing())).rejects.toThrow();
    await expect(redriveDeliveries(app.clientId, {}, failing())).rejects.toThrow();

    expect(await stored()).toEqual(before);
    expect(before.clientSecretHash).toBe(sha256(created.clientSecret));
    expect(await prisma.webhookDelivery.findUniqueOrThrow({ where: { id }, select: { status: true } })).toEqual({
      status: 'dead',
    });
    expect(await auditRowsOf(app.clientId)).toEqual([row('app.create')]);
    // The role the failed grant-db created went with its transaction.
    const { rows } = await getPool().query("SELECT 1 FROM pg_roles WHERE rolname LIKE $1 || '\\_%'", [
      name.replace(/-/g, '_'),
    ]);
    expect(rows).toEqual([]);

    // Revoking a role: the NOLOGIN goes back with the failed audit row.
    const grant = (await grantDatabaseRole(app.clientId, actor))!;
    roles.push(grant.role);
    await expect(revokeDatabaseRole(app.clientId, failing())).rejects.toThrow();
    const login = await getPool().query<{ rolcanlogin: boolean }>(
      'SELECT rolcanlogin FROM pg_roles WHERE rolname = $1',
      [grant.role],
    );
    expect(login.rows).toEqual([{ rolcanlogin: true }]);
  });
});
