'use server';

import { redirect } from 'next/navigation';

import { formField } from '@/lib/form-field';
import { EmailSchema } from '@/lib/validation/email';
import { findCustomerIdByEmail } from '@/server/staff/audit-query';
import { requirePermission } from '@/server/staff/auth';

/** By exact email in a POST, so the address stays out of URLs and access logs; the page then goes by id. */
export async function findCustomerAccessAction(formData: unknown): Promise<void> {
  await requirePermission('audit.view');
  const parsed = EmailSchema.safeParse(formField(formData, 'email'));
  if (!parsed.success) redirect('/console/audit/customer?error=invalid');
  const customerId = await findCustomerIdByEmail(parsed.data);
  redirect(customerId ? `/console/audit/customer?id=${customerId}` : '/console/audit/customer?error=not-found');
}
