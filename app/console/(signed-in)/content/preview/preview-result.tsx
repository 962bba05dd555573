import { getTranslations } from 'next-intl/server';

import { SLOT_KEYS, type Slot } from '@/lib/personalization/catalogue';
import type { BlockView, CandidateOutcome, Decision } from '@/lib/personalization/decision';
import { describeLeaf, type DescribeContext } from '@/lib/personalization/describe';

import { getDescribeContext } from './describe-context';

const card = 'rounded-xl bg-white p-5 shadow-sm ring-1 ring-slate-200';

/**
 * A block as the home page shows it, inert: its call to action is not a link, so a preview
 * counts no click (the portal's links go through /account/go/… which counts one).
 */
function PreviewBlock({ block }: { block: BlockView }) {
  return (
    <article className="flex flex-col gap-2 rounded-lg bg-slate-50 p-4 ring-1 ring-slate-200">
      {block.image && (
        // Stored sizes: no layout shift; the console loads the image like the home page does.
        // eslint-disable-next-line @next/next/no-img-element
        <img
          src={block.image.url}
          alt={block.image.alt}
          width={block.image.width}
          height={block.image.height}
          loading="lazy"
          className="h-auto max-w-full rounded"
        />
      )}
      <h4 className="font-semibold break-words">{block.title}</h4>
      {block.text && <p className="break-words whitespace-pre-line">{block.text}</p>}
      {block.cta && (
        <p className="text-sm">
          <span className="inline-block rounded-lg bg-brand px-3 py-1.5 font-semibold text-on-brand">
            {block.cta.label}
          </span>
        </p>
      )}
    </article>
  );
}

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

/** The home page as the customer sees it, slot by slot, with each candidate's outcome. */
export async function PreviewResult({ decision }: { decision: Decision }) {
  const [t, ctx] = await Promise.all([getTranslations('console.content.preview'), getDescribeContext()]);
  const slots = SLOT_KEYS.filter((s) => decision.slots[s] || decision.explain?.[s]);
  return (
    <section aria-labelledby="preview-result-title" className="flex flex-col gap-4">
      <h2 id="preview-result-title" className="text-xl font-semibold">
        {t('resultTitle')}
      </h2>
      <p data-mode={decision.mode}>{t(`modes.${decision.mode}`)}</p>
      {slots.map((slot: Slot) => (
        <section key={slot} aria-labelledby={`preview-slot-${slot}`} className={`${card} flex flex-col gap-4`}>
          <h3 id={`preview-slot-${slot}`} className="text-lg font-semibold">
            {t('slot', { slot })}
          </h3>
          <div className="grid gap-3 md:grid-cols-3">
            {(decision.slots[slot] ?? []).map((block) => (
              <PreviewBlock key={block.revisionId} block={block} />
            ))}
          </div>
          {(decision.slots[slot] ?? []).length === 0 && <p className="text-muted">{t('slotEmpty')}</p>}
          <div>
            <h4 className="font-medium">{t('whyTitle')}</h4>
            <CandidateList candidates={decision.explain?.[slot] ?? []} ctx={ctx} />
          </div>
        </section>
      ))}
    </section>
  );
}
