// Checkbook: an example of one of the brand's other apps. Customers sign in
// with Accord (OpenID Connect); it reads a customer's name and postal address
// through Accord's public API only, keeps its copy current from Accord's
// webhooks, and pushes every change to the open pages with Server-Sent Events.
// Start: `node server.mjs` (README.md).
import fs from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { Webhook, WebhookVerificationError } from 'standardwebhooks';

import { AccordError, createAccordClient } from './accord.mjs';
import { AccessEndedError, createSignIn } from './sign-in.mjs';
import { createDeduper, createStore } from './store.mjs';
import {
  accountPage,
  customerFragment,
  customerPage,
  entryStamp,
  errorPage,
  indexPage,
  signInProblemPage,
} from './views.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));

function config() {
  const missing = ['ACCORD_URL', 'CLIENT_ID', 'CLIENT_SECRET', 'WEBHOOK_SECRET'].filter((name) => !process.env[name]);
  if (missing.length) {
    console.error(`checkbook: set ${missing.join(', ')} (see README.md: \`npm run apps -- create …\` prints them)`);
    process.exit(2);
  }
  const accordUrl = process.env.ACCORD_URL;
  if (!/^https?:\/\//.test(accordUrl)) {
    console.error(`checkbook: ACCORD_URL must be an http(s) URL, got "${accordUrl}"`);
    process.exit(2);
  }
  const port = Number(process.env.PORT ?? 4100);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    console.error(`checkbook: PORT must be a port number, got "${process.env.PORT}"`);
    process.exit(2);
  }
  let webhook;
  try {
    webhook = new Webhook(process.env.WEBHOOK_SECRET);
  } catch (error) {
    console.error(`checkbook: WEBHOOK_SECRET is not a Standard Webhooks secret (whsec_…): ${error.message}`);
    process.exit(2);
  }
  // Unset: http://localhost:<the port listened on> (PORT=0 takes a free one, as the e2e tests do).
  const publicUrl = process.env.PUBLIC_URL;
  if (publicUrl !== undefined && !/^https?:\/\/[^/]+$/.test(publicUrl)) {
    console.error(`checkbook: PUBLIC_URL must be this app's origin (http(s)://host[:port]), got "${publicUrl}"`);
    process.exit(2);
  }
  return {
    accordUrl,
    publicUrl,
    scopes: process.env.SCOPES ?? 'openid profile offline_access',
    clientId: process.env.CLIENT_ID,
    clientSecret: process.env.CLIENT_SECRET,
    webhook,
    port,
    /** A copy older than this is read again from the API on the next page view, in case a webhook was lost. */
    maxAgeMs: Number(process.env.CACHE_MAX_AGE_SECONDS ?? 300) * 1000,
  };
}

const settings = config();
const accord = createAccordClient(settings);
/** Made once the port is known: the redirect URI is built from it. */
let signIn;
const store = createStore();
const deduper = createDeduper();
/** What the index page lists: the last webhooks, without any customer data, only which fields they carried. */
const recentWebhooks = [];
const MAX_BODY_BYTES = 256 * 1024;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const SECURITY_HEADERS = {
  // form-action covers the redirect after a form: signing out goes on to Accord's end-session endpoint.
  'content-security-policy': `default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self' ${new URL(settings.accordUrl).origin}; frame-ancestors 'none'`,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

function send(res, status, body, type = 'text/html; charset=utf-8', extra = {}) {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', ...SECURITY_HEADERS, ...extra });
  res.end(body);
}

function redirect(res, location, cookies = []) {
  res.writeHead(303, { location, 'cache-control': 'no-store', 'set-cookie': cookies, ...SECURITY_HEADERS });
  res.end();
}

const assets = {
  '/app.js': ['application/javascript; charset=utf-8', fs.readFileSync(path.join(here, 'public', 'app.js'))],
  '/style.css': ['text/css; charset=utf-8', fs.readFileSync(path.join(here, 'public', 'style.css'))],
};

// ---------------------------------------------------------------------------
// Pages

async function showCustomer(req, res, id) {
  let entry = store.get(id);
  if (!entry || (entry.state !== 'deleted' && Date.now() - entry.source.at.getTime() > settings.maxAgeMs)) {
    const requestedAt = new Date();
    try {
      entry = store.fromApi(id, await accord.getCustomer(id), requestedAt);
    } catch (error) {
      console.error(`checkbook: reading customer ${id}: ${error.message}`);
      if (!entry) {
        const status = error instanceof AccordError && error.status === 429 ? 503 : 502;
        return send(
          res,
          status,
          errorPage(status, 'Accord did not answer. Try again in a moment.', signIn.current(req)),
        );
      }
      // Keep showing the copy we have.
    }
  }
  send(res, 200, customerPage(id, entry, signIn.current(req)));
}

/** Server-Sent Events: the customer card, rendered again at every change of this customer. */
function streamCustomer(req, res, id) {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    ...SECURITY_HEADERS,
  });
  const push = (entry) =>
    res.write(
      `event: customer\ndata: ${JSON.stringify({ stamp: entryStamp(entry), html: customerFragment(entry) })}\n\n`,
    );
  // Reconnect quickly, and start with the current card: a change made while
  // the page was not connected is not lost.
  res.write('retry: 1000\n\n');
  push(store.get(id));
  const unsubscribe = store.subscribe((changedId, entry) => {
    if (changedId === id) push(entry);
  });
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
  const close = () => {
    clearInterval(heartbeat);
    unsubscribe();
    openStreams.delete(res);
  };
  openStreams.add(res);
  req.on('close', close);
}
const openStreams = new Set();

// ---------------------------------------------------------------------------
// Webhooks (Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature)

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(Object.assign(new Error('body too large'), { status: 413 }));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

async function receiveWebhook(req, res) {
  let raw;
  try {
    raw = await readBody(req);
  } catch (error) {
    return send(res, error.status ?? 400, 'bad body\n', 'text/plain; charset=utf-8');
  }
  const headers = {
    'webhook-id': String(req.headers['webhook-id'] ?? ''),
    'webhook-timestamp': String(req.headers['webhook-timestamp'] ?? ''),
    'webhook-signature': String(req.headers['webhook-signature'] ?? ''),
  };
  let event;
  try {
    // The exact bytes received: a parsed and re-serialised body would not match the signature.
    event = settings.webhook.verify(raw.toString('utf8'), headers);
  } catch (error) {
    if (!(error instanceof WebhookVerificationError))
      console.error(`checkbook: webhook verification: ${error.message}`);
    return send(res, 400, 'invalid signature\n', 'text/plain; charset=utf-8');
  }
  // Only after verification: an unsigned request cannot mark an id as seen.
  if (!deduper.first(headers['webhook-id'])) return send(res, 204, '');
  store.fromWebhook(event);
  const customer = event?.data?.customer;
  recentWebhooks.unshift({
    receivedAt: new Date(),
    type: String(event?.type ?? ''),
    customerId: event?.data?.customerId ?? null,
    fields: customer ? Object.keys(customer).filter((k) => !['id', 'version', 'updatedAt'].includes(k)) : [],
  });
  recentWebhooks.length = Math.min(recentWebhooks.length, 200);
  // Everything above is in memory: Accord hears back at once.
  send(res, 204, '');
}

// ---------------------------------------------------------------------------
// Sign-in with Accord (sign-in.mjs)

async function readForm(req) {
  return new URLSearchParams((await readBody(req)).toString('utf8'));
}

async function startSignIn(req, res) {
  try {
    const { location, cookies } = await signIn.start(req);
    redirect(res, location, cookies);
  } catch (error) {
    console.error(`checkbook: Accord's OpenID configuration: ${error.message}`);
    send(res, 503, errorPage(503, 'Signing in with Accord is not possible right now. Try again in a moment.', null));
  }
}

async function finishSignIn(req, res) {
  let outcome;
  try {
    outcome = await signIn.callback(req);
  } catch (error) {
    console.error(`checkbook: finishing the sign-in: ${error.message}`);
    return send(res, 502, signInProblemPage('server_error'));
  }
  if (outcome.error) {
    res.setHeader('set-cookie', outcome.cookies);
    return send(res, 400, signInProblemPage(outcome.error));
  }
  redirect(res, outcome.returnTo, outcome.cookies);
}

async function refreshAccount(req, res) {
  const form = await readForm(req);
  if (!signIn.checkCsrf(req, form.get('csrf'))) return send(res, 403, errorPage(403, 'Sign in again.', null));
  try {
    await signIn.refresh(req);
  } catch (error) {
    if (error instanceof AccessEndedError) return send(res, 401, signInProblemPage(error.code));
    throw error;
  }
  redirect(res, '/account?refreshed=1');
}

async function signOut(req, res) {
  const form = await readForm(req);
  if (!signIn.checkCsrf(req, form.get('csrf'))) return redirect(res, '/');
  const { location, cookies } = await signIn.signOut(req);
  redirect(res, location, cookies);
}

/** OpenID Back-Channel Logout 1.0 §2.8: 200 once the sessions are ended, 400 with an OAuth error otherwise. */
async function backchannelLogout(req, res) {
  let ended;
  try {
    ended = await signIn.backchannelLogout((await readForm(req)).get('logout_token'));
  } catch (error) {
    console.error(`checkbook: back-channel logout refused: ${error.message}`);
    return send(
      res,
      400,
      '{"error":"invalid_request","error_description":"invalid logout token"}\n',
      'application/json',
    );
  }
  console.log(`checkbook: back-channel logout: ${ended} session(s) ended`);
  send(res, 200, '');
}

// ---------------------------------------------------------------------------

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://checkbook.invalid');
  const route = `${req.method} ${url.pathname}`;
  const customer = /^\/customers\/([^/]+)(\/events)?$/.exec(url.pathname);
  Promise.resolve()
    .then(() => {
      if (route === 'POST /webhooks') return receiveWebhook(req, res);
      if (route === 'POST /backchannel-logout') return backchannelLogout(req, res);
      if (route === 'GET /health') return send(res, 200, '{"ok":true}\n', 'application/json');
      if (route === 'GET /signin') return startSignIn(req, res);
      if (route === 'GET /callback') return finishSignIn(req, res);
      if (route === 'POST /signout') return signOut(req, res);
      if (route === 'POST /account/refresh') return refreshAccount(req, res);
      if (route === 'GET /account') {
        const viewer = signIn.current(req);
        if (!viewer) return redirect(res, '/signin?return=/account');
        return send(res, 200, accountPage(viewer, url.searchParams.has('refreshed')));
      }
      if (route === 'GET /') return send(res, 200, indexPage(store.list(), recentWebhooks, signIn.current(req)));
      if (req.method === 'GET' && assets[url.pathname]) {
        const [type, body] = assets[url.pathname];
        return send(res, 200, body, type);
      }
      if (req.method === 'GET' && customer) {
        const id = decodeURIComponent(customer[1]).toLowerCase();
        if (!UUID.test(id)) return send(res, 404, errorPage(404, 'No such customer.'));
        return customer[2] ? streamCustomer(req, res, id) : showCustomer(req, res, id);
      }
      send(res, 404, errorPage(404, 'No such page.', signIn.current(req)));
    })
    .catch((error) => {
      console.error(`checkbook: ${route}: ${error.stack ?? error}`);
      if (!res.headersSent) send(res, 500, errorPage(500, 'Something went wrong in Checkbook.', null));
      else res.end();
    });
});

// The customer pages (/customers/<id>) show any customer Checkbook holds to
// whoever reaches them: this example listens on this machine only (HOST to
// change it, behind your own staff authentication; see README).
const host = process.env.HOST ?? '127.0.0.1';
server.listen(settings.port, host, () => {
  settings.publicUrl ??= `http://localhost:${server.address().port}`;
  signIn = createSignIn(settings);
  console.log(
    `checkbook: http://${host}:${server.address().port} (Accord at ${settings.accordUrl}, webhooks at /webhooks, sign-in returns to ${settings.publicUrl}/callback)`,
  );
});

function shutdown() {
  for (const res of openStreams) res.end();
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2_000).unref();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
