import type { Metadata } from 'next';
import { getFormatter, getTranslations } from 'next-intl/server';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import type { ReactNode } from 'react';

import { Alert } from '@/components/ui/alert';
import { EmptyState, PageHeader, PageSection } from '@/components/ui/page-section';
import { requirePermission, type StaffActor } from '@/server/staff/auth';
import { getAgentCase, listCaseNotes, shortCaseId, type SupportCase } from '@/server/support/cases';

import { AgentActions } from './agent-actions';
import { CaseNoteForm, CloseCaseButton } from './case-forms';
import { CustomerView } from './customer-view';
import { RecoverySection } from './recovery-section';

type CaseSection = (props: { actor: StaffActor; supportCase: SupportCase }) => Promise<ReactNode>;
// The sections are their owners' (the team contract's stubs return nothing renderable until replaced).
const SECTIONS = [
  ['customer', CustomerView],
  ['actions', AgentActions],
  ['recovery', RecoverySection],
] as unknown as ReadonlyArray<[string, CaseSection]>;

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('console.support.case'))('metaTitle') };
}

export default async function SupportCasePage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requirePermission('support.verify');
  const [{ id }, t, format] = await Promise.all([params, getTranslations('console.support.case'), getFormatter()]);
  // Only the agent's own cases: another agent's case is as absent as an unknown id.
  const supportCase = await getAgentCase(actor, id);
  if (!supportCase) notFound();
  const notes = await listCaseNotes(supportCase.id);
  const time = (d: Date) => format.dateTime(d, { timeStyle: 'short' });
  const { verification } = supportCase;
  const verified = t(`verified.${verification.method}` as 'verified.support-code', {
    time: time(verification.verifiedAt),
  });
  return (
    <div className="flex flex-col gap-10">
      <PageHeader
        title={t('title', { id: shortCaseId(supportCase.id) })}
        intro={
          verification.sessionLabel
            ? t('verifiedWithSession', { verified, session: verification.sessionLabel })
            : verified
        }
      />
      <p>
        <Link className="underline" href="/console/support/cases">
          {t('back')}
        </Link>
      </p>
      {supportCase.closedAt ? (
        // A closed case keeps its history; it shows no customer values and allows nothing.
        <Alert tone="info">
          {t('closedAt', { date: format.dateTime(supportCase.closedAt, { dateStyle: 'medium', timeStyle: 'short' }) })}
        </Alert>
      ) : (
        SECTIONS.map(([key, Section]) => <Section key={key} actor={actor} supportCase={supportCase} />)
      )}
      <PageSection id="case-notes" title={t('notes')}>
        {notes.length ? (
          <ul className="flex flex-col gap-2">
            {notes.map((note) => (
              <li key={note.id} className="rounded-lg bg-white p-3 ring-1 ring-slate-200">
                <p className="text-sm text-muted">
                  {t('noteBy', {
                    name: note.authorName,
                    date: format.dateTime(note.createdAt, { dateStyle: 'medium', timeStyle: 'short' }),
                  })}
                </p>
                <p className="whitespace-pre-wrap">{note.body}</p>
              </li>
            ))}
          </ul>
        ) : (
          <EmptyState>{t('noNotes')}</EmptyState>
        )}
        {!supportCase.closedAt && <CaseNoteForm caseId={supportCase.id} />}
      </PageSection>
      {!supportCase.closedAt && (
        <PageSection id="close-case" title={t('closeTitle')} intro={t('closeIntro')}>
          <CloseCaseButton caseId={supportCase.id} />
        </PageSection>
      )}
    </div>
  );
}
