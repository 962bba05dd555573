const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A well-formed UUID (any version): checked before an id from a request reaches a `::uuid` cast, which would fail. */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}
