'use server';

import { headers } from 'next/headers';
import { redirect } from 'next/navigation';

import { writeAudit } from '@/server/platform/audit';
import { prisma } from '@/server/platform/db';
import { requestIdOf } from '@/server/platform/errors';
import { requireStaff } from '@/server/staff/auth';
import { endStaffSession } from '@/server/staff/sessions';

/** Ends this console session (the row goes, the cookie with it) and audits it. */
export async function staffSignOutAction(): Promise<void> {
  const staff = await requireStaff();
  const requestId = requestIdOf(await headers());
  await prisma.$transaction((tx) =>
    writeAudit(
      tx,
      { type: 'staff', staffId: staff.id, label: staff.email, requestId },
      {
        action: 'staff.sign-out',
        objectId: staff.id,
      },
    ),
  );
  await endStaffSession();
  redirect('/console/signin');
}
