import { describe, expect, it } from 'vitest';

import { setCustomerLocale } from '@/server/customers/account';
import { getProfile, listProfileChanges, updateProfile } from '@/server/customers/profile';
import { prisma } from '@/server/platform/db';
import { createCustomer } from '@/tests/factories';

import { uniqueEmail } from './helpers';

const portal = (expectedVersion: number | null) => ({ channel: 'portal', expectedVersion });

async function version(customerId: string): Promise<number> {
  return (await prisma.user.findUniqueOrThrow({ where: { id: customerId }, select: { version: true } })).version;
}

const outbox = (customerId: string) =>
  prisma.outboxEvent.findMany({ where: { customerId }, orderBy: { id: 'asc' }, select: { type: true, payload: true } });

describe('updateProfile', () => {
  it('writes the attributes, one history row each, and exactly one customer.updated event, with provenance', async () => {
    const customer = await createCustomer({ email: uniqueEmail() });
    const v = await version(customer.id);
    const result = await updateProfile(
      customer.id,
      {
        firstName: 'Zoé',
        lastName: "O'Brien",
        phone: '+33 6 12 34 56 78',
        addresses: {
          home: { country: 'GB', line1: '221B Baker Street', line2: '', postalCode: 'nw16xe', city: 'London' },
        },
      },
      portal(v),
    );
    expect(result).toEqual({ ok: true, version: v + 1, changed: ['firstName', 'lastName', 'phone', 'address.home'] });

    const profile = await getProfile(customer.id);
    expect(profile).toMatchObject({
      firstName: 'Zoé',
      lastName: "O'Brien",
      phone: '+33612345678',
      version: v + 1,
      addresses: {
        home: { country: 'GB', line1: '221B Baker Street', line2: null, postalCode: 'NW1 6XE', city: 'London' },
        billing: null,
        shipping: null,
      },
    });
    expect(profile!.provenance.phone).toMatchObject({ channel: 'portal', verified: false });
    expect((await listProfileChanges(customer.id)).map((c) => [c.attribute, c.oldValue, c.newValue])).toEqual(
      expect.arrayContaining([
        ['firstName', 'Alex', 'Zoé'],
        ['phone', null, '+33612345678'],
      ]),
    );
    const events = await outbox(customer.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'customer.updated',
      payload: { fields: ['firstName', 'lastName', 'phone', 'address.home'], channel: 'portal', version: v + 1 },
    });
  });

  it('records the app that wrote as the channel (as the API will)', async () => {
    const customer = await createCustomer({ email: uniqueEmail() });
    await updateProfile(
      customer.id,
      { lastName: 'Durand' },
      { channel: 'Checkbook app', expectedVersion: await version(customer.id) },
    );
    expect((await getProfile(customer.id))!.provenance.lastName).toMatchObject({ channel: 'Checkbook app' });
  });

  it("refuses the write, writing nothing, when the writer's authorization (checked under the row lock) says no", async () => {
    const customer = await createCustomer({ email: uniqueEmail() });
    const before = await version(customer.id);
    let asked = 0;
    const authorize = async () => {
      asked++;
      return false;
    };
    expect(
      await updateProfile(
        customer.id,
        { lastName: 'Durand' },
        { channel: 'Checkbook app', expectedVersion: before, authorize },
      ),
    ).toEqual({ ok: false, reason: 'forbidden' });
    expect(asked).toBe(1);
    expect(await version(customer.id)).toBe(before);
    expect(await outbox(customer.id)).toEqual([]);
  });

  it('writes nothing, and no event, for invalid input or an unchanged value', async () => {
    const customer = await createCustomer({ email: uniqueEmail() });
    const v = await version(customer.id);
    for (const bad of [
      { phone: '+33 1' },
      { firstName: '<script>alert(1)</script>' },
      { lastName: 'x'.repeat(101) },
      { addresses: { home: { country: 'FR', line1: '1 rue', line2: '', postalCode: 'SW1A 1AA', city: 'Paris' } } },
      { addresses: { home: { country: 'ZZ', line1: '1 rue', line2: '', postalCode: '75011', city: 'Paris' } } },
      { email: 'other@example.test' },
      { customerId: '00000000-0000-0000-0000-000000000000', firstName: 'Eve' },
    ]) {
      expect(await updateProfile(customer.id, bad, portal(v))).toMatchObject({ ok: false, reason: 'invalid' });
    }
    expect(await updateProfile(customer.id, { firstName: 'Alex' }, portal(v))).toEqual({
      ok: true,
      version: v,
      changed: [],
    });
    expect(await version(customer.id)).toBe(v);
    expect(await outbox(customer.id)).toEqual([]);
    expect(await prisma.profileChange.count({ where: { customerId: customer.id } })).toBe(0);
  });

  it('refuses a stale write to an attribute changed since, with both values, and writes nothing', async () => {
    const customer = await createCustomer({ email: uniqueEmail() });
    const loaded = await version(customer.id);
    expect(await updateProfile(customer.id, { firstName: 'Tab-A' }, portal(loaded))).toMatchObject({ ok: true });
    const second = await updateProfile(customer.id, { firstName: 'Tab-B' }, portal(loaded));
    expect(second).toEqual({
      ok: false,
      reason: 'conflict',
      version: loaded + 1,
      conflicts: [{ attribute: 'firstName', yours: 'Tab-B', current: 'Tab-A' }],
    });
    expect((await getProfile(customer.id))!.firstName).toBe('Tab-A');
    expect(await outbox(customer.id)).toHaveLength(1);
  });

  it('accepts a stale write to attributes nobody else changed, and refuses it when asked to (If-Match)', async () => {
    const customer = await createCustomer({ email: uniqueEmail() });
    const loaded = await version(customer.id);
    await setCustomerLocale(customer.id, 'fr');
    expect(await updateProfile(customer.id, { lastName: 'Martin' }, portal(loaded))).toMatchObject({
      ok: true,
      changed: ['lastName'],
    });
    expect(
      await updateProfile(
        customer.id,
        { lastName: 'Petit' },
        { channel: 'app', expectedVersion: loaded, onStale: 'reject' },
      ),
    ).toMatchObject({
      ok: false,
      reason: 'conflict',
      conflicts: [{ attribute: 'lastName', yours: 'Petit', current: 'Martin' }],
    });
  });

  it('treats every attribute as changed when a writer bypassed the history', async () => {
    const customer = await createCustomer({ email: uniqueEmail() });
    const loaded = await version(customer.id);
    await prisma.user.update({ where: { id: customer.id }, data: { version: { increment: 1 } } });
    expect(await updateProfile(customer.id, { lastName: 'Martin' }, portal(loaded))).toMatchObject({
      ok: false,
      reason: 'conflict',
    });
  });

  it('loses nothing under 50 concurrent conflicting writes', async () => {
    const customer = await createCustomer({ email: uniqueEmail() });
    const loaded = await version(customer.id);
    // Names are letters only: "Writer-ba", "Writer-bb"…
    const name = (i: number) =>
      `Writer-${String.fromCharCode(97 + Math.floor(i / 26))}${String.fromCharCode(97 + (i % 26))}`;
    const writes = Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? { firstName: name(i) } : { lastName: name(i) }));
    const results = await Promise.all(writes.map((w) => updateProfile(customer.id, w, portal(loaded))));
    expect(results.every((r) => r.ok || r.reason === 'conflict')).toBe(true);
    const succeeded = writes.filter((_, i) => results[i]!.ok);
    // One first name and one last name win; every other writer is told, none is silently overwritten.
    expect(succeeded).toHaveLength(2);
    const profile = (await getProfile(customer.id))!;
    for (const w of succeeded) expect(profile).toMatchObject(w);
    for (const r of results)
      if (!r.ok && r.reason === 'conflict')
        expect([profile.firstName, profile.lastName]).toContain(r.conflicts[0]!.current);
    expect(profile.version).toBe(loaded + 2);
    expect(await prisma.profileChange.count({ where: { customerId: customer.id } })).toBe(2);
    expect(await prisma.outboxEvent.count({ where: { customerId: customer.id } })).toBe(2);
  });

  it('applies 50 concurrent unconditional language switches one after the other, each with its history and event', async () => {
    const customer = await createCustomer({ email: uniqueEmail() });
    const before = await version(customer.id);
    await Promise.all(Array.from({ length: 50 }, (_, i) => setCustomerLocale(customer.id, i % 2 ? 'fr' : 'en')));
    const changes = await prisma.profileChange.count({ where: { customerId: customer.id } });
    expect(await version(customer.id)).toBe(before + changes);
    expect(await prisma.outboxEvent.count({ where: { customerId: customer.id } })).toBe(changes);
  });
});
