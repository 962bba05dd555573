'use client';

import { useId } from 'react';

import { useTranslations } from '@/lib/i18n/client';
import { ATTRIBUTES, OPERATORS, type AttributePath, type AttributeValues } from '@/lib/personalization/catalogue';

import {
  basePath,
  countConditions,
  emptyGroup,
  MAX_CONDITIONS,
  MAX_GROUP_DEPTH,
  newCondition,
  nextId,
  replaceNode,
  windowOf,
  WINDOWS,
  withOperator,
  withPath,
  type BuilderNode,
  type ConditionRow,
  type GroupNode,
  type SegmentRow,
} from './rule-builder-state';

export type ValueOption = { value: string; label: string };
export type ValueOptions = Partial<Record<AttributeValues, ValueOption[]>>;
export type SegmentOption = { key: string; name: string; conditions: number };

type Props = {
  root: GroupNode;
  onChange: (root: GroupNode) => void;
  values: ValueOptions;
  /** Saved segments a row may refer to; null where segments are not allowed (in a segment). */
  segments: SegmentOption[] | null;
  /** Ids of rows without a value yet, shown as such. */
  incomplete?: readonly string[];
};

/** The attributes as the picker lists them: signal kinds once, their window chosen beside. */
const GROUPS = (['profile', 'preferences', 'signals'] as const).map((group) => ({
  group,
  bases: [
    ...new Set(
      (Object.keys(ATTRIBUTES) as AttributePath[]).filter((path) => ATTRIBUTES[path].group === group).map(basePath),
    ),
  ],
}));

/** Message key of an attribute's label: next-intl keys cannot hold dots. */
export const attributeLabelKey = (base: string) => `attributes.${base.replaceAll('.', '_')}`;

const control =
  'min-h-11 rounded-lg border border-slate-400 bg-white px-3 py-2 text-base aria-[invalid=true]:border-red-700';
const smallButton =
  'min-h-11 rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm font-medium hover:bg-slate-50';

/**
 * AND/OR groups of conditions over the attribute catalogue (docs/decisions/035-personalization.md
 * §6): each row an attribute, an operator its kind allows and values from reference data; signals
 * with their window. Every control is labelled and every button says which row it acts on.
 */
export function RuleBuilder({ root, onChange, values, segments, incomplete = [] }: Props) {
  const t = useTranslations('console.content.builder');
  const baseId = useId();
  const sizes = Object.fromEntries((segments ?? []).map((s) => [s.key, s.conditions]));
  const count = countConditions(root, sizes);
  const full = count >= MAX_CONDITIONS;

  const numbers = new Map<string, number>();
  const number = (node: BuilderNode) => {
    if (node.type === 'group') node.children.forEach(number);
    else numbers.set(node.id, numbers.size + 1);
  };
  number(root);
  const groupNumbers = new Map<string, number>();
  const numberGroups = (node: BuilderNode) => {
    if (node.type !== 'group') return;
    groupNumbers.set(node.id, groupNumbers.size + 1);
    node.children.forEach(numberGroups);
  };
  numberGroups(root);

  const update = (id: string, next: BuilderNode | null) => onChange(replaceNode(root, id, next));
  const add = (group: GroupNode, child: BuilderNode) =>
    update(group.id, { ...group, children: [...group.children, child] });

  // Render functions, not components: a component declared here would be a new type on every
  // render, and React would remount the row (and lose the focus) at each change.
  function renderGroup(group: GroupNode, depth: number) {
    const n = groupNumbers.get(group.id)!;
    const label = depth === 0 ? t('rootGroup') : t('group', { n });
    return (
      <fieldset
        className={`flex flex-col gap-3 rounded-lg p-3 ring-1 ${depth === 0 ? 'ring-slate-300' : 'bg-slate-50 ring-slate-200'}`}
      >
        <legend className="px-1 font-medium">{label}</legend>
        <label className="flex flex-wrap items-center gap-2 text-sm">
          {t('combinator')}
          <select
            className={control}
            value={group.combinator}
            onChange={(e) => update(group.id, { ...group, combinator: e.target.value as 'and' | 'or' })}
          >
            <option value="and">{t('all')}</option>
            <option value="or">{t('any')}</option>
          </select>
        </label>
        {group.children.length === 0 ? (
          <p className="text-sm text-muted">{depth === 0 ? t('emptyRule') : t('emptyGroup')}</p>
        ) : (
          <ol className="flex flex-col gap-3">
            {group.children.map((child) => (
              <li key={child.id}>
                {child.type === 'group'
                  ? renderGroup(child, depth + 1)
                  : child.type === 'segment'
                    ? renderSegmentRow(child)
                    : renderConditionRow(child)}
              </li>
            ))}
          </ol>
        )}
        <div className="flex flex-wrap gap-2">
          <button type="button" className={smallButton} disabled={full} onClick={() => add(group, newCondition())}>
            {depth === 0 ? t('addCondition') : t('addConditionTo', { n })}
          </button>
          {segments && segments.length > 0 && (
            <button
              type="button"
              className={smallButton}
              disabled={full}
              onClick={() => add(group, { id: nextId(), type: 'segment', segment: segments[0]!.key })}
            >
              {depth === 0 ? t('addSegment') : t('addSegmentTo', { n })}
            </button>
          )}
          {depth < MAX_GROUP_DEPTH - 1 && (
            <button
              type="button"
              className={smallButton}
              disabled={full}
              onClick={() =>
                add(group, { ...emptyGroup(group.combinator === 'and' ? 'or' : 'and'), children: [newCondition()] })
              }
            >
              {depth === 0 ? t('addGroup') : t('addGroupTo', { n })}
            </button>
          )}
          {depth > 0 && (
            <button type="button" className={smallButton} onClick={() => update(group.id, null)}>
              {t('removeGroup', { n })}
            </button>
          )}
        </div>
      </fieldset>
    );
  }

  function renderSegmentRow(row: SegmentRow) {
    const n = numbers.get(row.id)!;
    const id = `${baseId}-${row.id}`;
    const known = segments?.some((s) => s.key === row.segment);
    return (
      <div role="group" aria-labelledby={`${id}-title`} className="flex flex-wrap items-end gap-3">
        <span id={`${id}-title`} className="sr-only">
          {t('condition', { n })}
        </span>
        <label className="flex flex-col gap-1 text-sm">
          {t('segmentLabel', { n })}
          <select
            className={control}
            value={row.segment}
            onChange={(e) => update(row.id, { ...row, segment: e.target.value })}
          >
            {!known && <option value={row.segment}>{t('unknownSegment', { key: row.segment })}</option>}
            {(segments ?? []).map((s) => (
              <option key={s.key} value={s.key}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
        <button type="button" className={smallButton} onClick={() => update(row.id, null)}>
          {t('removeCondition', { n })}
        </button>
      </div>
    );
  }

  function renderConditionRow(row: ConditionRow) {
    const n = numbers.get(row.id)!;
    const id = `${baseId}-${row.id}`;
    const spec = ATTRIBUTES[row.path];
    const base = basePath(row.path);
    const window = windowOf(row.path);
    const options = values[spec.values] ?? [];
    const missing = incomplete.includes(row.id);
    const setBase = (next: string) => {
      const path = (next.startsWith('signals.') ? `${next}.${window ?? 'd30'}` : next) as AttributePath;
      update(row.id, withPath(row, path));
    };
    return (
      <div role="group" aria-labelledby={`${id}-title`} className="flex flex-wrap items-end gap-3">
        <span id={`${id}-title`} className="sr-only">
          {t('condition', { n })}
        </span>
        <label className="flex flex-col gap-1 text-sm">
          {t('attributeLabel', { n })}
          <select className={control} value={base} onChange={(e) => setBase(e.target.value)}>
            {GROUPS.map(({ group, bases }) => (
              <optgroup key={group} label={t(`groups.${group}`)}>
                {bases.map((b) => (
                  <option key={b} value={b}>
                    {t(attributeLabelKey(b))}
                  </option>
                ))}
              </optgroup>
            ))}
          </select>
        </label>
        {window && (
          <label className="flex flex-col gap-1 text-sm">
            {t('windowLabel', { n })}
            <select
              className={control}
              value={window}
              onChange={(e) => update(row.id, withPath(row, `${base}.${e.target.value}` as AttributePath))}
            >
              {WINDOWS.map((w) => (
                <option key={w} value={w}>
                  {t(`windows.${w}`)}
                </option>
              ))}
            </select>
          </label>
        )}
        <label className="flex flex-col gap-1 text-sm">
          {t('operatorLabel', { n })}
          <select
            className={control}
            value={row.operator}
            onChange={(e) => update(row.id, withOperator(row, e.target.value))}
          >
            {OPERATORS[spec.kind].map((op) => (
              <option key={op} value={op}>
                {t(`operators.${spec.kind}.${op.slice(1)}`)}
              </option>
            ))}
          </select>
        </label>
        {renderValuePicker(row, id, n, options, missing)}
        <button type="button" className={smallButton} onClick={() => update(row.id, null)}>
          {t('removeCondition', { n })}
        </button>
      </div>
    );
  }

  function renderValuePicker(row: ConditionRow, id: string, n: number, options: ValueOption[], missing: boolean) {
    const errorId = missing ? `${id}-missing` : undefined;
    const error = missing && (
      <p id={errorId} className="text-sm font-medium text-red-700">
        {t('valueMissing')}
      </p>
    );
    if (typeof row.value === 'number')
      return (
        <label className="flex flex-col gap-1 text-sm">
          {t('daysLabel', { n })}
          <input
            type="number"
            min={0}
            max={36500}
            step={1}
            className={`${control} w-28`}
            value={row.value}
            onChange={(e) => update(row.id, { ...row, value: Math.max(0, Math.trunc(Number(e.target.value) || 0)) })}
          />
        </label>
      );
    if (typeof row.value === 'boolean')
      return (
        <label className="flex flex-col gap-1 text-sm">
          {t('valueLabel', { n })}
          <select
            className={control}
            value={row.value ? 'yes' : 'no'}
            onChange={(e) => update(row.id, { ...row, value: e.target.value === 'yes' })}
          >
            <option value="yes">{t('exists')}</option>
            <option value="no">{t('missing')}</option>
          </select>
        </label>
      );
    if (typeof row.value === 'string')
      return (
        <div className="flex flex-col gap-1 text-sm">
          <label htmlFor={`${id}-value`}>{t('valueLabel', { n })}</label>
          <select
            id={`${id}-value`}
            className={control}
            value={row.value}
            aria-invalid={missing || undefined}
            aria-describedby={errorId}
            onChange={(e) => update(row.id, { ...row, value: e.target.value })}
          >
            <option value="">{t('choose')}</option>
            {options.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
          {error}
        </div>
      );
    const chosen = new Set(row.value);
    const toggle = (value: string, on: boolean) =>
      update(row.id, {
        ...row,
        // In the options' order, so the rule reads the same however they were ticked.
        value: options.map((o) => o.value).filter((v) => (v === value ? on : chosen.has(v))),
      });
    return (
      <fieldset className="flex flex-col gap-1 text-sm" aria-describedby={errorId}>
        <legend>{t('valuesLabel', { n })}</legend>
        <div className="flex max-h-40 flex-wrap gap-x-4 gap-y-1 overflow-y-auto rounded-lg border border-slate-300 bg-white p-2">
          {options.map((o) => (
            <label key={o.value} className="flex min-h-8 items-center gap-2">
              <input
                type="checkbox"
                className="size-5 rounded border-slate-400 accent-brand"
                checked={chosen.has(o.value)}
                onChange={(e) => toggle(o.value, e.target.checked)}
              />
              {o.label}
            </label>
          ))}
        </div>
        {error}
      </fieldset>
    );
  }

  return (
    <div className="flex flex-col gap-2">
      {renderGroup(root, 0)}
      <p aria-live="polite" className={`text-sm ${full ? 'font-medium text-red-700' : 'text-muted'}`}>
        {full ? t('tooManyConditions', { max: MAX_CONDITIONS }) : t('conditionCount', { count, max: MAX_CONDITIONS })}
      </p>
    </div>
  );
}
