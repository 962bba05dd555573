// What a content decision returns (server/personalization/decide.ts), shared with the components
// that render it (components/personalization/) and the console's preview.
// docs/decisions/035-personalization.md §5
import type { Leaf, Slot } from './catalogue';

/** personalized: rules decide; holdout: the brand-wide holdout sees generic content;
 *  no-consent: personalization not granted (nothing read); off: PERSONALIZATION_ENABLED=false. */
export type DecisionMode = 'personalized' | 'holdout' | 'no-consent' | 'off';

/** A block as shown, in one language. */
export type BlockView = {
  objectId: string;
  key: string;
  slot: Slot;
  revisionId: string;
  title: string;
  text: string;
  image: { url: string; alt: string; width: number; height: number } | null;
  /** url: the click-counting link (/account/go/<revision>?…) on the portal, the stored URL in the API. */
  cta: { label: string; url: string } | null;
  generic: boolean;
  /** The rule's conditions that held, for "why am I seeing this?" (empty for generic blocks). */
  why: Leaf[];
};

export type Outcome =
  'shown' | 'rule-failed' | 'outside-schedule' | 'lower-priority' | 'no-consent' | 'holdout' | 'off';

/** Why each live block of a slot was or was not shown (the console's preview). */
export type CandidateOutcome = {
  objectId: string;
  key: string;
  revisionId: string;
  priority: number;
  generic: boolean;
  outcome: Outcome;
  /** For rule-failed: the conditions that did not hold. */
  failed: Leaf[];
};

export type Decision = {
  customerId: string;
  mode: DecisionMode;
  contentVersion: number;
  locale: 'en' | 'fr';
  slots: Partial<Record<Slot, BlockView[]>>;
  explain?: Partial<Record<Slot, CandidateOutcome[]>>;
  /** Strong ETag of the decision's inputs (the decision API's). */
  etag: string;
};
