'use client';

import { useEffect, useMemo, useRef, useState } from 'react';

import { RuleBuilder, type SegmentOption, type ValueOptions } from '@/components/console/rule-builder';
import { emptyGroup, fromRule, incompleteRows, toRule, type GroupNode } from '@/components/console/rule-builder-state';
import { callAction, useActionMessages } from '@/components/use-action-messages';
import { useTranslations } from '@/lib/i18n/client';
import type { Rule } from '@/lib/personalization/catalogue';
import { describeRule, type DescribedRule } from '@/lib/personalization/describe';

import { estimateAudienceAction, type EstimateResult } from './actions';

type AudienceEstimate = Extract<EstimateResult, { ok: true }>['estimate'];

type Props = {
  id: string;
  initialRule: Rule;
  /** The rule to save, or null while a row has no value yet. */
  onChange: (rule: Rule | null) => void;
  values: ValueOptions;
  segments: SegmentOption[] | null;
  error?: string;
  /** False while the rule does not apply (a generic block): no estimate is asked for. */
  active?: boolean;
};

/** How long typing pauses before an estimate is asked for: each one counts every customer. */
const ESTIMATE_DELAY_MS = 500;

/**
 * The rule of a block or segment: the builder, its plain-language summary, its JSON (read-only)
 * and the audience estimate (docs/decisions/035-personalization.md §6).
 */
export function RulePanel({ id, initialRule, onChange, values, segments, error, active = true }: Props) {
  const t = useTranslations('console.content.rulePanel');
  const initial = useMemo(() => fromRule(initialRule), [initialRule]);
  const [root, setRoot] = useState<GroupNode>(() => (initial.ok ? initial.root : emptyGroup()));
  // A rule the builder cannot show ($nor, $not from the CLI) is kept as it is until replaced.
  const [raw, setRaw] = useState<Rule | null>(initial.ok ? null : initialRule);
  const incomplete = incompleteRows(root);
  const rule = raw ?? toRule(root);
  const ruleJson = JSON.stringify(rule);

  const change = (next: GroupNode) => {
    setRoot(next);
    onChange(incompleteRows(next).length > 0 ? null : toRule(next));
  };

  return (
    <section aria-labelledby={`${id}-title`} className="flex flex-col gap-4">
      <h2 id={`${id}-title`} className="text-xl font-semibold">
        {t('title')}
      </h2>
      {raw ? (
        <div className="flex flex-col gap-2">
          <p className="text-sm">{t('notBuildable')}</p>
          <button
            type="button"
            className="self-start text-brand underline underline-offset-4"
            onClick={() => {
              setRaw(null);
              change(emptyGroup());
            }}
          >
            {t('replace')}
          </button>
        </div>
      ) : (
        <RuleBuilder root={root} onChange={change} values={values} segments={segments} incomplete={incomplete} />
      )}
      {error && (
        <p id={`${id}-error`} className="text-sm font-medium text-red-700" role="alert">
          {error}
        </p>
      )}
      <Summary rule={rule} values={values} segments={segments} />
      <details className="rounded-lg bg-slate-50 p-3 text-sm">
        <summary className="cursor-pointer font-medium">{t('json')}</summary>
        <pre className="mt-2 overflow-x-auto break-all whitespace-pre-wrap" aria-label={t('json')}>
          {JSON.stringify(rule, null, 2)}
        </pre>
      </details>
      <Estimate ruleJson={ruleJson} ready={active && (raw !== null || incomplete.length === 0)} />
    </section>
  );
}

function Summary({ rule, values, segments }: { rule: Rule; values: ValueOptions; segments: SegmentOption[] | null }) {
  const t = useTranslations('console.content.rulePanel');
  const td = useTranslations('personalization.describe');
  const described = useMemo(() => {
    const label = (options: ValueOptions[keyof ValueOptions]) => {
      const map = new Map((options ?? []).map((o) => [o.value, o.label]));
      return (key: string) => map.get(key) ?? key;
    };
    const names = new Map((segments ?? []).map((s) => [s.key, s.name]));
    if (Object.keys(rule).length === 0) return null;
    try {
      return describeRule(rule, {
        t: (key, v) => td(key, v),
        categoryLabel: label(values.category),
        storeLabel: label(values.store),
        segmentName: (key) => names.get(key) ?? key,
        countryLabel: label(values.country),
      });
    } catch {
      return 'unavailable' as const;
    }
  }, [rule, values, segments, td]);
  return (
    <div className="rounded-lg bg-white p-4 ring-1 ring-slate-200" aria-live="polite">
      <h3 className="font-semibold">{t('summary')}</h3>
      {described === null ? (
        <p className="text-sm text-muted">{t('everyone')}</p>
      ) : described === 'unavailable' ? (
        <p className="text-sm text-muted">{t('summaryUnavailable')}</p>
      ) : (
        <ul className="mt-2 list-disc pl-5 text-sm">
          <DescribedItem node={described} />
        </ul>
      )}
    </div>
  );
}

function DescribedItem({ node }: { node: DescribedRule }) {
  const t = useTranslations('console.content.rulePanel');
  if (node.kind === 'condition') return <li>{node.text}</li>;
  return (
    <li>
      {t(`combinators.${node.kind}`)}
      <ul className="list-disc pl-5">
        {node.children.map((child, i) => (
          <DescribedItem key={i} node={child} />
        ))}
      </ul>
    </li>
  );
}

type EstimateState =
  | { status: 'idle' | 'loading' }
  | { status: 'done'; estimate: AudienceEstimate }
  | { status: 'error'; message: string; values?: Record<string, string | number> };

function Estimate({ ruleJson, ready }: { ruleJson: string; ready: boolean }) {
  const t = useTranslations('console.content.estimate');
  const tr = useActionMessages();
  const [state, setState] = useState<EstimateState>({ status: 'idle' });
  const latest = useRef(0);

  useEffect(() => {
    if (!ready) return;
    const asked = ++latest.current;
    const timer = setTimeout(async () => {
      setState({ status: 'loading' });
      const result = await callAction(() => estimateAudienceAction({ rule: JSON.parse(ruleJson) }));
      // An answer to an older rule is dropped: the figures always belong to the rule shown.
      if (asked !== latest.current) return;
      setState(
        result.ok
          ? { status: 'done', estimate: result.estimate }
          : { status: 'error', message: result.message ?? 'common.genericError', values: result.values },
      );
    }, ESTIMATE_DELAY_MS);
    return () => clearTimeout(timer);
    // Only a new rule asks again: a re-render (the answer's own) must not.
  }, [ruleJson, ready]);

  const format = (n: number) => n.toLocaleString();
  return (
    <section
      aria-labelledby="estimate-title"
      className="flex flex-col gap-2 rounded-lg bg-white p-4 ring-1 ring-slate-200"
    >
      <h3 id="estimate-title" className="font-semibold">
        {t('title')}
      </h3>
      <p className="text-sm text-muted">{t('consentNote')}</p>
      <div aria-live="polite" aria-busy={state.status === 'loading'} className="text-sm">
        {!ready && <p>{t('incomplete')}</p>}
        {ready && state.status === 'loading' && <p>{t('loading')}</p>}
        {ready && state.status === 'error' && (
          <p className="font-medium text-red-700">{tr(state.message, state.values)}</p>
        )}
        {ready && state.status === 'done' && (
          <>
            <dl className="grid grid-cols-2 gap-x-4 gap-y-1 sm:grid-cols-4">
              {(['matching', 'reachable', 'granted', 'population'] as const).map((k) => (
                <div key={k}>
                  <dt className="text-muted">{t(k)}</dt>
                  <dd className="text-lg font-semibold" data-testid={`estimate-${k}`}>
                    {format(state.estimate[k])}
                  </dd>
                </div>
              ))}
            </dl>
            {state.estimate.sample.length > 0 && (
              <div className="mt-3">
                <h4 className="font-medium">{t('sample')}</h4>
                <ul className="mt-1 flex flex-wrap gap-x-4">
                  {state.estimate.sample.map((s) => (
                    <li key={s.token}>
                      <a
                        className="inline-flex min-h-6 items-center text-brand underline underline-offset-4"
                        href={`/console/content/preview?sample=${encodeURIComponent(s.token)}`}
                      >
                        {t('previewAs', { email: s.maskedEmail })}
                      </a>
                    </li>
                  ))}
                </ul>
              </div>
            )}
          </>
        )}
      </div>
    </section>
  );
}
