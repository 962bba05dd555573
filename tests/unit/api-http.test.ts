import { afterEach, describe, expect, it, vi } from 'vitest';

import en from '@/messages/en.json';
import { etag, json, mediaType, parseIfMatch, readBodyText, requestPath } from '@/server/apps/api/http';
import {
  fieldError,
  internalError,
  jsonPointer,
  problem,
  PROBLEM_CONTENT_TYPE,
  PROBLEMS,
  problemType,
} from '@/server/apps/api/problem';
import { getLogger } from '@/server/platform/log';

// Read once, at the first getEnv() call (server/platform/env.ts).
process.env.APP_URL = 'https://accounts.example/';

const post = (headers: Record<string, string>, body?: BodyInit) =>
  new Request('https://accounts.example/api/v1/customers/1', {
    method: 'POST',
    headers,
    body,
    ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
  } as RequestInit);

describe('mediaType: content negotiation of request bodies', () => {
  it.each([
    ['application/json', 'application/json'],
    ['Application/JSON; charset=UTF-8', 'application/json'],
    ['  application/merge-patch+json ;charset=utf-8', 'application/merge-patch+json'],
    ['application/x-www-form-urlencoded;charset=UTF-8', 'application/x-www-form-urlencoded'],
  ])('%j is %j', (header, expected) => {
    expect(mediaType(post({ 'content-type': header }))).toBe(expected);
  });

  it('is null without a Content-Type, or with only parameters', () => {
    expect(mediaType(new Request('https://accounts.example/'))).toBeNull();
    expect(mediaType(post({ 'content-type': '; charset=utf-8' }))).toBeNull();
  });
});

describe('readBodyText', () => {
  it('reads a UTF-8 body', async () => {
    expect(await readBodyText(post({}, '{"firstName":"Zoë"}'), 100)).toEqual({ ok: true, text: '{"firstName":"Zoë"}' });
    expect(await readBodyText(new Request('https://accounts.example/'), 100)).toEqual({ ok: true, text: '' });
  });

  it('counts bytes, not characters, against the limit', async () => {
    expect(await readBodyText(post({}, 'é'.repeat(5)), 10)).toEqual({ ok: true, text: 'ééééé' });
    expect(await readBodyText(post({}, 'é'.repeat(6)), 10)).toEqual({ ok: false, reason: 'too-large' });
  });

  it('refuses on the announced length alone, before reading', async () => {
    const request = post({ 'content-length': '1000000' }, 'small');
    expect(await readBodyText(request, 100)).toEqual({ ok: false, reason: 'too-large' });
    expect(request.bodyUsed).toBe(false);
  });

  it('stops reading a stream as soon as it passes the limit', async () => {
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(64));
      },
    });
    expect(await readBodyText(post({}, endless), 1_000)).toEqual({ ok: false, reason: 'too-large' });
    expect(pulled).toBeLessThan(40);
  });

  it('refuses bytes that are not UTF-8', async () => {
    expect(await readBodyText(post({}, new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])), 100)).toEqual({
      ok: false,
      reason: 'unreadable',
    });
  });
});

describe('requestPath: the instance of a problem', () => {
  it.each([
    ['https://accounts.example/api/v1/customers/7?email=a%40b.example#x', '/api/v1/customers/7'],
    ['http://localhost:3000/api/oauth/token', '/api/oauth/token'],
    ['https://accounts.example', '/'],
    ['https://accounts.example/?q=1', '/'],
  ])('%s → %s', (url, expected) => {
    expect(requestPath(new Request(url))).toBe(expected);
  });
});

describe('json', () => {
  it('answers JSON that no cache keeps, with the given status and extra headers', async () => {
    const response = json({ a: 1 }, { status: 201, headers: { ETag: '"3"' } });
    expect(response.status).toBe(201);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('etag')).toBe('"3"');
    expect(await response.json()).toEqual({ a: 1 });
    expect(json(null).status).toBe(200);
  });
});

describe('the problem-details catalogue (RFC 9457)', () => {
  it('gives every kind an error status, a title and a help text', () => {
    for (const [kind, entry] of Object.entries(PROBLEMS)) {
      expect(entry.status, kind).toBeGreaterThanOrEqual(400);
      expect(entry.status, kind).toBeLessThan(600);
      expect(entry.title.length, kind).toBeGreaterThan(0);
      expect(entry.help.length, kind).toBeGreaterThan(0);
    }
    // Only the unexpected is a 5xx: bad input is never answered with a 500.
    expect(Object.entries(PROBLEMS).filter(([, e]) => e.status >= 500)).toEqual([
      ['internal-error', PROBLEMS['internal-error']],
    ]);
    expect(new Set(Object.values(PROBLEMS).map((e) => e.title)).size).toBe(Object.keys(PROBLEMS).length);
  });

  it('points each type at its explanation on /docs/api, without a doubled slash', () => {
    expect(problemType('precondition-failed')).toBe('https://accounts.example/docs/api#problem-precondition-failed');
  });

  it('renders a problem with the catalogue status and title, and only the members given', async () => {
    const response = problem('precondition-required', {
      instance: '/api/v1/customers/7',
      headers: { ETag: '"7"' },
    });
    expect(response.status).toBe(428);
    expect(response.headers.get('content-type')).toBe(PROBLEM_CONTENT_TYPE);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('etag')).toBe('"7"');
    expect(await response.json()).toEqual({
      type: 'https://accounts.example/docs/api#problem-precondition-required',
      title: 'If-Match is required',
      status: 428,
      instance: '/api/v1/customers/7',
    });
  });

  it('adds detail, errors and extension members when there are some', async () => {
    const body = await problem('validation-failed', {
      instance: '/x',
      detail: 'Nothing was written.',
      errors: [{ pointer: '/firstName', code: 'firstName.tooLong', detail: 'Too long.' }],
      extensions: { retryable: false },
    }).json();
    expect(body).toMatchObject({
      status: 422,
      detail: 'Nothing was written.',
      errors: [{ pointer: '/firstName', code: 'firstName.tooLong', detail: 'Too long.' }],
      retryable: false,
    });
    expect(await problem('validation-failed', { instance: '/x', errors: [] }).json()).not.toHaveProperty('errors');
  });
});

describe('fieldError', () => {
  it("turns a shared schema's message key into a stable code with the portal's English text", () => {
    expect(fieldError({ pointer: '/firstName' }, 'firstName.tooLong', 'custom')).toEqual({
      pointer: '/firstName',
      code: 'firstName.tooLong',
      detail: en.validation.firstName.tooLong,
    });
  });

  it("keeps zod's own code and message for anything else", () => {
    expect(fieldError({ parameter: 'limit' }, 'Too big: expected number to be <=100', 'too_big')).toEqual({
      parameter: 'limit',
      code: 'too_big',
      detail: 'Too big: expected number to be <=100',
    });
  });

  it('keeps a key-shaped message that the catalogue does not know as its own text', () => {
    expect(fieldError({ pointer: '/x' }, 'nothing.here', 'custom')).toEqual({
      pointer: '/x',
      code: 'nothing.here',
      detail: 'nothing.here',
    });
  });
});

describe('jsonPointer (RFC 6901)', () => {
  it.each([
    [[], ''],
    [['addresses', 'home', 'postalCode'], '/addresses/home/postalCode'],
    [['items', 0], '/items/0'],
    [['a/b'], '/a~1b'],
    [['m~n'], '/m~0n'],
    // "~1" typed by a client must stay "~1" once decoded: "~" is escaped first.
    [['~1'], '/~01'],
  ])('%j → %j', (path, expected) => {
    expect(jsonPointer(path as PropertyKey[])).toBe(expected);
  });
});

describe('internalError', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('logs the cause with the request id and answers only that id', async () => {
    const log = vi.spyOn(getLogger(), 'error').mockImplementation(() => {});
    const requestId = '6d0f7c1e-9a51-4f57-9a3b-2c1f3f0e8a11';
    const request = new Request('http://localhost:3000/api/v1/customers?cursor=x', {
      headers: { 'x-request-id': requestId },
    });
    const response = internalError(request, new Error('password=hunter2 at db.internal:5432'));
    const body = await response.json();
    expect(response.status).toBe(500);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(body).toMatchObject({ status: 500, instance: '/api/v1/customers', errorId: requestId });
    expect(JSON.stringify(body)).not.toContain('hunter2');
    expect(log).toHaveBeenCalledOnce();
    expect(log.mock.calls[0]![0]).toMatchObject({ errorId: requestId, route: '/api/v1/customers' });
  });

  it('makes up an id when the request has none, and never takes a malformed one', async () => {
    vi.spyOn(getLogger(), 'error').mockImplementation(() => {});
    for (const headers of [{}, { 'x-request-id': 'a b <forged>' }] as Array<Record<string, string>>) {
      const body = await internalError(
        new Request('http://localhost/api/v1/customers', { headers }),
        new Error('x'),
      ).json();
      expect(body.errorId).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});

describe('If-Match and ETag: one strong version tag', () => {
  it('reads the tag the API gives back', () => {
    expect(etag(7)).toBe('"7"');
    expect(parseIfMatch(etag(7))).toEqual({ kind: 'version', version: 7 });
    expect(parseIfMatch('  "12" ')).toEqual({ kind: 'version', version: 12 });
  });

  it('tells a missing header from "*" and from anything else', () => {
    expect(parseIfMatch(null)).toEqual({ kind: 'missing' });
    expect(parseIfMatch('*')).toEqual({ kind: 'any' });
    expect(parseIfMatch('')).toEqual({ kind: 'invalid' });
  });

  it('refuses weak tags, lists, unquoted and oversized versions', () => {
    for (const value of ['W/"7"', '"7", "8"', '7', '"7', '"abc"', '"-1"', '"1.5"', '"1234567890"', '"*"']) {
      expect(parseIfMatch(value), value).toEqual({ kind: 'invalid' });
    }
  });
});
