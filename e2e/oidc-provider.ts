/**
 * A real OpenID provider for end-to-end tests (the `oidc-provider` package, the
 * certified implementation), run as its own process by Playwright:
 *
 *   npx tsx e2e/oidc-provider.ts
 *
 * Issuer http://127.0.0.1:E2E_OIDC_PORT (default 3190): another site than the app
 * (http://localhost:…), as a real provider is. One confidential client,
 * E2E_OIDC_CLIENT_ID / E2E_OIDC_CLIENT_SECRET, allowed to redirect to
 * E2E_APP_URL/api/auth/callback/test. Authorization code flow with PKCE; the ID
 * token carries email, email_verified and given_name.
 *
 * Test accounts are made by the specs, each with the email and email_verified it
 * needs:
 *   GET  /health                 200 "ok"
 *   POST /test/accounts          {"email", "emailVerified", "givenName"?} → 201 {"login"}
 * The login page (/interaction/<uid>) asks for that login ("Username", "Continue");
 * consent is implied for the one client.
 *
 * Logs one line per login and per refused request; the provider's own errors too.
 */
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';

import Provider, { type Configuration, type KoaContextWithOIDC } from 'oidc-provider';

const HOST = '127.0.0.1';
const PORT = Number(process.env.E2E_OIDC_PORT ?? 3190);
const ISSUER = `http://${HOST}:${PORT}`;
const APP_URL = (process.env.E2E_APP_URL ?? 'http://localhost:3100').replace(/\/$/, '');
const CLIENT_ID = process.env.E2E_OIDC_CLIENT_ID ?? 'accord-e2e';
const CLIENT_SECRET = process.env.E2E_OIDC_CLIENT_SECRET ?? 'accord-e2e-oidc-client-secret';

type TestAccount = { sub: string; email: string; emailVerified: boolean; givenName: string | null };
const accounts = new Map<string, TestAccount>();

// A signing key for this run only: the app fetches it from /jwks.
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), use: 'sig', alg: 'RS256' };

const configuration: Configuration = {
  clients: [
    {
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      redirect_uris: [`${APP_URL}/api/auth/callback/test`],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['given_name'] },
  // As Google does: the scopes' claims go in the ID token, which Auth.js reads.
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  features: { devInteractions: { enabled: false } },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  jwks: { keys: [signingKey] },
  async findAccount(_ctx, sub) {
    const account = accounts.get(sub);
    if (!account) return undefined;
    return {
      accountId: sub,
      claims: async () => ({
        sub,
        email: account.email,
        email_verified: account.emailVerified,
        ...(account.givenName ? { given_name: account.givenName } : {}),
      }),
    };
  },
  // First-party test client: consent is implied, so no consent page.
  async loadExistingGrant(ctx: KoaContextWithOIDC) {
    const accountId = ctx.oidc.session?.accountId;
    if (!accountId || !ctx.oidc.client) return undefined;
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId });
    grant.addOIDCScope('openid email profile');
    await grant.save();
    return grant;
  },
};

const provider = new Provider(ISSUER, configuration);
provider.on('server_error', (_ctx, error) => console.error(`oidc-provider: server error: ${error.message}`));
provider.on('authorization.error', (_ctx, error) =>
  console.error(`oidc-provider: authorization refused: ${error.message}`),
);
provider.on('grant.error', (_ctx, error) => console.error(`oidc-provider: token request refused: ${error.message}`));
const oidc = provider.callback();

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function loginPage(uid: string, error?: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Test IdP: sign in</title></head>
<body>
  <main>
    <h1>Sign in to Test IdP</h1>
    ${error ? `<p role="alert">${escapeHtml(error)}</p>` : ''}
    <form method="post" action="/interaction/${escapeHtml(uid)}/login">
      <label for="login">Username</label>
      <input id="login" name="login" autocomplete="off" autofocus>
      <button type="submit">Continue</button>
    </form>
  </main>
</body></html>`;
}

function send(res: http.ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', ISSUER);
  if (url.pathname === '/health') return send(res, 200, 'ok');

  if (url.pathname === '/test/accounts' && req.method === 'POST') {
    const input = JSON.parse(await readBody(req)) as { email?: unknown; emailVerified?: unknown; givenName?: unknown };
    if (typeof input.email !== 'string' || typeof input.emailVerified !== 'boolean') {
      return send(res, 400, 'email (string) and emailVerified (boolean) are required');
    }
    const sub = randomUUID();
    accounts.set(sub, {
      sub,
      email: input.email,
      emailVerified: input.emailVerified,
      givenName: typeof input.givenName === 'string' ? input.givenName : null,
    });
    return send(res, 201, JSON.stringify({ login: sub }), 'application/json');
  }

  const interaction = /^\/interaction\/([\w-]+)(\/login)?$/.exec(url.pathname);
  if (interaction) {
    const [, uid, login] = interaction;
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) return send(res, 400, 'interaction mismatch');
    if (!login && req.method === 'GET') return send(res, 200, loginPage(uid!), 'text/html; charset=utf-8');
    if (login && req.method === 'POST') {
      const accountId = new URLSearchParams(await readBody(req)).get('login')?.trim() ?? '';
      if (!accounts.has(accountId))
        return send(res, 200, loginPage(uid!, 'No such test account.'), 'text/html; charset=utf-8');
      console.log(`oidc-provider: login as ${accountId} (${accounts.get(accountId)!.email})`);
      await provider.interactionFinished(req, res, { login: { accountId } }, { mergeWithLastSubmission: false });
      return;
    }
    return send(res, 405, 'method not allowed');
  }

  oidc(req, res);
}

const server = http.createServer((req, res) => {
  handle(req, res).catch((error: unknown) => {
    console.error(`oidc-provider: ${req.method} ${req.url}: ${error instanceof Error ? error.message : String(error)}`);
    if (!res.headersSent) send(res, 500, 'error');
  });
});

function shutdown(signal: string): void {
  console.log(`oidc-provider: ${signal}, stopping`);
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGINT', () => shutdown('SIGINT'));
process.on('SIGTERM', () => shutdown('SIGTERM'));

server.once('error', (error: NodeJS.ErrnoException) => {
  console.error(
    error.code === 'EADDRINUSE'
      ? `oidc-provider: port ${HOST}:${PORT} is already in use (another test provider still running?)`
      : `oidc-provider: cannot listen on ${HOST}:${PORT}: ${error.message}`,
  );
  process.exit(1);
});
server.listen(PORT, HOST, () => console.log(`oidc-provider: issuer ${ISSUER}, client ${CLIENT_ID} → ${APP_URL}`));
