// `npm run bench -- --oidc`: the OpenID provider's hot paths (issue 17, "Performance"),
// interleaved in rounds with the bare one-query route handler of bench/baseline/:
//   POST /oidc/token, grant_type=authorization_code (a code minted for this run, PKCE S256,
//     client_secret_basic): an ID token and an access token signed, the code consumed;
//   POST /oidc/token, grant_type=refresh_token (a refresh token minted for this run):
//     rotated, a new access token and ID token;
//   GET /oidc/me (userinfo, bearer token): the claims through the consent policy, the read logged;
// each at least 50% of the bare route's requests/s. Codes and refresh tokens are single-use:
// each run mints its own (through the provider's own models, in this process, on the same
// database) before its CPU counters start, and sends each once.
import fs from 'node:fs';
import path from 'node:path';

import * as oidc from 'openid-client';

import { repoRoot } from '../db/postgres';
import { onCleanup } from './cleanup';
import type { BenchDatabase } from './database';
import { measure, verify, type Sample, type Servers } from './load';
import { API_RATE_LIMIT, dataDir, fail, log, options } from './options';
import { printReport } from './report';
import { accordApp, baselineApp, build, startServer, type App } from './servers';
import { EXTRA_ACCORD_ROUTES, type BenchTarget } from './targets';

const OIDC_APP = 'bench-oidc';
/** Issue 17: each of the provider's targets at least this share of the bare route's requests/s. */
const GOAL_RPS = 0.5;
/** Bodies minted for a run before its first measure; later runs mint what the last one sent per second. */
const FIRST_GUESS_RPS = 200;
const REDIRECT_URI = 'https://bench.example/callback';
const SCOPE = 'openid profile email offline_access';

/**
 * Accord as the main bench runs it, with the provider's per-client and per-IP
 * limits out of reach (one client, one address here): their check still runs
 * on every request, as in production.
 */
const accordOidcApp: App = {
  ...accordApp,
  env: (origin) => ({
    ...accordApp.env(origin),
    RATE_LIMIT_OIDC_PER_CLIENT: String(API_RATE_LIMIT * 1000),
    RATE_LIMIT_OIDC_PER_IP: String(API_RATE_LIMIT * 1000),
  }),
};

type Minter = {
  codes(n: number): Promise<string[]>;
  refreshTokens(n: number): Promise<string[]>;
  accessToken(): Promise<string>;
};

const json = (body: string) => {
  try {
    return JSON.parse(body) as Record<string, unknown>;
  } catch {
    return null;
  }
};

/** Returns how many goals were missed. */
export async function benchOidc(
  db: BenchDatabase,
  customers: number,
  ctx: { customer: { id: string; firstName: string }; idsFile: string; sampleId: string },
): Promise<number> {
  const seed = await import('./seed');
  const { prisma } = await import('../../server/platform/db');
  const app = await seed.replaceBenchApp({
    name: OIDC_APP,
    description: 'npm run bench -- --oidc',
    purposes: 'service',
    fields: 'name,email',
    rateLimitPerMinute: API_RATE_LIMIT,
  });
  onCleanup(() => seed.removeBenchApp(OIDC_APP));
  await prisma.$executeRaw`
    UPDATE apps SET redirect_uris = ${[REDIRECT_URI]}, oidc_scopes = ${SCOPE.split(' ')},
           required_claims = ${['name', 'given_name', 'family_name', 'email', 'email_verified']}
     WHERE id = ${app.app.id}::uuid`;
  const basic = `Basic ${Buffer.from(`${encodeURIComponent(app.app.clientId)}:${encodeURIComponent(app.clientSecret)}`).toString('base64')}`;
  const verifier = oidc.randomPKCECodeVerifier();
  const form = { 'content-type': 'application/x-www-form-urlencoded', authorization: basic };

  const targets: BenchTarget[] = [];
  const files = { code: path.join(dataDir, 'oidc-codes.txt'), refresh: path.join(dataDir, 'oidc-refresh.txt') };
  fs.mkdirSync(dataDir, { recursive: true });
  const userinfoHeaders: Record<string, string> = {};
  /** Made once the server has started the provider (its keys, its tables). */
  const minting: { minter?: Minter } = {};
  const mint = () => minting.minter ?? fail('the provider is not started yet');
  /** Requests/s of each single-use target's last run: how many bodies the next run needs. */
  const lastRps = new Map<string, number>();
  const bodiesFor = (key: string) =>
    Math.max(50, Math.ceil((lastRps.get(key) ?? FIRST_GUESS_RPS) * options.durationS * 1.1));
  const codeBody = (code: string) =>
    new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT_URI,
      code_verifier: verifier,
    }).toString();
  const refreshBody = (token: string) =>
    new URLSearchParams({ grant_type: 'refresh_token', refresh_token: token }).toString();
  const tokenCheck = (withRefresh: boolean) => (_res: Response, body: string) => {
    const t = json(body);
    if (typeof t?.access_token !== 'string') return 'no access token';
    if (typeof t.id_token !== 'string') return 'no ID token';
    if (withRefresh && typeof t.refresh_token !== 'string') return 'no rotated refresh token';
    return null;
  };

  targets.push(
    {
      key: 'bare-route',
      label: 'bare route handler',
      server: 'baseline',
      path: '/customers/{id}',
      route: '/customers/[id]',
      idsFile: ctx.idsFile,
      sampleId: ctx.sampleId,
      headers: {},
      check: (_res, body) => (json(body)?.id === ctx.sampleId ? null : 'not the customer asked for'),
    },
    {
      key: 'oidc-code',
      label: 'POST /oidc/token (authorization_code, PKCE)',
      server: 'accord',
      path: '/oidc/token',
      route: '/oidc/token',
      method: 'POST',
      headers: form,
      bodiesFile: files.code,
      sampleBody: async () => codeBody((await mint().codes(1))[0]!),
      prepare: async () => {
        const codes = await mint().codes(bodiesFor('oidc-code'));
        fs.writeFileSync(files.code, `${codes.map(codeBody).join('\n')}\n`);
      },
      compare: { with: 'bare-route', minRpsRatio: GOAL_RPS, maxP99Ratio: null },
      check: tokenCheck(true),
    },
    {
      key: 'oidc-refresh',
      label: 'POST /oidc/token (refresh_token, rotated)',
      server: 'accord',
      path: '/oidc/token',
      route: '/oidc/token',
      method: 'POST',
      headers: form,
      bodiesFile: files.refresh,
      sampleBody: async () => refreshBody((await mint().refreshTokens(1))[0]!),
      prepare: async () => {
        const tokens = await mint().refreshTokens(bodiesFor('oidc-refresh'));
        fs.writeFileSync(files.refresh, `${tokens.map(refreshBody).join('\n')}\n`);
      },
      compare: { with: 'bare-route', minRpsRatio: GOAL_RPS, maxP99Ratio: null },
      check: tokenCheck(true),
    },
    {
      key: 'oidc-userinfo',
      label: 'GET /oidc/me (userinfo, bearer)',
      server: 'accord',
      path: '/oidc/me',
      route: '/oidc/me',
      headers: userinfoHeaders,
      prepare: async () => {
        userinfoHeaders.authorization ??= `Bearer ${await mint().accessToken()}`;
      },
      compare: { with: 'bare-route', minRpsRatio: GOAL_RPS, maxP99Ratio: null },
      check: (_res, body) => {
        const claims = json(body);
        if (claims?.sub !== ctx.customer.id) return 'not the customer the token is for';
        return claims.given_name === ctx.customer.firstName ? null : 'no given_name: the consent policy hid it';
      },
    },
  );

  const nextRoutes = (server: 'accord' | 'baseline') =>
    targets.filter((t) => t.server === server && !t.path.startsWith('/oidc/')).map((t) => t.route);
  await build(baselineApp, nextRoutes('baseline'));
  await build(accordOidcApp, [...nextRoutes('accord'), ...EXTRA_ACCORD_ROUTES]);
  const accord = await startServer(accordOidcApp, options.port, db.url);
  const baseline = await startServer(baselineApp, Number(new URL(accord.origin).port) + 1, db.url);
  const servers: Servers = { accord, baseline };
  minting.minter = await createMinter(app.app.clientId, ctx.customer.id, verifier);

  for (const target of targets) await verify(servers, target);
  log(`all ${targets.length} targets answer as expected`);
  log(`warm-up: ${options.warmupS} s per target at ${options.connections} connections`);
  const record = (key: string, sample: Sample) => lastRps.set(key, sample.rps);
  for (const target of targets) record(target.key, await measure(servers, target, options.warmupS, db));
  const samples = new Map<string, Sample[]>(targets.map((t) => [t.key, []]));
  for (let round = 0; round < options.rounds; round++) {
    const order = targets.map((_, i) => targets[(i + round) % targets.length]!);
    const line: string[] = [];
    for (const target of order) {
      const sample = await measure(servers, target, options.durationS, db);
      record(target.key, sample);
      samples.get(target.key)!.push(sample);
      line.push(`${target.key} ${sample.rps.toFixed(0)}`);
    }
    log(`round ${round + 1}/${options.rounds}: ${line.join(' · ')} req/s`);
  }
  const nextVersion = (
    JSON.parse(fs.readFileSync(path.join(repoRoot, 'node_modules', 'next', 'package.json'), 'utf8')) as {
      version: string;
    }
  ).version;
  return printReport({
    targets,
    samples,
    js: [],
    webhooks: null,
    customers,
    db,
    nextVersion,
    against: 'the bare Next.js app’s one-query route handler (bench/baseline/)',
  });
}

/**
 * Codes, refresh tokens and an access token for the bench customer, made by the
 * provider's own models on the server's database (as the authorization endpoint
 * would after a sign-in and consent), with one grant covering them all.
 */
async function createMinter(clientId: string, accountId: string, verifier: string): Promise<Minter> {
  const { createProvider } = await import('../../server/oidc/provider');
  const provider = await createProvider();
  const client = (await provider.Client.find(clientId)) ?? fail(`the provider does not know ${OIDC_APP}`);
  const grant = new provider.Grant({ clientId, accountId });
  grant.addOIDCScope(SCOPE);
  const grantId = await grant.save();
  const challenge = await oidc.calculatePKCECodeChallenge(verifier);
  const common = { client, accountId, grantId, scope: SCOPE, gty: 'authorization_code' };
  const authTime = Math.floor(Date.now() / 1000);
  const many = (n: number, one: () => Promise<string>) => Promise.all(Array.from({ length: n }, one));
  return {
    codes: (n) =>
      many(n, () =>
        new provider.AuthorizationCode({
          ...common,
          redirectUri: REDIRECT_URI,
          codeChallenge: challenge,
          codeChallengeMethod: 'S256',
          authTime,
        }).save(),
      ),
    refreshTokens: (n) => many(n, () => new provider.RefreshToken({ ...common, authTime }).save()),
    accessToken: () => new provider.AccessToken(common).save(),
  };
}
