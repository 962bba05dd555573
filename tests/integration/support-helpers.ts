import { randomUUID } from 'node:crypto';

import { sha256 } from '@/server/platform/crypto';
import { prisma } from '@/server/platform/db';
import type { StaffActor } from '@/server/staff/auth';
import { createCustomer, createStaffMember } from '@/tests/factories';

import { uniqueEmail } from './helpers';

export const CHROME_ON_MACOS =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36';

/** A support agent as requirePermission returns one. */
export async function supportAgent(name = 'Sam Support'): Promise<StaffActor> {
  const staff = await createStaffMember({ roles: ['support-agent'], displayName: name });
  return {
    id: staff.id,
    sessionId: randomUUID(),
    email: staff.email,
    displayName: staff.displayName,
    roles: ['support-agent'],
    locale: 'en',
    authenticatedAt: new Date(),
    audit: { type: 'staff', staffId: staff.id, label: staff.email, requestId: `req-${randomUUID()}` },
  };
}

/** A customer with one open portal session (on Chrome on macOS), as the portal's requireCustomer sees it. */
export async function customerInSession(): Promise<{ id: string; email: string; sessionId: string }> {
  const customer = await createCustomer({ email: uniqueEmail('support') });
  const sessionId = await openSession(customer.id);
  return { ...customer, sessionId };
}

export async function openSession(customerId: string): Promise<string> {
  const session = await prisma.session.create({
    data: {
      sessionToken: sha256(randomUUID()),
      userId: customerId,
      expires: new Date(Date.now() + 24 * 60 * 60 * 1000),
      authMethod: 'test-fixture',
      userAgent: CHROME_ON_MACOS,
    },
    select: { id: true },
  });
  return session.id;
}

export const auditActions = async (staffId: string) =>
  (await prisma.auditLog.findMany({ where: { actorStaffId: staffId }, orderBy: { id: 'asc' } })).map((r) => r.action);
