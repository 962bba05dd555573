import 'server-only';

import { randomUUID } from 'node:crypto';

import type { Provider } from 'oidc-provider';
import type { Logger } from 'pino';

import { describeFailure, postTo } from '@/server/apps/webhooks/delivery';
import { resolveDestination } from '@/server/apps/webhooks/destination';
import { getPool } from '@/server/platform/db';
import { getEnv } from '@/server/platform/env';
import { getLogger } from '@/server/platform/log';

import { BACKCHANNEL_MODEL } from './grants';

// Sends the queued back-channel logouts (OpenID Connect Back-Channel Logout 1.0): a
// logout_token signed with the provider's current key, POSTed to the app's
// backchannel_logout_uri after the same destination check as a webhook's
// (docs/decisions/026-session-age-and-webhook-destinations.md), never following a
// redirect. At least once: a row is claimed by pushing its next try into the future,
// so a crash mid-send retries it; it is done once the app answers 200 or 204. A row
// still undelivered after a day expires and housekeeping purges it.

const BATCH = 20;
const BACKOFF_S = [5, 30, 120, 600, 1800, 3600];

type Claimed = { id: string; client_id: string; payload: { sub: string; sid: string | null; attempts: number } };

export type BackchannelOutcome = { id: string; clientId: string; delivered: boolean; error: string | null };

/** The logout token oidc-provider's own Client#backchannelLogout builds, sid always included. */
export async function logoutToken(provider: Provider, clientId: string, sub: string, sid: string | null) {
  const client = await provider.Client.find(clientId);
  if (!client?.backchannelLogoutUri) return null;
  const token = new provider.IdToken({ sub }, { client, ctx: undefined });
  // The claims are set here, none drawn from the account: no scope mask.
  (token as unknown as { mask: Record<string, null> }).mask = { sub: null };
  token.set('events', { 'http://schemas.openid.net/event/backchannel-logout': {} });
  token.set('jti', randomUUID());
  if (sid) token.set('sid', sid);
  return { uri: client.backchannelLogoutUri, token: await token.issue({ use: 'logout' }) };
}

/** One pass over the queue: claims what is due, sends it, records each outcome. */
export async function deliverBackchannelLogouts(provider: Provider): Promise<BackchannelOutcome[]> {
  const env = getEnv();
  const { rows } = await getPool().query<Claimed>(
    `UPDATE oidc_payloads p
     SET payload = p.payload || jsonb_build_object(
           'attempts', coalesce((p.payload->>'attempts')::int, 0) + 1,
           'nextAttemptAt', extract(epoch FROM now())::bigint
             + ($3::int[])[least(coalesce((p.payload->>'attempts')::int, 0) + 1, array_length($3::int[], 1))])
     WHERE (p.model, p.id) IN (
       SELECT model, id FROM oidc_payloads
       WHERE model = $1 AND consumed_at IS NULL AND expires_at > now()
         AND (payload->>'nextAttemptAt')::bigint <= extract(epoch FROM now())
       ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED)
     RETURNING p.id, p.client_id, p.payload`,
    [BACKCHANNEL_MODEL, BATCH, BACKOFF_S],
  );
  const outcomes: BackchannelOutcome[] = [];
  for (const row of rows) {
    let error: string | null = null;
    let done = false;
    try {
      const built = await logoutToken(provider, row.client_id, row.payload.sub, row.payload.sid);
      if (!built) {
        // The app no longer takes back-channel logouts (or is gone): nothing to send.
        done = true;
      } else {
        const url = new URL(built.uri);
        const destination = await resolveDestination(url.hostname, env.WEBHOOK_ALLOW_PRIVATE);
        if (!destination.ok) error = destination.error;
        else {
          const status = await postTo(url, destination.addresses, {
            headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'Accord-OIDC/1' },
            body: new URLSearchParams({ logout_token: built.token }).toString(),
            timeoutMs: env.WEBHOOK_TIMEOUT_MS,
          });
          done = status === 200 || status === 204;
          if (!done) error = `HTTP ${status}`;
        }
      }
    } catch (sendError) {
      error = describeFailure(sendError, env.WEBHOOK_TIMEOUT_MS);
    }
    if (done) {
      await getPool().query('UPDATE oidc_payloads SET consumed_at = now() WHERE model = $1 AND id = $2', [
        BACKCHANNEL_MODEL,
        row.id,
      ]);
    }
    outcomes.push({ id: row.id, clientId: row.client_id, delivered: done, error });
  }
  return outcomes;
}

/**
 * Polls the queue every `intervalMs` with one provider instance, made at the first
 * pass (again after a failure to make it). The returned function stops it and waits
 * for a pass in progress.
 */
export function startBackchannelWorker(
  createProvider: () => Promise<Provider>,
  options: { intervalMs?: number; log?: Logger } = {},
): () => Promise<void> {
  const log = (options.log ?? getLogger()).child({ component: 'oidc-backchannel' });
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let provider: Promise<Provider> | undefined;
  const getProvider = () =>
    (provider ??= createProvider().catch((error: unknown) => {
      provider = undefined;
      throw error;
    }));
  const run = () => {
    running = getProvider()
      .then(deliverBackchannelLogouts)
      .then((outcomes) => {
        // Ids and outcomes only: never a token or a subject.
        for (const o of outcomes.filter((o) => o.error))
          log.warn({ id: o.id, app: o.clientId, error: o.error }, 'back-channel logout not delivered');
      })
      .catch((error: unknown) => log.error(`back-channel logouts failed: ${describeFailure(error, 0)}`))
      .finally(() => {
        if (!stopped) timer = setTimeout(run, options.intervalMs ?? 2_000).unref();
      });
  };
  timer = setTimeout(run, 0).unref();
  return async () => {
    stopped = true;
    clearTimeout(timer);
    await running;
  };
}
