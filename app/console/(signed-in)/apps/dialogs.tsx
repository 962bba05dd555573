'use client';

import { useEffect, useId, useRef, useState, type ReactNode } from 'react';

import { Button } from '@/components/ui/button';
import { useTranslations } from '@/lib/i18n/client';

/** A modal <dialog>: the browser traps focus, Escape closes it, focus returns to the opener. */
function Modal({ title, onClose, children }: { title: ReactNode; onClose: () => void; children: ReactNode }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    dialog?.showModal();
    return () => dialog?.close();
  }, []);
  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      onClose={onClose}
      className="m-auto w-full max-w-lg rounded-xl bg-white p-6 shadow-xl backdrop:bg-slate-900/50"
    >
      <h2 id={titleId} className="text-xl font-semibold">
        {title}
      </h2>
      <div className="mt-4 flex flex-col gap-4">{children}</div>
    </dialog>
  );
}

/**
 * Shows new secrets this once, each with a copy button. They live in the
 * opener's state only: closing the dialog forgets them, and no page renders them.
 */
export function SecretDialog({
  title,
  secrets,
  onClose,
}: {
  title: string;
  secrets: ReadonlyArray<{ label: string; value: string }>;
  onClose: () => void;
}) {
  const t = useTranslations('console.apps.secret');
  return (
    <Modal title={title} onClose={onClose}>
      <p className="font-medium text-red-800">{t('once')}</p>
      {secrets.map((secret) => (
        <SecretField key={secret.label} {...secret} />
      ))}
      <div>
        <Button type="button" onClick={onClose}>
          {t('done')}
        </Button>
      </div>
    </Modal>
  );
}

function SecretField({ label, value }: { label: string; value: string }) {
  const t = useTranslations('console.apps.secret');
  const [copied, setCopied] = useState<boolean | null>(null);
  const id = useId();
  const copy = () =>
    navigator.clipboard.writeText(value).then(
      () => setCopied(true),
      () => setCopied(false),
    );
  return (
    <div className="flex flex-col gap-1.5">
      <label htmlFor={id} className="font-medium">
        {label}
      </label>
      <div className="flex flex-wrap gap-2">
        <input
          id={id}
          readOnly
          value={value}
          onFocus={(event) => event.currentTarget.select()}
          className="min-h-11 min-w-0 flex-1 rounded-lg border border-slate-400 bg-slate-50 px-3 py-2 font-mono text-sm"
        />
        <Button type="button" variant="secondary" onClick={copy} aria-label={t('copyLabel', { label })}>
          {t('copy')}
        </Button>
      </div>
      <p aria-live="polite" className="text-sm text-muted">
        {copied === true ? t('copied') : copied === false ? t('copyFailed') : ''}
      </p>
    </div>
  );
}

/** "Are you sure?" before a change that cannot be taken back (a rotation, disabling an app). */
export function ConfirmDialog({
  title,
  body,
  confirmLabel,
  danger = false,
  pending,
  onConfirm,
  onCancel,
}: {
  title: string;
  body: string;
  confirmLabel: string;
  danger?: boolean;
  pending: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const t = useTranslations('console.apps');
  return (
    <Modal title={title} onClose={onCancel}>
      <p>{body}</p>
      <div className="flex flex-wrap gap-3">
        <Button
          type="button"
          variant={danger ? 'danger' : 'primary'}
          pending={pending}
          pendingLabel={t('working')}
          onClick={onConfirm}
        >
          {confirmLabel}
        </Button>
        <Button type="button" variant="secondary" onClick={onCancel} disabled={pending}>
          {t('cancel')}
        </Button>
      </div>
    </Modal>
  );
}
