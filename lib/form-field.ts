/**
 * A field of a `<form action>`'s FormData. A crafted call can pass the action
 * anything instead (npm run test:attack does): then there is no field, the
 * action's schema refuses the input, and nothing throws a 500.
 */
export function formField(formData: unknown, name: string): FormDataEntryValue | undefined {
  return formData instanceof FormData ? (formData.get(name) ?? undefined) : undefined;
}
