// Checkbook: an example of one of the brand's other apps. It reads a
// customer's name and postal address through Accord's public API only, keeps
// its copy current from Accord's webhooks, and pushes every change to the open
// pages with Server-Sent Events. Start: `node server.mjs` (README.md).
import fs from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { Webhook, WebhookVerificationError } from 'standardwebhooks';

import { AccordError, createAccordClient } from './accord.mjs';
import { createDeduper, createStore } from './store.mjs';
import { customerFragment, customerPage, entryStamp, errorPage, indexPage } from './views.mjs';

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
  return {
    accordUrl,
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
const store = createStore();
const deduper = createDeduper();
/** What the index page lists: the last webhooks, without any customer data, only which fields they carried. */
const recentWebhooks = [];
const MAX_BODY_BYTES = 256 * 1024;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

function send(res, status, body, type = 'text/html; charset=utf-8', extra = {}) {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', ...SECURITY_HEADERS, ...extra });
  res.end(body);
}

const assets = {
  '/app.js': ['application/javascript; charset=utf-8', fs.readFileSync(path.join(here, 'public', 'app.js'))],
  '/style.css': ['text/css; charset=utf-8', fs.readFileSync(path.join(here, 'public', 'style.css'))],
};

// ---------------------------------------------------------------------------
// Pages

async function showCustomer(res, id) {
  let entry = store.get(id);
  if (!entry || (entry.state !== 'deleted' && Date.now() - entry.source.at.getTime() > settings.maxAgeMs)) {
    const requestedAt = new Date();
    try {
      entry = store.fromApi(id, await accord.getCustomer(id), requestedAt);
    } catch (error) {
      console.error(`checkbook: reading customer ${id}: ${error.message}`);
      if (!entry) {
        const status = error instanceof AccordError && error.status === 429 ? 503 : 502;
        return send(res, status, errorPage(status, 'Accord did not answer. Try again in a moment.'));
      }
      // Keep showing the copy we have.
    }
  }
  send(res, 200, customerPage(id, entry));
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

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://checkbook.invalid');
  const route = `${req.method} ${url.pathname}`;
  const customer = /^\/customers\/([^/]+)(\/events)?$/.exec(url.pathname);
  Promise.resolve()
    .then(() => {
      if (route === 'POST /webhooks') return receiveWebhook(req, res);
      if (route === 'GET /health') return send(res, 200, '{"ok":true}\n', 'application/json');
      if (route === 'GET /') return send(res, 200, indexPage(store.list(), recentWebhooks));
      if (req.method === 'GET' && assets[url.pathname]) {
        const [type, body] = assets[url.pathname];
        return send(res, 200, body, type);
      }
      if (req.method === 'GET' && customer) {
        const id = decodeURIComponent(customer[1]).toLowerCase();
        if (!UUID.test(id)) return send(res, 404, errorPage(404, 'No such customer.'));
        return customer[2] ? streamCustomer(req, res, id) : showCustomer(res, id);
      }
      send(res, 404, errorPage(404, 'No such page.'));
    })
    .catch((error) => {
      console.error(`checkbook: ${route}: ${error.stack ?? error}`);
      if (!res.headersSent) send(res, 500, errorPage(500, 'Something went wrong in Checkbook.'));
      else res.end();
    });
});

// This example has no sign-in of its own: it listens on this machine only
// (HOST to change it, behind your own authentication; see README).
const host = process.env.HOST ?? '127.0.0.1';
server.listen(settings.port, host, () => {
  console.log(
    `checkbook: http://${host}:${server.address().port} (Accord at ${settings.accordUrl}, webhooks at /webhooks)`,
  );
});

function shutdown() {
  for (const res of openStreams) res.end();
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2_000).unref();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
