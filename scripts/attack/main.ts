// `npm run test:attack`: a scanner and a fuzzer against a running production
// build (docs/attack-protection.md, "Scanner and fuzzer"). Accord starts as an
// operator starts it (scripts/production-stack.ts); an app with every scope and
// a customer signed in through the mailed code are set up through the real
// flows; then
//   1. a fast-check fuzz of every route handler and server action (fuzz.ts);
//   2. sqlmap against the API and the form endpoints (sqlmap.ts).
//
//   npm run test:attack -- [--skip-build] [--seed N] [--runs N] [--only TEXT] [--no-sqlmap] [--no-fuzz]
//
// Ports: PORT, EMBEDDED_PG_PORT, E2E_SMTP_PORT, E2E_MAILBOX_PORT when set, else free ones.
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

import { startProcess, withProductionStack, type ProductionStack } from '../production-stack';
import { Client, readServerActions, signInCustomer } from './client';
import { discoverProviderEndpoints, fuzzAll, missingSpecs, type Outcome } from './fuzz';
import type { Fixture } from './specs';
import { runSqlmap, type SqlmapOutcome } from './sqlmap';
import { installWriteProbe } from './writes';

const { values } = parseArgs({
  options: {
    'skip-build': { type: 'boolean' },
    seed: { type: 'string' },
    runs: { type: 'string' },
    only: { type: 'string' },
    'no-sqlmap': { type: 'boolean' },
    'no-fuzz': { type: 'boolean' },
  },
});

const started = Date.now();
const step = (message: string) =>
  console.log(`\n▶ attack (${((Date.now() - started) / 1000).toFixed(0)} s): ${message}`);
const seed = values.seed === undefined ? Date.now() % 2 ** 31 : Number(values.seed);
const runs = Number(values.runs ?? 100);

const REDIRECT_URI = 'https://rp.attack.example/callback';
const POST_LOGOUT_REDIRECT_URI = 'https://rp.attack.example/signed-out';

async function createApp(stack: ProductionStack): Promise<{ clientId: string; clientSecret: string }> {
  const cli = startProcess(
    'apps',
    'npm',
    [
      'run',
      'apps',
      '--',
      'create',
      '--name',
      'attack-stage',
      '--purposes',
      'service,marketing-emails',
      '--fields',
      'name,email,phone,postalAddress,locale',
      '--scopes',
      'customers:read,customers:write,preferences:write,signals:write',
      // An OpenID client too (docs/oidc.md): the provider's endpoints are fuzzed with it, and its
      // registered URIs are the only places off Accord a redirect may lead.
      '--redirect-uris',
      REDIRECT_URI,
      '--post-logout-redirect-uris',
      POST_LOGOUT_REDIRECT_URI,
      '--oidc-scopes',
      'openid,profile,email,offline_access',
      '--required-claims',
      'name',
      '--optional-claims',
      'email',
    ],
    stack.production,
    { quiet: true },
  );
  if ((await cli.exited) !== 0) throw new Error(`npm run apps -- create failed:\n${cli.output()}`);
  const clientId = cli.output().match(/client id\s+(\S+)/)?.[1];
  const clientSecret = cli.output().match(/client secret\s+(\S+)/)?.[1];
  if (!clientId || !clientSecret) throw new Error(`npm run apps -- create printed no credentials:\n${cli.output()}`);
  return { clientId, clientSecret };
}

async function main(): Promise<void> {
  console.log(`attack: seed ${seed}, ${runs} cases per endpoint (reproduce with --seed ${seed} --runs ${runs})`);
  const { fuzz, sqlmap } = await withProductionStack(
    { skipBuild: values['skip-build'] ?? false, step, quietApp: true },
    async (stack) => {
      const actions = readServerActions();
      const provider = await discoverProviderEndpoints(stack.baseUrl);
      const missing = [...missingSpecs(actions), ...provider.missing];
      if (missing.length) throw new Error(`no fuzz spec in scripts/attack/specs.ts for:\n  ${missing.join('\n  ')}`);

      step('an app with every scope (npm run apps -- create) and its access token');
      const { clientId, clientSecret } = await createApp(stack);
      const appBasic = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`;
      const tokenRes = await fetch(`${stack.baseUrl}/api/oauth/token`, {
        method: 'POST',
        headers: { authorization: appBasic, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials',
      });
      const token = ((await tokenRes.json()) as { access_token?: string }).access_token;
      if (!token) throw new Error(`the token endpoint answered ${tokenRes.status} without a token`);

      step('a customer signed in through the mailed code');
      const writes = await installWriteProbe(stack.databaseUrl());
      const [terms] = await writes.query<{ version: number }>(
        `SELECT current_version AS version FROM consent_purposes WHERE key = 'terms-of-service'`,
      );
      const termsVersion = terms?.version ?? 1;
      const email = `fuzz-${seed}@example.test`;
      const client = new Client(stack.baseUrl);
      const beforeSignIn = await writes.counts();
      await signInCustomer(client, actions, stack.mailboxUrl, email, termsVersion);
      // The probe must see the writes of a real sign-in, or "nothing written" would prove nothing.
      const signInWrites = await writes.unexpectedSince(beforeSignIn);
      if (!signInWrites.customers || !signInWrites.sessions)
        throw new Error(`the write probe did not see the sign-in's writes: ${JSON.stringify(signInWrites)}`);
      const [customer] = await writes.query<{ id: string }>('SELECT id FROM customers WHERE email = $1', [email]);
      if (!customer) throw new Error(`the sign-in did not create ${email}`);
      const customerId = customer.id;
      // sqlmap's own customer, signed in now: the fuzz spends this address's sign-in limits
      // and its last actions may end the first session.
      const second = new Client(stack.baseUrl);
      await signInCustomer(second, actions, stack.mailboxUrl, `sqlmap-${seed}@example.test`, termsVersion);
      // The console's pages and actions are fuzzed signed in as a member holding every role (the
      // customer's cookie rides along: each side reads only its own). A session row as a passkey
      // sign-in leaves it: the enrolment ceremony itself is covered by e2e/console-signin.spec.ts.
      const staffToken = randomBytes(32).toString('base64url');
      await writes.query(
        `WITH member AS (
           INSERT INTO staff_members (id, email, display_name, roles, activated_at, updated_at)
           VALUES (gen_random_uuid(), $1, 'Attack stage', ARRAY['administrator', 'marketer', 'support-agent', 'privacy-officer'],
                   now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC')
           RETURNING id)
         INSERT INTO staff_sessions (id, token_hash, staff_id, created_at, expires_at, last_active_at, authenticated_at)
         SELECT gen_random_uuid(), $2, id, now() AT TIME ZONE 'UTC', (now() AT TIME ZONE 'UTC') + interval '12 hours',
                now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
           FROM member`,
        [`staff-fuzz-${seed}@example.test`, createHash('sha256').update(staffToken).digest('hex')],
      );
      client.cookies.set('accord.staff-session', staffToken);
      const fixture: Fixture = {
        customerId,
        appAuthorization: `Bearer ${token}`,
        appBasic,
        clientId,
        redirectUri: REDIRECT_URI,
        postLogoutRedirectUri: POST_LOGOUT_REDIRECT_URI,
      };
      console.log(`  ${writes.tables} tables watched for writes; customer ${customerId}`);

      let fuzz: Outcome[] = [];
      if (!values['no-fuzz']) {
        step(`fast-check fuzz: ${runs} cases per route method and server action, seed ${seed}`);
        fuzz = await fuzzAll({
          client,
          anonymous: new Client(stack.baseUrl),
          actions,
          fixture,
          writes,
          seed,
          runs,
          only: values.only,
          providerEndpoints: provider.endpoints,
          log: (line) => console.log(`  ${line}`),
        });
      }
      let sqlmap: SqlmapOutcome[] = [];
      if (!values['no-sqlmap']) {
        step('sqlmap against the API and the form endpoints');
        sqlmap = await runSqlmap({
          baseUrl: stack.baseUrl,
          fixture,
          actions,
          cookie: second.cookieHeader(),
          log: console.log,
        });
      }
      await writes.close();
      // What the server logged, to find where a 500 came from.
      const appLog = path.join(os.tmpdir(), 'accord-attack-app.log');
      fs.writeFileSync(appLog, stack.app.output());
      console.log(`\nthe app's log of this run: ${appLog}`);
      return { fuzz, sqlmap };
    },
  );

  const failures = [
    ...fuzz.filter((o) => o.failure).map((o) => `fuzz: ${o.name}`),
    ...sqlmap.filter((o) => o.injectable.length).map((o) => `sqlmap: ${o.name}: ${o.injectable.join(', ')}`),
    ...sqlmap.filter((o) => o.error).map((o) => `sqlmap: ${o.name}: ${o.error}`),
  ];
  const cases = fuzz.reduce((n, o) => n + o.cases, 0);
  step(
    `${fuzz.length} endpoints fuzzed, ${cases} cases (seed ${seed}); sqlmap on ${sqlmap.length} targets, ` +
      `${sqlmap.reduce((n, o) => n + o.parameters.length, 0)} parameters`,
  );
  if (failures.length) {
    console.error(`\nattack: FAILED (seed ${seed}):\n  ${failures.join('\n  ')}`);
    process.exitCode = 1;
  } else {
    step('passed');
  }
}

main().catch((error: unknown) => {
  console.error(`\nattack: FAILED (seed ${seed}): ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
