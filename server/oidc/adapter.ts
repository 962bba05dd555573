import 'server-only';

import type { Adapter, AdapterPayload } from 'oidc-provider';

import { getPool } from '@/server/platform/db';

// oidc-provider's storage on PostgreSQL (docs/decisions/037-openid-provider.md):
// every model in oidc_payloads except Client, which is the apps table. Plain pg
// through the app's pool: the token endpoint runs a few of these per request.
// Expired rows are never returned and are purged by housekeeping.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Row = { payload: AdapterPayload; consumed_at: Date | null };

function withConsumed(row: Row | undefined): AdapterPayload | undefined {
  if (!row) return undefined;
  return row.consumed_at ? { ...row.payload, consumed: Math.floor(row.consumed_at.getTime() / 1000) } : row.payload;
}

const LIVE = '(expires_at IS NULL OR expires_at > now())';

export class PostgresAdapter implements Adapter {
  constructor(private readonly model: string) {}

  async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
    const accountId = typeof payload.accountId === 'string' && UUID.test(payload.accountId) ? payload.accountId : null;
    await getPool().query(
      `INSERT INTO oidc_payloads (model, id, payload, grant_id, user_code, uid, account_id, client_id, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, CASE WHEN $9::int > 0 THEN now() + make_interval(secs => $9::int) END)
       ON CONFLICT (model, id) DO UPDATE SET payload = EXCLUDED.payload, grant_id = EXCLUDED.grant_id,
         user_code = EXCLUDED.user_code, uid = EXCLUDED.uid, account_id = EXCLUDED.account_id,
         client_id = EXCLUDED.client_id, expires_at = EXCLUDED.expires_at`,
      [
        this.model,
        id,
        payload,
        payload.grantId ?? null,
        payload.userCode ?? null,
        payload.uid ?? null,
        accountId,
        payload.clientId ?? null,
        expiresIn ? Math.ceil(expiresIn) : 0,
      ],
    );
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    if (this.model === 'Client') return findClient(id);
    const { rows } = await getPool().query<Row>(
      `SELECT payload, consumed_at FROM oidc_payloads WHERE model = $1 AND id = $2 AND ${LIVE}`,
      [this.model, id],
    );
    return withConsumed(rows[0]);
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    const { rows } = await getPool().query<Row>(
      `SELECT payload, consumed_at FROM oidc_payloads WHERE model = $1 AND user_code = $2 AND ${LIVE} LIMIT 1`,
      [this.model, userCode],
    );
    return withConsumed(rows[0]);
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    const { rows } = await getPool().query<Row>(
      `SELECT payload, consumed_at FROM oidc_payloads WHERE model = $1 AND uid = $2 AND ${LIVE} LIMIT 1`,
      [this.model, uid],
    );
    return withConsumed(rows[0]);
  }

  async consume(id: string): Promise<void> {
    await getPool().query('UPDATE oidc_payloads SET consumed_at = now() WHERE model = $1 AND id = $2', [
      this.model,
      id,
    ]);
  }

  async destroy(id: string): Promise<void> {
    await getPool().query('DELETE FROM oidc_payloads WHERE model = $1 AND id = $2', [this.model, id]);
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    await getPool().query('DELETE FROM oidc_payloads WHERE model = $1 AND grant_id = $2', [this.model, grantId]);
  }
}

type AppClientRow = {
  client_id: string;
  name: string;
  client_secret_hash: string;
  client_type: string;
  redirect_uris: string[] | null;
  post_logout_redirect_uris: string[] | null;
  oidc_scopes: string[] | null;
  backchannel_logout_uri: string | null;
};

/**
 * A registered, enabled app as oidc-provider client metadata. The "secret" is
 * the stored SHA-256: server/oidc/provider.ts compares a presented secret by
 * hashing it, and no symmetric algorithm (which would key on it) is enabled.
 * An app without redirect URIs may only call introspection and revocation.
 */
async function findClient(clientId: string): Promise<AdapterPayload | undefined> {
  const { rows } = await getPool().query<AppClientRow>(
    `SELECT client_id, name, client_secret_hash, client_type, redirect_uris, post_logout_redirect_uris,
            oidc_scopes, backchannel_logout_uri
       FROM apps WHERE client_id = $1 AND disabled_at IS NULL`,
    [clientId],
  );
  const app = rows[0];
  if (!app) return undefined;
  const redirectUris = app.redirect_uris ?? [];
  const isPublic = app.client_type === 'public';
  const oidc = redirectUris.length > 0;
  return {
    client_id: app.client_id,
    client_name: app.name,
    ...(isPublic ? {} : { client_secret: app.client_secret_hash }),
    token_endpoint_auth_method: isPublic ? 'none' : 'client_secret_basic',
    redirect_uris: redirectUris,
    post_logout_redirect_uris: app.post_logout_redirect_uris ?? [],
    grant_types: oidc ? ['authorization_code', 'refresh_token'] : [],
    response_types: oidc ? ['code'] : [],
    scope: ['openid', ...(app.oidc_scopes ?? []).filter((scope) => scope !== 'openid')].join(' '),
    ...(app.backchannel_logout_uri
      ? { backchannel_logout_uri: app.backchannel_logout_uri, backchannel_logout_session_required: true }
      : {}),
  };
}
