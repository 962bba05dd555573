'use client';

import type { FieldValues, Resolver } from 'react-hook-form';
import type * as z from 'zod/v4/core';

/**
 * `zodResolver(schema)` for a form whose schema, zod and the resolver load when
 * the customer starts on the form (`preload`: the form takes the focus or an
 * input) or submits it, not with the page: zod's core is about half of a form
 * page's JavaScript above a bare page, and nothing is validated before then.
 * The schema stays the one the server action checks (ARCHITECTURE rules 6-7).
 * If the code cannot load, the values go to the action unchecked: it checks the
 * same schema and its field errors are shown the same way.
 * docs/decisions/032-less-javascript-on-customer-pages.md
 */
export function lazyZodResolver<Input extends FieldValues, Output = Input>(
  loadSchema: () => Promise<z.$ZodType<Output, Input>>,
): { resolver: Resolver<Input, unknown, Output>; preload: () => void } {
  let loading: Promise<Resolver<Input, unknown, Output>> | null = null;
  const load = () =>
    (loading ??= Promise.all([import('@hookform/resolvers/zod'), loadSchema()])
      .then(([{ zodResolver }, schema]) => zodResolver(schema) as Resolver<Input, unknown, Output>)
      .catch((error: unknown) => {
        // Tried again on the next submit.
        loading = null;
        throw error;
      }));
  return {
    resolver: async (values, context, options) => {
      let resolve: Resolver<Input, unknown, Output>;
      try {
        resolve = await load();
      } catch {
        return { values: values as unknown as Output, errors: {} };
      }
      return resolve(values, context, options);
    },
    preload: () => void load().catch(() => undefined),
  };
}
