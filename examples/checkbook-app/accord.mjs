// Accord's public API as this app uses it: a client-credentials token
// (RFC 6749 section 4.4), cached and refreshed before it expires, and
// GET /api/v1/customers/{id}.

/** Refresh this long before the token's end, so no request leaves with a token about to expire. */
const REFRESH_MARGIN_MS = 30_000;
const REQUEST_TIMEOUT_MS = 5_000;

export class AccordError extends Error {
  /** @param {string} message @param {number} status @param {unknown} [problem] */
  constructor(message, status, problem) {
    super(message);
    this.status = status;
    this.problem = problem;
  }
}

/**
 * @param {{ accordUrl: string, clientId: string, clientSecret: string, fetch?: typeof fetch }} options
 */
export function createAccordClient({ accordUrl, clientId, clientSecret, fetch: fetchImpl = fetch }) {
  const base = accordUrl.replace(/\/+$/, '');
  /** @type {{ value: string, refreshAt: number } | null} */
  let token = null;
  /** One token request at a time: concurrent callers share it. */
  /** @type {Promise<string> | null} */
  let pending = null;

  async function requestToken() {
    const started = Date.now();
    const res = await fetchImpl(`${base}/api/oauth/token`, {
      method: 'POST',
      headers: {
        // client_secret_basic: both parts form-urlencoded first (RFC 6749 section 2.3.1).
        authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: new URLSearchParams({ grant_type: 'client_credentials' }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const body = await res.json().catch(() => null);
    if (!res.ok || typeof body?.access_token !== 'string') {
      throw new AccordError(
        `token request refused: ${res.status} ${body?.error ?? ''} ${body?.error_description ?? ''}`.trim(),
        res.status,
        body,
      );
    }
    const lifetimeMs = (Number(body.expires_in) || 60) * 1000;
    // Half the lifetime at most, for very short-lived tokens.
    const margin = Math.min(REFRESH_MARGIN_MS, lifetimeMs / 2);
    token = { value: body.access_token, refreshAt: started + lifetimeMs - margin };
    return token.value;
  }

  async function accessToken() {
    if (token && Date.now() < token.refreshAt) return token.value;
    pending ??= requestToken().finally(() => {
      pending = null;
    });
    return pending;
  }

  /** A GET with the bearer token; on a 401 (token revoked, secret rotated) one new token and one retry. */
  async function get(path) {
    for (let attempt = 0; ; attempt++) {
      const bearer = await accessToken();
      const res = await fetchImpl(`${base}${path}`, {
        headers: { authorization: `Bearer ${bearer}`, accept: 'application/json' },
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      if (res.status === 401 && attempt === 0) {
        await res.body?.cancel();
        if (token?.value === bearer) token = null;
        continue;
      }
      return res;
    }
  }

  return {
    /**
     * The customer as Accord shares them with this app (fields it may not see
     * are absent), or null when Accord knows no such customer for this app.
     */
    async getCustomer(id) {
      const res = await get(`/api/v1/customers/${encodeURIComponent(id)}`);
      if (res.status === 404) {
        await res.body?.cancel();
        return null;
      }
      const body = await res.json().catch(() => null);
      if (!res.ok)
        throw new AccordError(`GET customer ${id}: ${res.status} ${body?.title ?? ''}`.trim(), res.status, body);
      return body;
    },
  };
}
