'use server';

import { revalidatePath } from 'next/cache';

import { formField } from '@/lib/form-field';
import { SetLocaleSchema } from '@/lib/validation/locale';
import { setCustomerLocale } from '@/server/customers/account';
import { getSignedInCustomer } from '@/server/identity/auth';
import { setCookie } from '@/server/platform/cookies';

/** The language switcher. Anyone may choose a language; a signed-in customer's choice is saved. */
export async function setLocaleAction(formData: unknown): Promise<void> {
  const parsed = SetLocaleSchema.safeParse({ locale: formField(formData, 'locale') });
  if (!parsed.success) return;
  const { locale } = parsed.data;
  await setCookie('locale', locale);
  const customer = await getSignedInCustomer();
  if (customer) await setCustomerLocale(customer.id, locale);
  revalidatePath('/', 'layout');
}
