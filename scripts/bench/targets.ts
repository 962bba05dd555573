// What a run loads: each Accord target next to its bare equivalent in
// bench/baseline/, and the goals between them.
import type { Target } from './load';
import { API_APP, fail, SESSION_COOKIE } from './options';

/** Goals (issue 12): each printed with its figure, and whether it is met. */
export const GOALS = {
  /** Customer pages: at least this share of the bare dynamic page's requests/s. */
  pageRps: 0.8,
  /** GET /api/v1/customers/{id}: at least this share of the bare route handler's requests/s. */
  apiRps: 0.7,
  /** Customer pages and the API: p99 at most this many times the bare equivalent's. */
  p99Times: 2,
  /** First-load JS of each customer page: at most this many bytes, gzipped, above the bare empty page's. */
  jsAboveBareEmpty: 40_000,
  /** Commit → webhook delivery p99, ms. */
  webhookP99Ms: 1_000,
};

/** The bare equivalent of an Accord target, and the goals against it (null: shown for reference, no goal). */
export type Comparison = { with: string; minRpsRatio: number | null; maxP99Ratio: number | null };

export type BenchTarget = Target & { compare?: Comparison };

export type TargetContext = {
  customer: { firstName: string; email: string };
  /** The cookie value of the bench customer's session. */
  sessionToken: string;
  messages: Messages;
  /** Every bench customer's id, one per line: the id targets walk through them. */
  idsFile: string;
  sampleId: string;
  /** Sets a fresh bearer token in `apiHeaders` when the last one is half gone. */
  renewApiToken: () => Promise<void>;
  apiHeaders: Record<string, string>;
};

export type Messages = {
  account: { greeting: string; profile: { title: string }; security: { title: string }; privacy: { title: string } };
  signIn: { title: string };
  legal: { termsTitle: string };
};

const escapeHtml = (text: string) =>
  text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll("'", '&#x27;')
    .replaceAll('"', '&quot;');
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const hasHeading = (body: string, text: string) =>
  new RegExp(`<h1[^>]*>${escapeRegExp(escapeHtml(text))}</h1>`).test(body);

function json(body: string): { id?: unknown; email?: unknown } | null {
  try {
    return JSON.parse(body) as { id?: unknown; email?: unknown };
  } catch {
    return null;
  }
}

const fromPrerenderCache = (res: Response) =>
  res.headers.get('x-nextjs-cache') === 'HIT' || res.headers.get('x-nextjs-prerender') === '1';

export function buildTargets(ctx: TargetContext): BenchTarget[] {
  const { customer, messages, idsFile, sampleId } = ctx;
  const signedIn = { cookie: `${SESSION_COOKIE}=${ctx.sessionToken}` };
  const greeting = messages.account.greeting.replace('{firstName}', customer.firstName);
  const page = (key: string, path: string, title: string): BenchTarget => ({
    key,
    label: `GET ${path} (signed in)`,
    server: 'accord',
    path,
    route: path,
    headers: signedIn,
    compare: { with: 'bare-dynamic', minRpsRatio: GOALS.pageRps, maxP99Ratio: GOALS.p99Times },
    check: (_res, body) => (hasHeading(body, title) ? null : `no heading "${title}"`),
  });

  return [
    // The bare app (bench/baseline/): the floor of each kind of response.
    {
      key: 'bare-static',
      label: 'bare static page',
      server: 'baseline',
      path: '/static',
      route: '/static',
      headers: {},
      check: (res, body) =>
        !body.includes('data-baseline="static"')
          ? 'not the bare static page'
          : fromPrerenderCache(res)
            ? null
            : `not served from the prerender cache (x-nextjs-cache: ${res.headers.get('x-nextjs-cache')}): it is rendered per request`,
    },
    {
      key: 'bare-dynamic',
      label: 'bare dynamic page',
      server: 'baseline',
      path: '/dynamic',
      route: '/dynamic',
      headers: signedIn,
      check: (_res, body) =>
        body.includes(`data-baseline="dynamic">${escapeHtml(customer.firstName)}<`)
          ? null
          : `no "${customer.firstName}" from the session's SELECT`,
    },
    {
      key: 'bare-route',
      label: 'bare route handler',
      server: 'baseline',
      path: '/customers/{id}',
      route: '/customers/[id]',
      idsFile,
      sampleId,
      headers: {},
      check: (_res, body) => (json(body)?.id === sampleId ? null : 'not the customer asked for'),
    },
    // Accord.
    {
      key: 'terms',
      label: 'GET /legal/terms (no session)',
      server: 'accord',
      path: '/legal/terms',
      route: '/legal/terms',
      headers: {},
      compare: { with: 'bare-static', minRpsRatio: null, maxP99Ratio: null },
      check: (_res, body) =>
        hasHeading(body, messages.legal.termsTitle) ? null : `no heading "${messages.legal.termsTitle}"`,
    },
    {
      key: 'signin',
      label: 'GET /signin',
      server: 'accord',
      path: '/signin',
      route: '/signin',
      headers: {},
      compare: { with: 'bare-dynamic', minRpsRatio: GOALS.pageRps, maxP99Ratio: GOALS.p99Times },
      check: (_res, body) =>
        body.includes(escapeHtml(messages.signIn.title)) && body.includes('<form') ? null : 'no sign-in form',
    },
    page('account', '/account', greeting),
    page('profile', '/account/profile', messages.account.profile.title),
    page('security', '/account/security', messages.account.security.title),
    page('privacy', '/account/privacy', messages.account.privacy.title),
    {
      key: 'api',
      label: 'GET /api/v1/customers/{id} (token)',
      server: 'accord',
      path: '/api/v1/customers/{id}',
      route: '/api/v1/customers/[id]',
      idsFile,
      sampleId,
      headers: ctx.apiHeaders,
      prepare: ctx.renewApiToken,
      compare: { with: 'bare-route', minRpsRatio: GOALS.apiRps, maxP99Ratio: GOALS.p99Times },
      check: (res, body) => {
        const shared = json(body);
        if (shared?.id !== sampleId) return 'not the customer asked for';
        if (typeof shared.email !== 'string') return `no email: the consent policy hid a field ${API_APP} declared`;
        return res.headers.get('etag') ? null : 'no ETag header';
      },
    },
  ];
}

/** Routes each build must have besides the targets': the token endpoint and the readiness check. */
export const EXTRA_ACCORD_ROUTES = ['/api/oauth/token', '/api/health'];

/** A client-credentials token for the API target, from Accord's token endpoint. */
export async function requestToken(
  origin: string,
  clientId: string,
  clientSecret: string,
): Promise<{ accessToken: string; expiresIn: number }> {
  const res = await fetch(`${origin}/api/oauth/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'client_credentials' }),
  });
  const body = (await res.json().catch(() => null)) as { access_token?: unknown; expires_in?: unknown } | null;
  if (!res.ok || typeof body?.access_token !== 'string')
    fail(`POST /api/oauth/token for ${API_APP}: status ${res.status} ${JSON.stringify(body)}`);
  return { accessToken: body.access_token, expiresIn: Number(body.expires_in) || 60 };
}
