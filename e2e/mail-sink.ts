/**
 * A real SMTP sink with a small JSON API: the mailbox of the e2e suite, and of any
 * deployment under test that QA's flows read (docs/qa.md). Run as its own process:
 *
 *   npm run mail-sink [-- --smtp-port 2525 --api-port 2526 --host 127.0.0.1]
 *
 * Flags win over the environment: E2E_SMTP_PORT (default 2525), E2E_MAILBOX_PORT
 * (default 2526), MAIL_SINK_HOST (default 127.0.0.1; the API has no authentication and
 * serves sign-in codes: listen wider only on a private network).
 *
 * SMTP: no auth, no TLS (STARTTLS is not offered), any sender and recipient. Each
 * message is parsed with mailparser and kept in memory (the newest MAX_MESSAGES).
 *
 * HTTP:
 *   GET    /health                      200 "ok"
 *   GET    /messages[?to=ADDR]          JSON array of Mail (see e2e/mailbox.ts), oldest first;
 *                                       `to` matches envelope, To and Cc case-insensitively
 *   GET    /messages/latest?to=ADDR     the newest Mail for ADDR (with a subject containing TEXT,
 *          [&subject=TEXT][&after=ID]   an id above ID) with `code` (the 6-digit sign-in code)
 *                                       and `link` (the /signin/confirm URL), each null when the
 *                                       mail has none; 404 when no mail matches
 *   DELETE /messages[?to=ADDR]          forget all messages, or those of one recipient
 *   GET    /seen                        {addresses, codes}: every recipient and 6-digit code
 *                                       received since start, deleted or not (e2e/global-teardown.ts)
 *   POST   /smtp/stop                   SMTP stops listening (connections refused, as from a mail
 *                                       server that is down) until POST /smtp/start; 204
 *
 * Logs one line per message (recipients and subject only: bodies hold sign-in codes).
 */
import http from 'node:http';
import type { AddressInfo, Server } from 'node:net';
import { parseArgs } from 'node:util';

import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

import { findCode, findSignInLink, type Mail } from './mailbox';

const { values: flags } = parseArgs({
  options: { 'smtp-port': { type: 'string' }, 'api-port': { type: 'string' }, host: { type: 'string' } },
});
const HOST = flags.host ?? (process.env.MAIL_SINK_HOST || '127.0.0.1');
const SMTP_PORT = parsePort('--smtp-port', flags['smtp-port'] ?? process.env.E2E_SMTP_PORT, 2525);
const HTTP_PORT = parsePort('--api-port', flags['api-port'] ?? process.env.E2E_MAILBOX_PORT, 2526);
const MAX_MESSAGES = 5000;
const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

function parsePort(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    console.error(`mail-sink: ${name} ${JSON.stringify(raw)} is not a port number`);
    process.exit(1);
  }
  return port;
}

const messages: Mail[] = [];
let nextId = 1;

function addresses(field: AddressObject | AddressObject[] | undefined): string[] {
  const out: string[] = [];
  const visit = (list: { address?: string; group?: { address?: string }[] }[]) => {
    for (const entry of list) {
      if (entry.address) out.push(entry.address.toLowerCase());
      if (entry.group) visit(entry.group);
    }
  };
  for (const obj of field === undefined ? [] : Array.isArray(field) ? field : [field]) visit(obj.value);
  return out;
}

function rawHeaders(parsed: ParsedMail): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const { key, line } of parsed.headerLines) {
    const colon = line.indexOf(':');
    headers[key.toLowerCase()] = (colon === -1 ? '' : line.slice(colon + 1)).replace(/\r?\n[ \t]+/g, ' ').trim();
  }
  return headers;
}

function toMail(parsed: ParsedMail, envelopeFrom: string, envelopeTo: string[], receivedAt: Date): Mail {
  const headers = rawHeaders(parsed);
  return {
    id: nextId++,
    envelopeFrom,
    envelopeTo,
    to: addresses(parsed.to),
    cc: addresses(parsed.cc),
    from: parsed.from?.text ?? '',
    fromAddress: addresses(parsed.from)[0] ?? '',
    subject: parsed.subject ?? '',
    text: parsed.text ?? '',
    html: typeof parsed.html === 'string' ? parsed.html : null,
    date: (parsed.date ?? receivedAt).toISOString(),
    receivedAt: receivedAt.toISOString(),
    messageId: parsed.messageId ?? null,
    contentLanguage: headers['content-language'] ?? null,
    headers,
  };
}

function isFor(mail: Mail, address: string): boolean {
  return mail.envelopeTo.includes(address) || mail.to.includes(address) || mail.cc.includes(address);
}

const seen = { addresses: new Set<string>(), codes: new Set<string>() };

const smtp = new SMTPServer({
  secure: false,
  authOptional: true,
  disabledCommands: ['AUTH', 'STARTTLS'],
  hideSTARTTLS: true,
  // The machine has no DNS for reverse look-ups: without this each connection may wait on it.
  disableReverseLookup: true,
  banner: 'Accord e2e mail sink',
  size: MAX_MESSAGE_BYTES,
  logger: false,
  onData(stream, session, callback) {
    const receivedAt = new Date();
    const envelopeFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address.toLowerCase() : '';
    const envelopeTo = session.envelope.rcptTo.map((rcpt) => rcpt.address.toLowerCase());
    simpleParser(stream)
      .then((parsed) => {
        if (stream.sizeExceeded) {
          const error = new Error(`Message exceeds ${MAX_MESSAGE_BYTES} bytes`) as Error & { responseCode?: number };
          error.responseCode = 552;
          callback(error);
          return;
        }
        const mail = toMail(parsed, envelopeFrom, envelopeTo, receivedAt);
        messages.push(mail);
        for (const address of envelopeTo) seen.addresses.add(address);
        for (const [, a, b] of (mail.text ?? '').matchAll(/(?<!\d)(\d{3}) ?(\d{3})(?!\d)/g)) seen.codes.add(`${a}${b}`);
        if (messages.length > MAX_MESSAGES) messages.splice(0, messages.length - MAX_MESSAGES);
        console.log(`mail-sink: #${mail.id} to ${envelopeTo.join(', ')}: ${JSON.stringify(mail.subject)}`);
        callback();
      })
      .catch((error: unknown) => {
        console.error(`mail-sink: cannot parse a message to ${envelopeTo.join(', ')}: ${String(error)}`);
        callback(error instanceof Error ? error : new Error(String(error)));
      });
  },
});

let started = false;
smtp.on('error', (error) => {
  // Before start-up, listen() reports its own error (e.g. port in use) below.
  if (started) console.error(`mail-sink: SMTP error: ${error.message}`);
});

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8',
    'cache-control': 'no-store',
  });
  res.end(text);
}

const api = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://mail-sink');
  const to = url.searchParams.get('to')?.trim().toLowerCase();
  if (url.pathname === '/health' && (req.method === 'GET' || req.method === 'HEAD')) {
    send(res, 200, 'ok');
  } else if (url.pathname === '/messages' && req.method === 'GET') {
    send(res, 200, to ? messages.filter((mail) => isFor(mail, to)) : messages);
  } else if (url.pathname === '/messages/latest' && req.method === 'GET') {
    const subject = url.searchParams.get('subject');
    const after = Number(url.searchParams.get('after') ?? 0);
    if (!to) return send(res, 400, 'the query parameter `to` is required');
    if (!Number.isInteger(after) || after < 0) return send(res, 400, '`after` is not a message id');
    const mail = messages.findLast(
      (m) => m.id > after && isFor(m, to) && (subject === null || m.subject.includes(subject)),
    );
    if (!mail) return send(res, 404, 'no matching mail');
    send(res, 200, { ...mail, code: findCode(mail), link: findSignInLink(mail) });
  } else if (url.pathname === '/seen' && req.method === 'GET') {
    send(res, 200, { addresses: [...seen.addresses], codes: [...seen.codes] });
  } else if (url.pathname === '/messages' && req.method === 'DELETE') {
    const before = messages.length;
    const kept = to ? messages.filter((mail) => !isFor(mail, to)) : [];
    messages.splice(0, messages.length, ...kept);
    send(res, 200, { deleted: before - kept.length });
  } else if (url.pathname === '/smtp/stop' && req.method === 'POST') {
    // New connections are refused from now on; one in progress may finish.
    if (smtp.server.listening) smtp.server.close();
    send(res, 204, '');
  } else if (url.pathname === '/smtp/start' && req.method === 'POST') {
    if (smtp.server.listening) return send(res, 204, '');
    listen(smtp.server, SMTP_PORT, 'SMTP').then(
      () => send(res, 204, ''),
      (error: Error) => send(res, 500, error.message),
    );
  } else if (['/health', '/messages', '/messages/latest', '/seen'].includes(url.pathname)) {
    send(res, 405, 'method not allowed');
  } else {
    send(res, 404, 'not found');
  }
});

function listen(server: Server, port: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        new Error(
          error.code === 'EADDRINUSE'
            ? `${what} port ${HOST}:${port} is already in use (another mail sink still running?)`
            : `${what} cannot listen on ${HOST}:${port}: ${error.message}`,
        ),
      );
    });
    server.listen(port, HOST, () => resolve());
  });
}

let closing = false;
function shutdown(signal: string): void {
  if (closing) return;
  closing = true;
  console.log(`mail-sink: ${signal}, stopping`);
  api.close();
  api.closeAllConnections();
  smtp.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGINT', () => shutdown('SIGINT'));
process.on('SIGTERM', () => shutdown('SIGTERM'));

try {
  // SMTP first: /health answers only once both servers are listening.
  await listen(smtp.server, SMTP_PORT, 'SMTP');
  await listen(api, HTTP_PORT, 'HTTP');
} catch (error) {
  console.error(`mail-sink: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
started = true;
const smtpPort = (smtp.server.address() as AddressInfo).port;
console.log(`mail-sink: SMTP on ${HOST}:${smtpPort}, mailbox API on http://${HOST}:${HTTP_PORT}`);
