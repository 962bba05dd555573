// `npm run bench -- --personalization`, the serving part (ADR 035 §8 step 18): 50 published rules
// (blocks of the shared arbitrary, fixed seed) on the 100,000 customers personalization.ts seeded,
// then, interleaved in rounds as the main bench loads its targets:
//   /account of a signed-in customer whom some rules match ↔ the same page of a second Accord
//     server on the same database with PERSONALIZATION_ENABLED=false (goal ≥ 90%);
//   GET /api/v1/customers/{id}/content (token of an app registered for personalization, walking
//     through all customers) ↔ the bare route handler (goal ≥ 60%).
import fs from 'node:fs';
import path from 'node:path';

import fc from 'fast-check';

import { SLOT_KEYS } from '../../lib/personalization/catalogue';
import { ruleArbitrary } from '../../tests/personalization-arbitraries';
import { repoRoot } from '../db/postgres';
import { onCleanup } from './cleanup';
import type { BenchDatabase } from './database';
import { measure, verify, type Sample, type Servers } from './load';
import {
  API_RATE_LIMIT,
  dataDir,
  fail,
  log,
  CUSTOMERS as MAIN_BENCH_CUSTOMERS,
  options,
  SESSION_COOKIE,
} from './options';
import { printReport } from './report';
import { accordApp, accordOffApp, baselineApp, build, startServer } from './servers';
import { EXTRA_ACCORD_ROUTES, requestToken, type BenchTarget, type Messages } from './targets';

const RULES = 50;
const SEED = 35;
const CONTENT_APP = 'bench-content';
/** Goals of issue #14. */
const GOALS = { accountRps: 0.9, contentApiRps: 0.6 };
const BENCH_ACTOR = { type: 'cli', label: 'cli:bench' } as const;
const ruleKey = (i: number) => `bench-rule-${i + 1}`;

/** Published blocks: one generic per slot (what everyone sees without a match), 50 with generated rules. */
async function publishRules(): Promise<void> {
  const { prisma } = await import('../../server/platform/db');
  const { requestPublication, saveRevision } = await import('../../server/personalization/content');
  const rules = fc.sample(ruleArbitrary({ maxConditions: 10 }), { seed: SEED, numRuns: RULES });
  const blocks = [
    ...SLOT_KEYS.map((slot) => ({ key: `bench-generic-${slot}`, slot, rule: {}, generic: true, priority: 0 })),
    ...rules.map((rule, i) => ({
      key: ruleKey(i),
      slot: SLOT_KEYS[i % SLOT_KEYS.length]!,
      rule,
      generic: false,
      priority: i + 1,
    })),
  ];
  let published = 0;
  for (const b of blocks) {
    const existing = await prisma.contentObject.findUnique({
      where: { type_key: { type: 'block', key: b.key } },
      select: { liveRevisionId: true },
    });
    if (existing?.liveRevisionId) continue;
    if (existing) fail(`block ${b.key} exists but is not live: drop the database accord_bench_personalization`);
    const saved = await saveRevision(BENCH_ACTOR, {
      objectId: null,
      type: 'block',
      key: b.key,
      slot: b.slot,
      expectedLatestRevisionId: null,
      body: {
        title: { en: `Bench ${b.key}`, fr: `Bench ${b.key}` },
        text: { en: 'Chosen for you by npm run bench.', fr: 'Choisi pour vous par npm run bench.' },
        image: null,
        cta: { label: { en: 'See more', fr: 'Voir plus' }, url: `/shop/${b.key}` },
        startsAt: null,
        endsAt: null,
        priority: b.priority,
        generic: b.generic,
        rule: b.rule,
      },
    });
    if (!saved.ok) fail(`saveRevision ${b.key}: ${JSON.stringify(saved)}`);
    const publication = await requestPublication(BENCH_ACTOR, {
      objectId: saved.objectId,
      revisionId: saved.revisionId,
      expectedLiveRevisionId: null,
    });
    if (!publication.ok || publication.status !== 'applied')
      fail(`requestPublication ${b.key}: ${JSON.stringify(publication)} (CONTENT_APPROVAL must be none)`);
    published++;
  }
  log(published ? `${published} blocks published` : `the ${blocks.length} bench blocks are already live`);
}

/** The first granted customer (by bench number) whose home page shows at least two rule blocks. */
async function findMatchedCustomer(): Promise<{ id: string; firstName: string; email: string; ruleBlocks: number }> {
  const { decide } = await import('../../server/personalization/decide');
  const seed = await import('./seed');
  for (let n = 1; n <= 500; n++) {
    const customer = await seed.getBenchCustomer(n);
    const decision = await decide({ customerId: customer.id, locale: 'en', via: { kind: 'portal' } });
    if (decision.mode !== 'personalized') continue;
    const ruleBlocks = Object.values(decision.slots)
      .flat()
      .filter((b) => b?.key.startsWith('bench-rule-')).length;
    if (ruleBlocks >= 2) return { ...customer, ruleBlocks };
  }
  fail('none of the first 500 bench customers sees two rule blocks: change the seed');
}

const json = (body: string) => {
  try {
    return JSON.parse(body) as Record<string, unknown>;
  } catch {
    return null;
  }
};

/** Returns how many goals were missed. */
export async function benchPersonalizedPages(db: BenchDatabase, customers: number): Promise<number> {
  const { createSessionFor } = await import('../../tests/factories');
  const seed = await import('./seed');
  await publishRules();
  const customer = await findMatchedCustomer();
  log(`session customer ${customer.email}: ${customer.ruleBlocks} rule blocks on its home page`);
  const { token } = await createSessionFor(customer.id);
  onCleanup(() => seed.endBenchSessions([token]));

  const apiApp = await seed.replaceBenchApp({
    name: CONTENT_APP,
    description: 'npm run bench -- --personalization',
    purposes: 'service,personalization',
    fields: 'name:service,preferences:personalization,signals:personalization,locale:personalization',
    scopes: ['customers:read', 'content:read'],
    rateLimitPerMinute: API_RATE_LIMIT,
  });
  onCleanup(() => seed.removeBenchApp(CONTENT_APP));
  // Its own file: the main bench's lists its 10,000.
  const customerIds = await seed.listBenchCustomerIds(Math.max(customers, MAIN_BENCH_CUSTOMERS));
  const idsFile = path.join(dataDir, 'personalization-customer-ids.txt');
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(idsFile, `${customerIds.join('\n')}\n`);

  const messages = JSON.parse(fs.readFileSync(path.join(repoRoot, 'messages', 'en.json'), 'utf8')) as Messages;
  const greeting = messages.account.greeting.replace('{firstName}', customer.firstName);
  const signedIn = { cookie: `${SESSION_COOKIE}=${token}` };
  const origin = { accord: '' };
  const apiHeaders: Record<string, string> = {};
  let renewAt = 0;
  // The block links carry the decision's mode (server/personalization/decide.ts goUrl), HTML-escaped.
  const personalizedLink = '&amp;g=personalized';
  const accountCheck = (personalized: boolean) => (_res: Response, body: string) =>
    !body.includes(greeting)
      ? `no greeting "${greeting}"`
      : !body.includes('/account/go/')
        ? 'no home blocks'
        : body.includes(personalizedLink) !== personalized
          ? personalized
            ? 'the blocks are not personalized'
            : 'personalized blocks with PERSONALIZATION_ENABLED=false'
          : null;
  const targets: BenchTarget[] = [
    {
      key: 'account-off',
      label: 'GET /account, personalization off',
      server: 'accord-off',
      path: '/account',
      route: '/account',
      headers: signedIn,
      check: accountCheck(false),
    },
    {
      key: 'bare-route',
      label: 'bare route handler',
      server: 'baseline',
      path: '/customers/{id}',
      route: '/customers/[id]',
      idsFile,
      sampleId: customer.id,
      headers: {},
      check: (_res, body) => (json(body)?.id === customer.id ? null : 'not the customer asked for'),
    },
    {
      key: 'account',
      label: `GET /account, ${RULES} rules (signed in)`,
      server: 'accord',
      path: '/account',
      route: '/account',
      headers: signedIn,
      compare: { with: 'account-off', minRpsRatio: GOALS.accountRps, maxP99Ratio: null },
      check: accountCheck(true),
    },
    {
      key: 'content-api',
      label: 'GET /api/v1/customers/{id}/content (token)',
      server: 'accord',
      path: '/api/v1/customers/{id}/content',
      route: '/api/v1/customers/[id]/content',
      idsFile,
      sampleId: customer.id,
      headers: apiHeaders,
      prepare: async () => {
        if (Date.now() < renewAt) return;
        const t = await requestToken(origin.accord, apiApp.app.clientId, apiApp.clientSecret);
        apiHeaders.authorization = `Bearer ${t.accessToken}`;
        renewAt = Date.now() + (t.expiresIn * 1000) / 2;
      },
      compare: { with: 'bare-route', minRpsRatio: GOALS.contentApiRps, maxP99Ratio: null },
      check: (_res, body) => {
        const content = json(body);
        if (content?.customerId !== customer.id) return 'not the customer asked for';
        return content.personalized === true ? null : 'not personalized';
      },
    },
  ];

  const routes = (server: 'accord' | 'baseline') =>
    targets.filter((t) => (t.server === 'baseline') === (server === 'baseline')).map((t) => t.route);
  await build(baselineApp, routes('baseline'));
  await build(accordApp, [...routes('accord'), ...EXTRA_ACCORD_ROUTES]);
  const accord = await startServer(accordApp, options.port, db.url);
  const next = Number(new URL(accord.origin).port) + 1;
  const accordOff = await startServer(accordOffApp, next, db.url);
  const baseline = await startServer(baselineApp, Number(new URL(accordOff.origin).port) + 1, db.url);
  origin.accord = accord.origin;
  const servers: Servers = { accord, 'accord-off': accordOff, baseline };
  for (const target of targets) await verify(servers, target);
  log(`all ${targets.length} targets answer as expected`);

  log(`warm-up: ${options.warmupS} s per target at ${options.connections} connections`);
  for (const target of targets) await measure(servers, target, options.warmupS, db);
  const samples = new Map<string, Sample[]>(targets.map((t) => [t.key, []]));
  for (let round = 0; round < options.rounds; round++) {
    const order = targets.map((_, i) => targets[(i + round) % targets.length]!);
    const line: string[] = [];
    for (const target of order) {
      const sample = await measure(servers, target, options.durationS, db);
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
    against: 'itself with PERSONALIZATION_ENABLED=false (/account) and the bare Next.js app (bench/baseline/, the API)',
  });
}
