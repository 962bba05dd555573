import { getTranslations } from 'next-intl/server';

import { SLOT_KEYS, type Slot } from '@/lib/personalization/catalogue';
import type { BlockView, Decision } from '@/lib/personalization/decision';
import { describeLeaf, type DescribeContext } from '@/lib/personalization/describe';

// The home page's content slots, from a decision (server/personalization/decide.ts): the
// customer's /account and the console's preview render the same thing. No client JavaScript:
// "why am I seeing this?" is a <details>. docs/decisions/035-personalization.md §5

type Props = {
  decision: Decision;
  /** Sentences in the decision's language (server/personalization/describe-context.ts). */
  describe: DescribeContext;
};

type T = Awaited<ReturnType<typeof getTranslations<'account.home'>>>;

const LIST_CLASS: Record<Slot, string> = {
  hero: 'grid',
  'you-might-like': 'grid gap-4 sm:grid-cols-3',
  'cross-sell': 'grid',
  notice: 'grid',
};

const link = 'font-medium text-brand underline underline-offset-4 hover:no-underline';

export async function HomeSlots({ decision, describe }: Props) {
  const t = await getTranslations({ locale: decision.locale, namespace: 'account.home' });
  const slots = SLOT_KEYS.filter((slot) => (decision.slots[slot]?.length ?? 0) > 0);
  return (
    <div className="mt-10 space-y-10">
      {decision.mode === 'no-consent' && (
        <p className="text-sm text-muted">
          {t.rich('personalizationOff', {
            link: (chunks) => (
              <a className={link} href="/account/privacy#consents">
                {chunks}
              </a>
            ),
          })}
        </p>
      )}
      {slots.map((slot) => (
        <section key={slot} aria-labelledby={`home-slot-${slot}`}>
          <h2 id={`home-slot-${slot}`} className="text-xl font-semibold">
            {t(`slots.${slot}`)}
          </h2>
          <ul className={`mt-4 ${LIST_CLASS[slot]}`}>
            {decision.slots[slot]!.map((block) => (
              <li key={block.revisionId}>
                <Block block={block} t={t} describe={describe} />
              </li>
            ))}
          </ul>
        </section>
      ))}
    </div>
  );
}

function Block({ block, t, describe }: { block: BlockView; t: T; describe: DescribeContext }) {
  const hero = block.slot === 'hero';
  const titleId = `block-${block.revisionId}`;
  return (
    <article className="h-full overflow-hidden rounded-xl bg-white shadow-sm ring-1 ring-slate-200">
      {block.image && (
        // eslint-disable-next-line @next/next/no-img-element -- next/image is a client component; the store already re-encoded and sized it
        <img
          src={block.image.url}
          alt={block.image.alt}
          width={block.image.width}
          height={block.image.height}
          className="h-auto w-full"
          decoding="async"
          {...(hero ? { fetchPriority: 'high' as const } : { loading: 'lazy' as const })}
        />
      )}
      <div className="p-5">
        {hero ? (
          <h3 id={titleId} className="text-2xl font-bold tracking-tight">
            {block.title}
          </h3>
        ) : (
          <h3 id={titleId} className="text-lg font-semibold">
            {block.title}
          </h3>
        )}
        {/* Plain text as typed: React escapes it, pre-line keeps its line breaks. */}
        {block.text && <p className="mt-2 whitespace-pre-line text-muted">{block.text}</p>}
        {block.cta && (
          <a
            href={block.cta.url}
            aria-describedby={titleId}
            className="mt-4 inline-flex min-h-11 items-center rounded-lg bg-brand px-5 py-2.5 font-semibold text-on-brand hover:brightness-110"
          >
            {block.cta.label}
          </a>
        )}
        <details className="mt-4 text-sm">
          <summary className="cursor-pointer text-muted">{t('why.summary')}</summary>
          <div className="mt-2 space-y-2">
            {block.generic ? (
              <p>{t('why.everyone')}</p>
            ) : (
              <>
                {block.why.length === 0 ? (
                  // A rule that holds by what is absent (none of…): no condition to name.
                  <p>{t('why.chosen')}</p>
                ) : (
                  <>
                    <p>{t('why.intro')}</p>
                    <ul className="list-disc pl-5">
                      {block.why.map((leaf) => (
                        <li key={leaf.pointer}>{describeLeaf(leaf, describe)}</li>
                      ))}
                    </ul>
                  </>
                )}
                <p>
                  {t.rich('why.manage', {
                    preferences: (chunks) => (
                      <a className={link} href="/account/preferences">
                        {chunks}
                      </a>
                    ),
                    consents: (chunks) => (
                      <a className={link} href="/account/privacy#consents">
                        {chunks}
                      </a>
                    ),
                  })}
                </p>
              </>
            )}
          </div>
        </details>
      </div>
    </article>
  );
}
