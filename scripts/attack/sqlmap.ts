// sqlmap (Debian's package) against the apps' API, with the app's bearer token,
// and against the form endpoints a browser posts (server actions, with the
// customer's session where they need one). Batch mode; boolean, error-based,
// UNION and stacked-query techniques for PostgreSQL (time-based blind tests
// would take hours at any useful level; the boolean ones see the same flaws).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { ServerAction } from './client';
import type { Fixture } from './specs';

export type SqlmapOutcome = {
  name: string;
  parameters: string[];
  injectable: string[];
  error?: string;
  seconds: number;
};

/** Level 3 also tries the User-Agent and Referer headers; level 1, the URL and body only. */
type Target = { name: string; args: string[]; level?: 1 | 3 };

const COMMON = [
  '--batch',
  '--dbms=PostgreSQL',
  '--risk=1',
  '--technique=BEUS',
  '--threads=2',
  '--timeout=15',
  '--retries=1',
  '--disable-coloring',
  // Refusals are answers too: sqlmap compares them instead of stopping at the first 4xx.
  '--ignore-code=400,401,403,404,409,412,422,428,429',
];

function targets(baseUrl: string, fixture: Fixture, actions: ServerAction[], cookie: string): Target[] {
  const api = ['-H', `Authorization: ${fixture.appAuthorization}`];
  const action = (key: string) => {
    const found = actions.find((a) => a.key === key);
    if (!found) throw new Error(`no server action ${key}`);
    return [
      '-u',
      `${baseUrl}${found.page}`,
      '-H',
      `Next-Action: ${found.id}`,
      '-H',
      `Origin: ${baseUrl}`,
      '-H',
      'Content-Type: text/plain;charset=UTF-8',
    ];
  };
  const id = fixture.customerId;
  return [
    {
      name: 'GET /api/v1/customers?email&limit&cursor',
      args: [
        '-u',
        `${baseUrl}/api/v1/customers?email=a%40example.test&limit=10&cursor=abc`,
        ...api,
        '-p',
        'email,limit,cursor',
      ],
    },
    { name: 'GET /api/v1/customers/{id}', args: ['-u', `${baseUrl}/api/v1/customers/${id}*`, ...api] },
    {
      name: 'GET /api/v1/customers/{id}/consents',
      args: ['-u', `${baseUrl}/api/v1/customers/${id}*/consents`, ...api],
    },
    {
      name: 'GET /api/v1/customers/{id}/preferences',
      args: ['-u', `${baseUrl}/api/v1/customers/${id}*/preferences`, ...api],
    },
    {
      name: 'PATCH /api/v1/customers/{id} (JSON body)',
      args: [
        '-u',
        `${baseUrl}/api/v1/customers/${id}`,
        '--method=PATCH',
        ...api,
        '-H',
        'If-Match: "1"',
        '-H',
        'Content-Type: application/merge-patch+json',
        '--data',
        '{"name":{"given":"Ana","family":"Silva"},"locale":"fr"}',
      ],
    },
    {
      name: 'POST /api/oauth/token (form)',
      args: [
        '-u',
        `${baseUrl}/api/oauth/token`,
        '--data',
        'grant_type=client_credentials&scope=customers:read&client_id=x&client_secret=y',
      ],
    },
    {
      name: 'sign-in form: requestSignInAction {email}',
      args: [
        ...action('app/(auth)/signin/actions.ts#requestSignInAction'),
        '--data',
        '[{"email":"sqlmap@example.test"}]',
      ],
    },
    {
      name: 'sign-in code form: verifyCodeAction {code}',
      args: [...action('app/(auth)/signin/actions.ts#verifyCodeAction'), '--data', '[{"code":"123456"}]'],
    },
    // Signed in, each call re-renders the page (revalidatePath): the body's fields only,
    // not the session cookie's (level 2) or headers (level 3), to finish in minutes.
    {
      name: 'consent form: setConsentAction {purposeKey, version, granted} (signed in)',
      level: 1,
      args: [
        ...action('app/account/privacy/actions.ts#setConsentAction'),
        '--cookie',
        cookie,
        '--data',
        '[{"purposeKey":"marketing-emails","version":1,"granted":false}]',
      ],
    },
    {
      name: 'passkey rename form: renamePasskeyAction {passkeyId, name} (signed in)',
      level: 1,
      args: [
        ...action('app/account/security/actions.ts#renamePasskeyAction'),
        '--cookie',
        cookie,
        '--data',
        '[{"passkeyId":"00000000-0000-4000-8000-000000000000","name":"Laptop"}]',
      ],
    },
  ];
}

function run(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('sqlmap', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

/** sqlmap's verdicts, from its log lines. */
export function parseSqlmap(output: string): { parameters: string[]; injectable: string[] } {
  const parameters = new Set<string>();
  for (const m of output.matchAll(/testing (?:if )?(?:\(custom\) )?(?:[A-Z]+ |URI |JSON |\w+ )?parameter '([^']+)'/g))
    parameters.add(m[1]!);
  for (const m of output.matchAll(
    /(?:GET|POST|PATCH|URI|JSON|\(custom\) \w+) parameter '([^']+)' (?:does not seem to be|is not) injectable/g,
  ))
    parameters.add(m[1]!);
  const injectable = new Set<string>();
  for (const m of output.matchAll(
    /parameter '([^']+)' (?:is '[^']+' injectable|appears to be '[^']+' injectable|is vulnerable)/g,
  ))
    injectable.add(m[1]!);
  if (/sqlmap identified the following injection point/.test(output)) injectable.add('(injection point reported)');
  return { parameters: [...parameters], injectable: [...injectable] };
}

export async function runSqlmap(opts: {
  baseUrl: string;
  fixture: Fixture;
  actions: ServerAction[];
  cookie: string;
  log: (line: string) => void;
}): Promise<SqlmapOutcome[]> {
  const outputDir = fs.mkdtempSync(path.join(os.tmpdir(), 'accord-sqlmap-'));
  const outcomes: SqlmapOutcome[] = [];
  try {
    for (const target of targets(opts.baseUrl, opts.fixture, opts.actions, opts.cookie)) {
      const started = Date.now();
      const { code, output } = await run([
        ...COMMON,
        `--level=${target.level ?? 3}`,
        `--output-dir=${outputDir}`,
        ...target.args,
      ]);
      const { parameters, injectable } = parseSqlmap(output);
      const outcome: SqlmapOutcome = {
        name: target.name,
        parameters,
        injectable,
        seconds: (Date.now() - started) / 1000,
      };
      if (code !== 0 && injectable.length === 0)
        outcome.error = `sqlmap exited ${code}: ${output
          .split('\n')
          .filter((l) => /CRITICAL|ERROR/.test(l))
          .slice(-3)
          .join(' | ')}`;
      if (parameters.length === 0 && !outcome.error) outcome.error = 'sqlmap tested no parameter';
      outcomes.push(outcome);
      opts.log(
        `  ${injectable.length || outcome.error ? 'FAIL' : 'ok  '} ${target.name}: ${parameters.length} parameters tested ` +
          `(${parameters.join(', ')}) in ${outcome.seconds.toFixed(0)} s` +
          (injectable.length ? `; INJECTABLE: ${injectable.join(', ')}` : '') +
          (outcome.error ? `; ${outcome.error}` : ''),
      );
      if (injectable.length || outcome.error) opts.log(output.split('\n').slice(-40).join('\n'));
    }
  } finally {
    fs.rmSync(outputDir, { recursive: true, force: true });
  }
  return outcomes;
}
