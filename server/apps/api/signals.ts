import 'server-only';

import { SIGNAL_TYPES } from '@/lib/personalization/catalogue';
import { appReader } from '@/server/apps/registry';
import { recordSignal, type RecordSignalResult } from '@/server/personalization/signals';
import { getEnv } from '@/server/platform/env';
import { consume } from '@/server/platform/rate-limit';

import { authenticateApp } from '../oauth';
import { requestPath } from './http';
import { storeIdempotentResponse, type StoredResponse } from './idempotency';
import { problem, type ProblemFieldError } from './problem';
import { CustomerIdSchema, SignalPostSchema, type ApiSignal } from './schemas';
import {
  authorizeWrite,
  bodyErrors,
  fieldNotWritable,
  idempotencyOf,
  notFound,
  readJsonBody,
  refusalResponse,
} from './write-request';

// POST /api/v1/customers/{id}/signals: one behaviour signal, through the one
// write path (server/personalization/signals.ts), Idempotency-Key required.
// docs/decisions/035-personalization.md §1, docs/api.md

const POST_BODY_MAX_BYTES = 4 * 1024;

/** The write path's codes as the API names and explains them (its `kind` is this API's `type`). */
function issueErrors(issues: Array<{ path: string; message: string }>): ProblemFieldError[] {
  const explained: Record<string, [string, string, string]> = {
    'signal.kind': ['/type', 'type.invalid', `type is one of ${Object.keys(SIGNAL_TYPES).join(', ')}.`],
    'signal.category': ['/category', 'category.unknown', 'Not a category of this site, or a retired one.'],
    'signal.item': ['/item', 'item.invalid', 'item is 1 to 64 characters, without control characters.'],
    'signal.occurredAt': ['/occurredAt', 'occurredAt.invalid', 'occurredAt is an RFC 3339 date-time.'],
    'signal.occurredAt.future': [
      '/occurredAt',
      'occurredAt.future',
      'More than 5 minutes ahead of the server\u2019s clock: send the time it happened.',
    ],
    'signal.occurredAt.tooOld': [
      '/occurredAt',
      'occurredAt.tooOld',
      `Older than the signal retention (${getEnv().SIGNAL_RETENTION_DAYS} days): it would count for nothing.`,
    ],
  };
  return issues.map((i) => {
    const [pointer, code, detail] = explained[i.message] ?? [i.path, i.message, i.message];
    return { pointer, code, detail };
  });
}

export async function postSignal(request: Request, id: string): Promise<Response> {
  const auth = await authenticateApp(request, 'signals:write');
  if (!auth.ok) return auth.response;
  const instance = requestPath(request);
  if (!CustomerIdSchema.safeParse(id).success) return notFound(request);

  const body = await readJsonBody(request, POST_BODY_MAX_BYTES);
  if (!body.ok) return body.response;
  const idempotent = idempotencyOf(request, auth.app, id, body.text, true);
  if (!idempotent.ok) return idempotent.response;
  const { idempotency } = idempotent;
  const parsed = SignalPostSchema.safeParse(body.value);
  if (!parsed.success) return problem('validation-failed', { instance, errors: bodyErrors(parsed.error) });

  // Counted per app and customer, beside the app's own limit (authenticateApp).
  const limit = await consume([['signalsPerCustomer', `${auth.app.id}:${id.toLowerCase()}`]]);
  if (!limit.ok) {
    return problem('rate-limited', {
      instance,
      detail: `This app may record ${getEnv().RATE_LIMIT_SIGNALS_PER_CUSTOMER} signals a minute for one customer.`,
      headers: { 'Retry-After': String(limit.retryAfterSeconds) },
    });
  }

  const signal = parsed.data;
  const occurredAt = signal.occurredAt === undefined ? new Date() : new Date(signal.occurredAt);
  const answerOf = (signalId: string): StoredResponse => {
    const created: ApiSignal = {
      id: signalId,
      customerId: id.toLowerCase(),
      type: signal.type,
      category: signal.category,
      item: signal.item ?? null,
      occurredAt: occurredAt.toISOString(),
    };
    return {
      status: 201,
      body: created,
      headers: { Location: `${getEnv().APP_URL}/api/v1/customers/${created.customerId}/signals/${signalId}` },
    };
  };

  let result: RecordSignalResult;
  let answer: StoredResponse | undefined;
  try {
    result = await recordSignal(
      id,
      { kind: SIGNAL_TYPES[signal.type], category: signal.category, item: signal.item ?? null, occurredAt },
      {
        app: { id: auth.app.id, name: auth.app.name },
        authorize: authorizeWrite(appReader(auth.app), id, 'signals', idempotency),
        onWritten: async (tx, signalId) => {
          answer = answerOf(signalId);
          if (idempotency) await storeIdempotentResponse(tx, idempotency, answer);
        },
      },
    );
  } catch (error) {
    return refusalResponse(request, error);
  }
  if (!result.ok) {
    if (result.error === 'invalid')
      return problem('validation-failed', { instance, errors: issueErrors(result.issues) });
    // Signals are recorded only under the personalization grant: whatever purpose the app
    // declared them for, it may not write them now (the same answer as a field not visible).
    if (result.error === 'not-granted') return fieldNotWritable(request, 'signals');
    return notFound(request);
  }
  const { status, body: created, headers } = answer ?? answerOf(result.id);
  return new Response(JSON.stringify(created), {
    status,
    headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...headers },
  });
}
