import { getTranslations } from 'next-intl/server';

import { HomeSlots } from '@/components/personalization/home-slots';
import { SLOT_KEYS, type Slot } from '@/lib/personalization/catalogue';
import type { CandidateOutcome, Decision } from '@/lib/personalization/decision';
import { describeLeaf, type DescribeContext } from '@/lib/personalization/describe';

import { getConsoleDescribeContext } from './describe-context';

const card = 'rounded-xl bg-white p-5 shadow-sm ring-1 ring-slate-200';

export type CandidateLine = Pick<
  CandidateOutcome,
  'objectId' | 'key' | 'priority' | 'generic' | 'outcome' | 'failed'
> & {
  title?: string;
};

/** Every live block of a slot, and why it was or was not shown. */
export async function CandidateList({ candidates, ctx }: { candidates: CandidateLine[]; ctx: DescribeContext }) {
  const t = await getTranslations('console.content.preview');
  if (candidates.length === 0) return <p className="text-muted">{t('noCandidates')}</p>;
  return (
    <ul className="flex flex-col gap-2">
      {candidates.map((c) => (
        <li key={c.objectId} className="flex flex-col gap-1">
          <span>
            <span className="font-medium break-all">{c.title ? `${c.title} (${c.key})` : c.key}</span>{' '}
            <span className="text-muted">
              · {t('priority', { priority: c.priority })}
              {c.generic && ` · ${t('generic')}`}
            </span>
          </span>
          <span data-outcome={c.outcome}>{t(`outcomes.${c.outcome}`)}</span>
          {c.outcome === 'rule-failed' && c.failed.length > 0 && (
            <ul className="ml-5 list-disc text-sm">
              {c.failed.map((leaf) => (
                <li key={leaf.pointer}>{t('failedCondition', { condition: describeLeaf(leaf, ctx) })}</li>
              ))}
            </ul>
          )}
        </li>
      ))}
    </ul>
  );
}

/**
 * The home page as the customer sees it (the portal's own renderer, in the customer's language;
 * the preview's links are the stored ones, not the click-counting ones), then each slot's
 * candidates and why they were or were not shown, in the member's language.
 */
export async function PreviewResult({ decision }: { decision: Decision }) {
  const [t, ctx, customerCtx] = await Promise.all([
    getTranslations('console.content.preview'),
    getConsoleDescribeContext(),
    getConsoleDescribeContext(decision.locale),
  ]);
  const slots = SLOT_KEYS.filter((s) => decision.explain?.[s]?.length);
  return (
    <section aria-labelledby="preview-result-title" className="flex flex-col gap-6">
      <h2 id="preview-result-title" className="text-xl font-semibold">
        {t('resultTitle')}
      </h2>
      <p data-mode={decision.mode}>{t(`modes.${decision.mode}`)}</p>
      <div className="rounded-xl bg-slate-50 p-5 ring-1 ring-slate-200" data-testid="preview-home">
        <HomeSlots decision={decision} describe={customerCtx} />
      </div>
      <section aria-labelledby="preview-why-title" className="flex flex-col gap-4">
        <h2 id="preview-why-title" className="text-xl font-semibold">
          {t('whyTitle')}
        </h2>
        {slots.length === 0 && <p className="text-muted">{t('noCandidates')}</p>}
        {slots.map((slot: Slot) => (
          <section key={slot} aria-labelledby={`preview-slot-${slot}`} className={`${card} flex flex-col gap-2`}>
            <h3 id={`preview-slot-${slot}`} className="text-lg font-semibold">
              {t('slot', { slot })}
            </h3>
            <CandidateList candidates={decision.explain?.[slot] ?? []} ctx={ctx} />
          </section>
        ))}
      </section>
    </section>
  );
}
