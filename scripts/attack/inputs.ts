// fast-check arbitraries for malformed input: hostile strings, JSON of the wrong
// shapes, bytes that are not UTF-8, bodies that do not match their Content-Type.
import fc from 'fast-check';

/** Strings attackers and broken clients actually send. */
const hostile = fc.constantFrom(
  "' OR '1'='1",
  "1' AND pg_sleep(5)--",
  '"; DROP TABLE customers; --',
  '../../../../etc/passwd',
  '%00',
  '\u0000',
  '\uFFFF\uD800',
  '{{7*7}}',
  '${7*7}',
  '<script>alert(1)</script>',
  '-1',
  '0',
  '1e309',
  'NaN',
  'Infinity',
  'null',
  'undefined',
  'true',
  '[]',
  '{}',
  '__proto__',
  'constructor',
  // React's reply encoding gives these a meaning inside server action arguments.
  '$1',
  '$@1',
  '$K1',
  '$Q1',
  '$undefined',
  '$n99999999999999999999',
  '$D not a date',
  '$T',
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  'a'.repeat(5000),
  '😀'.repeat(300),
);

export const junkString = fc.oneof(
  { weight: 3, arbitrary: hostile },
  { weight: 3, arbitrary: fc.string({ maxLength: 80 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 80 }) },
  { weight: 1, arbitrary: fc.uuid() },
);

/** Any JSON value, with hostile strings among the leaves. */
export const junkJson: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    junkString,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(junkString, fc.string({ maxLength: 10 })), tie('value'), { maxKeys: 4 }),
  ),
})).value;

/** An object with the fields a schema expects, each holding the wrong thing, or some of them. */
export function junkObject(fields: readonly string[]): fc.Arbitrary<Record<string, unknown>> {
  if (fields.length === 0) return fc.dictionary(fc.string({ maxLength: 10 }), junkJson, { maxKeys: 3 });
  return fc.record(Object.fromEntries(fields.map((field) => [field, junkJson])), { requiredKeys: [] });
}

export const junkBytes = fc.uint8Array({ maxLength: 200 });

export const junkContentType = fc.constantFrom(
  'application/json',
  'application/merge-patch+json',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=----x',
  'multipart/form-data',
  'text/plain;charset=UTF-8',
  'text/plain;charset=nope',
  'application/octet-stream',
  'application/xml',
  '',
  'garbage/; ; ;',
);

/** A body of any kind: JSON that may not fit, raw text, bytes, an empty body. */
export const junkBody: fc.Arbitrary<string | Uint8Array> = fc.oneof(
  junkJson.map((value) => JSON.stringify(value) ?? 'null'),
  junkString,
  junkBytes,
  fc.constant(''),
  fc
    .dictionary(fc.string({ maxLength: 10 }), junkString, { maxKeys: 4 })
    .map((fields) => new URLSearchParams(fields).toString()),
);

/** A path segment: hostile text, percent-encoded, or encoding that does not decode. */
/** Percent-encoded as a client would; a lone surrogate (which cannot be) becomes U+FFFD first. */
function encodeSegment(s: string): string {
  return encodeURIComponent(Buffer.from(s, 'utf8').toString('utf8'));
}

// Not ".", "..", "%2e%2e" or "%2F": the client or Next.js resolves them, and the
// request reaches another route (an unknown /api/ path is Next.js's HTML 404).
export const junkSegment = fc.oneof(
  junkString.map(encodeSegment).filter((s) => s !== '.' && s !== '..'),
  fc.constantFrom('%', '%zz', '%E0%A4%A', '%C0%AF', ';', '%00', '%25'),
  fc.uuid(),
);

export const junkQuery = fc
  .array(
    fc.tuple(fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom('email', 'cursor', 'limit', 'fields')), junkString),
    {
      maxLength: 4,
    },
  )
  .map((pairs) => {
    const query = new URLSearchParams(pairs).toString();
    return query ? `?${query}` : '';
  });

export const junkHeaderValue = junkString.map((s) =>
  // fetch refuses values with control characters or outside Latin-1: what remains still reaches the server.
  s.replace(/[^\x20-\x7e]/g, '?').slice(0, 2000),
);
