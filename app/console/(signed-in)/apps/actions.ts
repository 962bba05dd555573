'use server';

import { revalidatePath } from 'next/cache';

import { fieldErrorsFrom, type ActionFailure, type ActionResult } from '@/lib/action-result';
import {
  AppInputSchema,
  AppRefSchema,
  AppSignInSchema,
  RedriveSchema,
  SetAppDisabledSchema,
} from '@/lib/validation/app';
import { DatabaseRoleError, grantDatabaseRole, revokeDatabaseRole } from '@/server/apps/db-roles';
import {
  AppInputError,
  createApp,
  rotateClientSecret,
  rotateWebhookSecret,
  setAppDisabled,
  updateAppSignIn,
} from '@/server/apps/registry';
import { redriveDeliveries } from '@/server/apps/webhooks';
import { errorMessage, getLogger } from '@/server/platform/log';
import { requirePermission } from '@/server/staff/auth';

// The console's side of `npm run apps`: the same registry functions, audited as
// the signed-in member. A secret comes back once, in the result, for the dialog
// that shows it; it is never logged, stored in the page or put in a URL.

/** A secret to show once: a client secret, a webhook secret or a database URL with its password. */
export type SecretResult = { ok: true; secret: string } | ActionFailure;

export type CreateAppResult =
  { ok: true; clientId: string; clientSecret: string; webhookSecret: string | null } | ActionFailure;

const NOT_FOUND: ActionFailure = { ok: false, message: 'console.apps.errors.notFound' };

/** How often the webhook secret being replaced keeps signing (the CLI's default). */
const WEBHOOK_OVERLAP_HOURS = 24;

export async function createAppAction(input: unknown): Promise<CreateAppResult> {
  const actor = await requirePermission('apps.manage');
  const parsed = AppInputSchema.safeParse(input);
  if (!parsed.success) return { ok: false, fieldErrors: fieldErrorsFrom(parsed.error.issues) };
  try {
    const { app, clientSecret, webhookSecret } = await createApp(parsed.data, actor.audit);
    revalidatePath('/console/apps');
    return { ok: true, clientId: app.clientId, clientSecret, webhookSecret };
  } catch (error) {
    if (error instanceof AppInputError) return { ok: false, fieldErrors: error.fieldErrors, values: error.values };
    throw error;
  }
}

export async function rotateClientSecretAction(input: unknown): Promise<SecretResult> {
  const actor = await requirePermission('apps.manage');
  const parsed = AppRefSchema.safeParse(input);
  if (!parsed.success) return NOT_FOUND;
  const rotated = await rotateClientSecret(parsed.data.clientId, actor.audit);
  if (!rotated) return NOT_FOUND;
  revalidatePath(`/console/apps/${rotated.app.clientId}`);
  return { ok: true, secret: rotated.clientSecret };
}

export async function rotateWebhookSecretAction(input: unknown): Promise<SecretResult> {
  const actor = await requirePermission('apps.manage');
  const parsed = AppRefSchema.safeParse(input);
  if (!parsed.success) return NOT_FOUND;
  const rotated = await rotateWebhookSecret(parsed.data.clientId, WEBHOOK_OVERLAP_HOURS, actor.audit);
  if (!rotated) return NOT_FOUND;
  if (rotated === 'no-webhook') return { ok: false, message: 'console.apps.errors.noWebhook' };
  return { ok: true, secret: rotated.webhookSecret };
}

/** Disabling also takes the app's database login away, as `npm run apps -- disable` does. */
export async function setAppDisabledAction(input: unknown): Promise<ActionResult> {
  const actor = await requirePermission('apps.manage');
  const parsed = SetAppDisabledSchema.safeParse(input);
  if (!parsed.success) return NOT_FOUND;
  const { clientId, disabled } = parsed.data;
  const app = await setAppDisabled(clientId, disabled, actor.audit);
  if (!app) return NOT_FOUND;
  if (disabled) await revokeDatabaseRole(clientId, actor.audit);
  revalidatePath('/console/apps', 'layout');
  return { ok: true };
}

export async function grantDatabaseRoleAction(input: unknown): Promise<SecretResult> {
  const actor = await requirePermission('apps.manage');
  const parsed = AppRefSchema.safeParse(input);
  if (!parsed.success) return NOT_FOUND;
  try {
    const granted = await grantDatabaseRole(parsed.data.clientId, actor.audit);
    if (!granted) return NOT_FOUND;
    revalidatePath(`/console/apps/${parsed.data.clientId}`);
    return { ok: true, secret: granted.url };
  } catch (error) {
    if (!(error instanceof DatabaseRoleError)) throw error;
    getLogger().warn({ component: 'console-apps' }, `grant-db refused: ${errorMessage(error)}`);
    return { ok: false, message: 'console.apps.errors.dbRoleRefused' };
  }
}

export async function revokeDatabaseRoleAction(input: unknown): Promise<ActionResult> {
  const actor = await requirePermission('apps.manage');
  const parsed = AppRefSchema.safeParse(input);
  if (!parsed.success) return NOT_FOUND;
  if (!(await revokeDatabaseRole(parsed.data.clientId, actor.audit))) return NOT_FOUND;
  revalidatePath(`/console/apps/${parsed.data.clientId}`);
  return { ok: true };
}

export async function redriveDeliveriesAction(input: unknown): Promise<{ ok: true; count: number } | ActionFailure> {
  const actor = await requirePermission('apps.manage');
  const parsed = RedriveSchema.safeParse(input);
  if (!parsed.success) return NOT_FOUND;
  const { clientId, ids } = parsed.data;
  const count = await redriveDeliveries(clientId, ids ? { ids } : {}, actor.audit);
  if (count === null) return NOT_FOUND;
  revalidatePath(`/console/apps/${clientId}`);
  return { ok: true, count };
}

/** The app's sign-in settings, all at once (server/apps/registry.ts updateAppSignIn). */
export async function updateAppSignInAction(input: unknown): Promise<ActionResult> {
  const actor = await requirePermission('apps.manage');
  const parsed = AppSignInSchema.safeParse(input);
  if (!parsed.success) return { ok: false, fieldErrors: fieldErrorsFrom(parsed.error.issues) };
  try {
    const app = await updateAppSignIn(parsed.data, actor.audit);
    if (!app) return NOT_FOUND;
    revalidatePath(`/console/apps/${app.clientId}`);
    return { ok: true };
  } catch (error) {
    if (error instanceof AppInputError) return { ok: false, fieldErrors: error.fieldErrors, values: error.values };
    throw error;
  }
}
