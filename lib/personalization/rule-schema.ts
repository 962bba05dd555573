// CONTRACT PLACEHOLDER (owner: rules engineer): replaced by the accepted subset of
// GrowthBook's condition format (docs/decisions/035-personalization.md §2).
import * as z from 'zod/mini';

import type { Rule } from './catalogue';

export const RuleSchema = z.record(z.string(), z.unknown()) as unknown as z.ZodMiniType<Rule>;
