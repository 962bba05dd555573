'use client';

import { usePathname, useRouter } from 'next/navigation';
import { useId, useState, useTransition } from 'react';

import { Button } from '@/components/ui/button';
import { callAction, useActionMessages } from '@/components/use-action-messages';
import { useTranslations } from '@/lib/i18n/client';
import { PUBLICATION_NOTE_MAX_LENGTH } from '@/lib/validation/content-publish';

import { decidePublicationAction, publishRevisionAction, revertAction, unpublishAction } from './actions';

export type PublicationKind = 'publish' | 'unpublish' | 'revert' | 'approve' | 'reject';

type Payload = {
  objectId: string;
  revisionId?: string;
  publicationId?: string;
  expectedLiveRevisionId?: string | null;
};

function run(kind: PublicationKind, payload: Payload, note: string) {
  const { objectId, revisionId, publicationId, expectedLiveRevisionId = null } = payload;
  switch (kind) {
    case 'publish':
      return publishRevisionAction({ objectId, revisionId, expectedLiveRevisionId, note: note || undefined });
    case 'unpublish':
      return unpublishAction({ objectId, expectedLiveRevisionId });
    case 'revert':
      return revertAction({ objectId, toRevisionId: revisionId, expectedLiveRevisionId });
    default:
      return decidePublicationAction({ objectId, publicationId, approve: kind === 'approve', note: note || undefined });
  }
}

/**
 * One publishing step (publish, unpublish, revert, approve, reject) with the ids the page loaded:
 * the server refuses it as stale if the block changed since. Publish, approve and reject take a note.
 */
export function PublicationButton({
  kind,
  payload,
  label,
  withNote = false,
}: {
  kind: PublicationKind;
  payload: Payload;
  label: string;
  withNote?: boolean;
}) {
  const t = useTranslations('console.content.history');
  const tr = useActionMessages();
  const router = useRouter();
  const pathname = usePathname();
  const noteId = useId();
  const [pending, startTransition] = useTransition();
  const [note, setNote] = useState('');
  const [status, setStatus] = useState<{ tone: 'ok' | 'error'; text: string } | null>(null);

  const submit = () =>
    startTransition(async () => {
      setStatus(null);
      const result = await callAction(() => run(kind, payload, note));
      if (result.ok) {
        // The page says it (?done=): this button may not be on the page the step leads to.
        const outcome = 'status' in result ? result.status : 'applied';
        router.replace(`${pathname}?done=${outcome}`, { scroll: false });
        return;
      }
      const key = result.message ?? Object.values(result.fieldErrors ?? {})[0] ?? 'common.genericError';
      setStatus({ tone: 'error', text: tr(key, result.values) });
    });

  return (
    <div className="flex flex-wrap items-end gap-2">
      {withNote && (
        <div className="flex flex-col gap-1">
          <label htmlFor={noteId} className="text-sm font-medium">
            {t('note')}
          </label>
          <input
            id={noteId}
            value={note}
            maxLength={PUBLICATION_NOTE_MAX_LENGTH}
            onChange={(e) => setNote(e.target.value)}
            className="min-h-11 rounded-lg border border-slate-400 bg-white px-3 py-2"
          />
        </div>
      )}
      <Button
        type="button"
        variant={kind === 'reject' || kind === 'unpublish' ? 'secondary' : 'primary'}
        pending={pending}
        pendingLabel={t('working')}
        onClick={submit}
      >
        {label}
      </Button>
      <span
        role={status?.tone === 'error' ? 'alert' : 'status'}
        className={status?.tone === 'error' ? 'text-sm font-medium text-red-700' : 'text-sm text-muted'}
      >
        {status?.text}
      </span>
    </div>
  );
}
