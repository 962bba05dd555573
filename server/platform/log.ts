import 'server-only';

import pino, { type Logger } from 'pino';

// The server's own log lines, as JSON on stdout (one object a line, for any log
// shipper). Lines carry ids, counts, route templates and reasons, never a query
// string, token, code, email or name. docs/decisions/024-health-shutdown-and-housekeeping.md

let root: Logger | undefined;

/** The process's logger; LOG_LEVEL (default info) is read on first use. */
export function getLogger(): Logger {
  // Synchronous writes: lines in the order they were logged, none lost at process.exit.
  root ??= pino(
    {
      level: process.env.LOG_LEVEL ?? 'info',
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    pino.destination({ dest: 1, sync: true }),
  );
  return root;
}

const OPAQUE_SEGMENT =
  /^(?:\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|.*@.*|(?=.*\d)[\w-]{16,})$/i;

/**
 * The path as a template: no query string or fragment, and every segment that
 * could identify someone or hold a secret (ids, numbers, emails, tokens) as ":id".
 */
export function routeTemplate(url: string | undefined): string {
  const path = (url ?? '/').split(/[?#]/, 1)[0] || '/';
  return path
    .split('/')
    .map((segment) => {
      let decoded = segment;
      try {
        decoded = decodeURIComponent(segment);
      } catch {
        return ':id';
      }
      return OPAQUE_SEGMENT.test(decoded) ? ':id' : segment;
    })
    .join('/');
}

const EMAIL_LIKE = /[^\s<>"'(),;:]+@[^\s<>"'(),;:]+/g;

/**
 * An error's message for a log line, email addresses masked: SMTP servers and
 * drivers quote the recipient or the value they refused.
 */
export function errorMessage(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(EMAIL_LIKE, '<email>');
}
