import 'server-only';

import type { Configuration, KoaContextWithOIDC, Provider } from 'oidc-provider';

import { CLIENT_IP_HEADER } from '@/lib/client-ip-header';
import { getPool } from '@/server/platform/db';
import { consume } from '@/server/platform/rate-limit';
import { clientIpFrom } from '@/server/platform/request-context';

import { BACKCHANNEL_GIVE_UP, BACKCHANNEL_MODEL } from './grants';

// The provider's token life cycle (issue 17 "Flows"), for server/oidc/provider.ts to
// spread into its configuration and install on its instance:
// - refresh tokens rotate on every use; oidc-provider revokes the whole grant when a
//   consumed one comes back (reuse detection), as it does for a reused authorization code;
// - revocation for a client's own tokens, introspection for the brand's confidential
//   clients (resource servers), never for public ones;
// - back-channel logout through the worker's queue (server/oidc/backchannel.ts), so a
//   logout from end_session and one from the portal's sign-out go the same way: at
//   least once, to a destination checked like a webhook's;
// - the authorization and token endpoints rate limited per client and per IP before
//   the provider runs. docs/decisions/037-openid-provider.md

export const flowsConfiguration = {
  rotateRefreshToken: true,
  features: {
    revocation: {
      enabled: true,
      // A client revokes its own tokens only; another's is left as it is (RFC 7009 §2.2 answers 200 alike).
      allowedPolicy: (_ctx: KoaContextWithOIDC, client, token) => token.clientId === client.clientId,
    },
    introspection: {
      enabled: true,
      allowedPolicy: (_ctx: KoaContextWithOIDC, client) => client.clientAuthMethod !== 'none',
    },
    backchannelLogout: { enabled: true },
  },
} satisfies Configuration;

/** Queues one back-channel logout (server/oidc/backchannel.ts sends it), outside any transaction. */
export async function queueBackchannelLogout(clientId: string, sub: string, sid: string | undefined): Promise<void> {
  await getPool().query(
    `INSERT INTO oidc_payloads (model, id, payload, client_id, expires_at)
     VALUES ($1, gen_random_uuid()::text,
             jsonb_build_object('sub', $2::text, 'sid', $3::text, 'reason', 'end-session',
                                'attempts', 0, 'nextAttemptAt', extract(epoch FROM now())::bigint),
             $4, now() + $5::interval)`,
    [BACKCHANNEL_MODEL, sub, sid ?? null, clientId, BACKCHANNEL_GIVE_UP],
  );
}

type Limited = 'oidcAuthorize' | 'oidcToken';

/** Which counted endpoint a request is for, from the provider's own routes (mounted under the issuer's path). */
function limitedEndpoint(provider: Provider, ctx: KoaContextWithOIDC): Limited | null {
  // The dispatcher strips the mount path (server/oidc/provider.ts): koa sees the routes bare.
  if (ctx.path === provider.pathFor('authorization', { mountPath: '' })) return 'oidcAuthorize';
  if (ctx.path === provider.pathFor('token', { mountPath: '' }) && ctx.method === 'POST') return 'oidcToken';
  return null;
}

/** The client id a token request names: HTTP Basic's, else the form's (read here, handed on to the provider). */
async function tokenClientId(ctx: KoaContextWithOIDC): Promise<string | undefined> {
  const basic = /^Basic (.+)$/i.exec(ctx.get('authorization'));
  if (basic) {
    const decoded = Buffer.from(basic[1]!, 'base64').toString();
    const id = decoded.slice(0, Math.max(decoded.indexOf(':'), 0));
    try {
      return decodeURIComponent(id) || undefined;
    } catch {
      return undefined;
    }
  }
  if (!ctx.is('application/x-www-form-urlencoded')) return undefined;
  // The provider parses the body itself unless it was read (lib/shared/selective_body.js): it then uses req.body.
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += (chunk as Buffer).length;
    // The provider refuses bodies over 56 KiB too; counting stops reading here.
    if (size > 56 * 1024) break;
    chunks.push(chunk as Buffer);
  }
  const body = Buffer.concat(chunks).toString();
  (ctx.req as typeof ctx.req & { body?: string }).body = body;
  return new URLSearchParams(body).get('client_id') ?? undefined;
}

/**
 * Hooks the flows into a provider instance: back-channel logouts queued rather
 * than sent inline, and the endpoints' rate limits, answered with the OAuth error
 * shape, 429 and Retry-After, before the provider reads anything else.
 */
export function installFlows(provider: Provider): void {
  provider.Client.prototype.backchannelLogout = async function queue(
    this: { clientId: string },
    sub: string,
    sid: string,
  ) {
    await queueBackchannelLogout(this.clientId, sub, sid);
  };

  provider.use(async (ctx, next) => {
    const endpoint = limitedEndpoint(provider, ctx as KoaContextWithOIDC);
    if (!endpoint) return next();
    const ip = clientIpFrom(ctx.get(CLIENT_IP_HEADER) || ctx.req.socket.remoteAddress || null);
    const clientId =
      endpoint === 'oidcAuthorize'
        ? typeof ctx.query.client_id === 'string'
          ? ctx.query.client_id
          : undefined
        : await tokenClientId(ctx as KoaContextWithOIDC);
    const checks: Array<[`${Limited}PerIp` | `${Limited}PerClient`, string]> = [[`${endpoint}PerIp`, ip]];
    // Any string a caller makes up would be a fresh bucket: only ids of the shape of ours count (the per-IP count covers the rest).
    if (clientId && /^[\w-]{1,64}$/.test(clientId)) checks.push([`${endpoint}PerClient`, clientId]);
    const limit = await consume(checks);
    if (limit.ok) return next();
    ctx.status = 429;
    ctx.set('Retry-After', String(limit.retryAfterSeconds));
    ctx.set('Cache-Control', 'no-store');
    ctx.body = {
      error: endpoint === 'oidcToken' ? 'slow_down' : 'temporarily_unavailable',
      error_description: `too many requests: try again in ${limit.retryAfterSeconds} seconds`,
    };
  });
}
