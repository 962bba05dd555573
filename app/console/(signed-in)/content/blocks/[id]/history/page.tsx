import type { Metadata } from 'next';
import { getFormatter, getTranslations } from 'next-intl/server';
import Link from 'next/link';
import { notFound } from 'next/navigation';

import { EmptyState, PageHeader, PageSection } from '@/components/ui/page-section';
import type { Rule } from '@/lib/personalization/catalogue';
import { describeRule } from '@/lib/personalization/describe';
import { diffRevisionBodies, type FieldChange } from '@/lib/personalization/revision-diff';
import { isUuid } from '@/lib/uuid';
import { getContentObject, type RevisionRow } from '@/server/personalization/content';
import { requirePermission, staffCan } from '@/server/staff/auth';

import { getConsoleDescribeContext } from '../../../preview/describe-context';
import { RuleSummary } from '../../../preview/rule-summary';
import { PublicationButton } from './publication-button';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('console.content.history'))('title') };
}

const card = 'rounded-xl bg-white p-5 shadow-sm ring-1 ring-slate-200';
const cell = 'px-3 py-2 text-left align-top';

function pick(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * A block's revisions and publications, a diff between two revisions, and the publishing steps
 * (content.publish). Every step sends the live revision this page showed: stale is refused.
 */
const DONE = ['applied', 'pending', 'rejected', 'stale'] as const;

export default async function BlockHistoryPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const actor = await requirePermission('content.view');
  const [{ id }, query, t, format] = await Promise.all([
    params,
    searchParams,
    getTranslations('console.content.history'),
    getFormatter(),
  ]);
  if (!isUuid(id)) notFound();
  const block = await getContentObject(id);
  if (!block || block.type !== 'block') notFound();

  const canPublish = staffCan(actor, 'content.publish');
  // The outcome of the step just taken (publication-button.tsx), shown once the page has changed.
  const doneParam = pick(query.done);
  const done = DONE.find((d) => d === doneParam);
  const liveId = block.live?.id ?? null;
  const byId = new Map(block.revisions.map((r) => [r.id, r]));
  const wasLive = new Set(
    block.publications.filter((p) => p.status === 'applied' && p.toRevisionId).map((p) => p.toRevisionId!),
  );
  // The publication that made the live state (the newest applied one): it can be reverted.
  const current = block.publications
    .filter((p) => p.status === 'applied' && p.toRevisionId !== null && p.toRevisionId === liveId)
    .sort((a, b) => b.requestedAt.getTime() - a.requestedAt.getTime())[0];
  const numberOf = (revisionId: string | null) => (revisionId ? (byId.get(revisionId)?.number ?? '?') : '—');
  const when = (date: Date) => format.dateTime(date, { dateStyle: 'medium', timeStyle: 'short' });

  // Default comparison: what is live against the newest revision (or the two newest).
  const ordered = [...block.revisions].sort((a, b) => a.number - b.number);
  const byNumber = (n: string | undefined) => ordered.find((r) => String(r.number) === n);
  const to = byNumber(pick(query.to)) ?? ordered.at(-1)!;
  const from =
    byNumber(pick(query.from)) ??
    (block.live && block.live.id !== to.id ? block.live : (ordered[ordered.indexOf(to) - 1] ?? null));
  const changes = from ? diffRevisionBodies(from.body, to.body) : diffRevisionBodies(null, to.body);

  return (
    <div className="flex flex-col gap-10">
      <PageHeader
        title={t('heading', { key: block.key })}
        intro={t('intro', {
          slot: block.slot ?? '—',
          live: block.live ? t('liveRevision', { number: block.live.number }) : t('notLive'),
        })}
      />
      {done && (
        <p role="status" className="rounded-lg bg-white p-4 font-medium shadow-sm ring-1 ring-slate-200">
          {t(`done.${done}`)}
        </p>
      )}
      <p className="flex flex-wrap gap-x-6 gap-y-2">
        <Link
          href={`/console/content/blocks/${block.id}`}
          className="inline-flex min-h-6 items-center font-medium text-brand underline underline-offset-4"
        >
          {t('backToEditor')}
        </Link>
        <Link
          href={`/console/content/preview?draft=${block.id}`}
          className="inline-flex min-h-6 items-center font-medium text-brand underline underline-offset-4"
        >
          {t('previewLatest', { number: block.latest.number })}
        </Link>
      </p>

      {block.live && canPublish && (
        <PageSection id="live" title={t('liveTitle')} intro={t('liveIntro', { number: block.live.number })}>
          <PublicationButton
            kind="unpublish"
            label={t('unpublish')}
            payload={{ objectId: block.id, expectedLiveRevisionId: liveId }}
          />
        </PageSection>
      )}

      <PageSection id="revisions" title={t('revisionsTitle')}>
        {/* Focusable: a keyboard can scroll a wide table (WCAG 2.1.1). */}
        <div
          className="overflow-x-auto"
          tabIndex={0}
          role="region"
          aria-label={t('tableRegion', { title: t('revisionsTitle') })}
        >
          <table className={`${card} w-full border-collapse text-sm`}>
            <thead>
              <tr>
                <th scope="col" className={cell}>
                  {t('number')}
                </th>
                <th scope="col" className={cell}>
                  {t('author')}
                </th>
                <th scope="col" className={cell}>
                  {t('createdAt')}
                </th>
                <th scope="col" className={cell}>
                  {t('state')}
                </th>
                {canPublish && (
                  <th scope="col" className={cell}>
                    {t('actions')}
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {[...ordered].reverse().map((revision) => (
                <tr key={revision.id} className="border-t border-slate-200">
                  <th scope="row" className={cell}>
                    {t('revision', { number: revision.number })}
                  </th>
                  <td className={`${cell} break-all`}>{revision.authorLabel}</td>
                  <td className={cell}>{when(revision.createdAt)}</td>
                  <td className={cell}>
                    {revision.id === liveId ? t('live') : wasLive.has(revision.id) ? t('wasLive') : t('draft')}
                  </td>
                  {canPublish && (
                    <td className={cell}>
                      {revision.id !== liveId && (
                        <RevisionAction
                          revision={revision}
                          objectId={block.id}
                          liveId={liveId}
                          revert={wasLive.has(revision.id)}
                          label={t(wasLive.has(revision.id) ? 'revertTo' : 'publishThis', { number: revision.number })}
                        />
                      )}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </PageSection>

      <PageSection id="publications" title={t('publicationsTitle')}>
        {block.publications.length === 0 ? (
          <EmptyState>{t('noPublications')}</EmptyState>
        ) : (
          <div
            className="overflow-x-auto"
            tabIndex={0}
            role="region"
            aria-label={t('tableRegion', { title: t('publicationsTitle') })}
          >
            <table className={`${card} w-full border-collapse text-sm`}>
              <thead>
                <tr>
                  <th scope="col" className={cell}>
                    {t('publicationAction')}
                  </th>
                  <th scope="col" className={cell}>
                    {t('status')}
                  </th>
                  <th scope="col" className={cell}>
                    {t('change')}
                  </th>
                  <th scope="col" className={cell}>
                    {t('requestedBy')}
                  </th>
                  <th scope="col" className={cell}>
                    {t('decidedBy')}
                  </th>
                  <th scope="col" className={cell}>
                    {t('note')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {block.publications.map((p) => (
                  <tr key={p.id} className="border-t border-slate-200">
                    <th scope="row" className={cell}>
                      {t(`publicationActions.${p.action}`)}
                    </th>
                    <td className={cell}>
                      {t(`statuses.${p.status}`)}
                      {p.status === 'pending' && canPublish && (
                        <div className="mt-2 flex flex-col gap-2">
                          {p.requestedByStaffId === actor.id ? (
                            <p className="text-muted">{t('ownPending')}</p>
                          ) : (
                            <>
                              <PublicationButton
                                kind="approve"
                                withNote
                                label={t('approve')}
                                payload={{ objectId: block.id, publicationId: p.id }}
                              />
                              <PublicationButton
                                kind="reject"
                                label={t('reject')}
                                payload={{ objectId: block.id, publicationId: p.id }}
                              />
                            </>
                          )}
                        </div>
                      )}
                    </td>
                    <td className={cell}>
                      {t('fromTo', { from: numberOf(p.fromRevisionId), to: numberOf(p.toRevisionId) })}
                      {canPublish && p.id === current?.id && (
                        <div className="mt-2">
                          {/* Back to what was live before it: an earlier revision, or nothing. */}
                          <PublicationButton
                            kind={p.fromRevisionId ? 'revert' : 'unpublish'}
                            label={t('revertPublication')}
                            payload={{
                              objectId: block.id,
                              revisionId: p.fromRevisionId ?? undefined,
                              expectedLiveRevisionId: liveId,
                            }}
                          />
                        </div>
                      )}
                    </td>
                    <td className={`${cell} break-all`}>
                      {p.requestedByLabel}
                      <br />
                      <span className="text-muted">{when(p.requestedAt)}</span>
                    </td>
                    <td className={`${cell} break-all`}>
                      {p.decidedByLabel ?? '—'}
                      {p.decidedAt && (
                        <>
                          <br />
                          <span className="text-muted">{when(p.decidedAt)}</span>
                        </>
                      )}
                    </td>
                    <td className={`${cell} break-words whitespace-pre-line`}>{p.note ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </PageSection>

      <PageSection id="diff" title={t('diffTitle')} intro={t('diffIntro')}>
        <form method="get" className="flex flex-wrap items-end gap-3">
          {(['from', 'to'] as const).map((name) => (
            <div key={name} className="flex flex-col gap-1">
              <label htmlFor={`diff-${name}`} className="font-medium">
                {t(name === 'from' ? 'compareFrom' : 'compareTo')}
              </label>
              <select
                id={`diff-${name}`}
                name={name}
                defaultValue={String((name === 'from' ? from : to)?.number ?? '')}
                className="min-h-11 rounded-lg border border-slate-400 bg-white px-3 py-2"
              >
                {ordered.map((r) => (
                  <option key={r.id} value={r.number}>
                    {t('revision', { number: r.number })}
                  </option>
                ))}
              </select>
            </div>
          ))}
          <button
            type="submit"
            className="min-h-11 rounded-lg border border-slate-300 bg-white px-5 py-2.5 font-semibold"
          >
            {t('compare')}
          </button>
        </form>
        <p className="text-sm text-muted">
          {from ? t('comparing', { from: from.number, to: to.number }) : t('comparingFirst', { to: to.number })}
        </p>
        <DiffView changes={changes} />
      </PageSection>
    </div>
  );
}

function RevisionAction({
  revision,
  objectId,
  liveId,
  revert,
  label,
}: {
  revision: RevisionRow;
  objectId: string;
  liveId: string | null;
  revert: boolean;
  label: string;
}) {
  return revert ? (
    <PublicationButton
      kind="revert"
      label={label}
      payload={{ objectId, revisionId: revision.id, expectedLiveRevisionId: liveId }}
    />
  ) : (
    <PublicationButton
      kind="publish"
      withNote
      label={label}
      payload={{ objectId, revisionId: revision.id, expectedLiveRevisionId: liveId }}
    />
  );
}

async function DiffView({ changes }: { changes: FieldChange[] }) {
  const t = await getTranslations('console.content.history');
  if (changes.length === 0) return <EmptyState>{t('noDifferences')}</EmptyState>;
  const needsRules = changes.some((c) => c.kind === 'rule');
  const ctx = needsRules ? await getConsoleDescribeContext() : null;
  const groupLabels = { all: t('ruleAll'), any: t('ruleAny'), none: t('ruleNone') };
  const show = (value: unknown) => (value === null || value === undefined ? t('empty') : JSON.stringify(value));
  const summary = (rule: Rule | null) =>
    !rule || Object.keys(rule).length === 0 ? (
      <p>{t('everyone')}</p>
    ) : (
      <RuleSummary rule={describeRule(rule, ctx!)} labels={groupLabels} />
    );
  return (
    <dl className={`${card} flex flex-col gap-4`}>
      {changes.map((change) => (
        <div key={change.field} className="flex flex-col gap-1 border-b border-slate-100 pb-3 last:border-0">
          <dt className="font-mono text-sm font-semibold">{change.field}</dt>
          <dd>
            {change.kind === 'text' && (
              <p className="break-words whitespace-pre-wrap">
                {change.parts.map((part, i) =>
                  part.kind === 'added' ? (
                    <ins key={i} className="bg-green-100 text-green-950">
                      {part.text}
                    </ins>
                  ) : part.kind === 'removed' ? (
                    <del key={i} className="bg-red-100 text-red-950">
                      {part.text}
                    </del>
                  ) : (
                    <span key={i}>{part.text}</span>
                  ),
                )}
              </p>
            )}
            {change.kind === 'value' && (
              <p className="break-all">
                <del className="bg-red-100 text-red-950">{show(change.before)}</del> →{' '}
                <ins className="bg-green-100 text-green-950">{show(change.after)}</ins>
              </p>
            )}
            {change.kind === 'rule' && (
              <div className="grid gap-4 md:grid-cols-2">
                {(
                  [
                    ['before', change.before],
                    ['after', change.after],
                  ] as const
                ).map(([side, rule]) => (
                  <div key={side} className="flex flex-col gap-2">
                    <p className="font-medium">{t(side)}</p>
                    {summary(rule)}
                    <pre tabIndex={0} className="overflow-x-auto rounded bg-slate-50 p-2 text-xs">
                      {JSON.stringify(rule, null, 2)}
                    </pre>
                  </div>
                ))}
              </div>
            )}
          </dd>
        </div>
      ))}
    </dl>
  );
}
