'use server';

import { revalidatePath } from 'next/cache';

import type { ActionResult, VersionedActionResult } from '@/lib/action-result';
import { DeleteSignalsSchema, formFieldOf, SavePreferencesSchema } from '@/lib/validation/preference-center';
import { requireCustomer } from '@/server/identity/auth';
import { writePreferences } from '@/server/personalization/preferences';
import { deleteSignals } from '@/server/personalization/signals';

// Thin on purpose: the session, the shared schema, then the one write path of
// server/personalization/, which the apps' API calls with its own channel.

function fieldErrors(issues: ReadonlyArray<{ path: string | ReadonlyArray<PropertyKey>; message: string }>) {
  const errors: Record<string, string> = {};
  for (const issue of issues) {
    const field = formFieldOf(issue.path);
    // Keys only: a message that is not one of ours never reaches the page.
    errors[field] ??= issue.message.startsWith('preferences.errors.') ? issue.message : 'preferences.errors.invalid';
  }
  return errors;
}

export async function savePreferencesAction(input: unknown): Promise<VersionedActionResult> {
  const customer = await requireCustomer();
  const parsed = SavePreferencesSchema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({
      ...i,
      path: i.path[0] === 'values' ? i.path.slice(1) : i.path,
    }));
    return { ok: false, fieldErrors: fieldErrors(issues) };
  }
  const { values, version } = parsed.data;
  const result = await writePreferences(customer.id, values, {
    channel: 'portal',
    appId: null,
    expectedVersion: version,
  });
  if (result.ok) {
    revalidatePath('/account/preferences');
    return { ok: true, version: result.version };
  }
  switch (result.error) {
    case 'stale':
      return { ok: false, message: 'preferences.errors.stale' };
    case 'invalid':
      return { ok: false, fieldErrors: fieldErrors(result.issues) };
    default:
      return { ok: false, message: 'preferences.errors.notFound' };
  }
}

/** Deletes the customer's own signals: ids of another customer's match nothing (deleteSignals scopes by owner). */
export async function deleteSignalsAction(input: unknown): Promise<ActionResult> {
  const customer = await requireCustomer();
  const parsed = DeleteSignalsSchema.safeParse(input);
  if (!parsed.success) return { ok: false, message: 'preferences.activity.notDeleted' };
  const deleted = await deleteSignals(customer.id, 'all' in parsed.data ? 'all' : parsed.data.ids);
  revalidatePath('/account/preferences');
  if (deleted === 0 && !('all' in parsed.data)) return { ok: false, message: 'preferences.activity.alreadyGone' };
  return { ok: true };
}
