'use client';

import { lazy, Suspense, useEffect, useRef, useState, useTransition } from 'react';

import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { callAction, useActionMessages } from '@/components/use-action-messages';
import type { EditConflict } from '@/lib/action-result';
import { useTranslations } from '@/lib/i18n/client';
import type { AddressCountry, AddressKind } from '@/lib/validation/address';

import { removeAddressAction } from './actions';
import { addressLines } from './display';

// The form, its schema and postcode-validator's patterns come when the customer
// opens an address, not with the page (its first-load JavaScript, npm run bench).
// React.lazy rather than next/dynamic: the editor is never server-rendered, and
// next/dynamic's own client code would weigh about 2 kB gzipped on the page.
const loadEditor = () => import('./address-editor');
const AddressEditor = lazy(() => loadEditor().then((m) => ({ default: m.AddressEditor })));
/** Fetches the editor's code ahead of a click (pointer over, or focus on, the button). */
const preloadEditor = () => void loadEditor();

type Props = {
  kind: AddressKind;
  version: number;
  address: { country: AddressCountry; line1: string; line2: string | null; postalCode: string; city: string } | null;
  provenance: string;
  locale: string;
  defaultCountry: AddressCountry;
};

/** One address (home, billing or shipping): shown, edited in place, or removed; each save conditional on the version loaded. */
export function AddressCard({ kind, version, address, provenance, locale, defaultCountry }: Props) {
  const t = useTranslations('profile');
  const tr = useActionMessages();
  const [removing, startRemoving] = useTransition();
  const [opening, startOpening] = useTransition();
  // null: closed; otherwise open, with the conflict it was opened on, if any.
  const [editing, setEditing] = useState<{ conflict: EditConflict | null } | null>(null);
  const [notice, setNotice] = useState<{ tone: 'error' | 'success'; text: string } | null>(null);
  const loadedVersion = useRef(version);
  const returnFocus = useRef(false);
  const title = t(`addressKinds.${kind}`);
  const id = (field: string) => `${kind}-${field}`;

  // Closing the editor puts the focus back on the button that opened it.
  useEffect(() => {
    if (editing || !returnFocus.current) return;
    returnFocus.current = false;
    document.getElementById(id('edit'))?.focus();
  });

  const startEditing = () => {
    // Edit what is saved now, conditional on the version it was read at. In a
    // transition: the button stays, pending, while the editor's code loads.
    loadedVersion.current = version;
    setNotice(null);
    startOpening(() => setEditing({ conflict: null }));
  };

  const close = (saved: boolean) => {
    returnFocus.current = true;
    setEditing(null);
    if (saved) setNotice({ tone: 'success', text: t('saved') });
  };

  const remove = () =>
    startRemoving(async () => {
      setNotice(null);
      const result = await callAction(() => removeAddressAction({ kind, version: loadedVersion.current }));
      if (result.ok) {
        loadedVersion.current = result.version;
        setNotice({ tone: 'success', text: t('removed') });
        return;
      }
      const { conflict } = result;
      if (conflict) {
        // The editor opens on the conflict, for the customer to choose (the button
        // stays pending while its code loads).
        startRemoving(() => setEditing({ conflict }));
        return;
      }
      if (result.message) setNotice({ tone: 'error', text: tr(result.message, result.values) });
    });

  const shown = (
    <p className="flex-1 break-words whitespace-pre-line">
      {address ? addressLines(address, locale).join('\n') : t('noAddress')}
    </p>
  );

  return (
    <section
      aria-labelledby={id('title')}
      className="flex flex-col gap-3 rounded-xl bg-white p-5 ring-1 ring-slate-200"
    >
      <div>
        <h3 id={id('title')} className="font-semibold">
          {title}
        </h3>
        <p className="text-sm text-muted">{provenance}</p>
      </div>
      <div aria-live="polite">{notice && <Alert tone={notice.tone}>{notice.text}</Alert>}</div>
      {/* Opening is a transition, so this fallback shows only if the editor's code is
          still loading outside one; the closed card stays on screen, marked busy. */}
      <Suspense fallback={<div aria-busy="true">{shown}</div>}>
        {editing ? (
          <AddressEditor
            kind={kind}
            address={address}
            locale={locale}
            defaultCountry={defaultCountry}
            loadedVersionRef={loadedVersion}
            initialConflict={editing.conflict}
            onClose={close}
            onError={(text) => setNotice(text === null ? null : { tone: 'error', text })}
          />
        ) : (
          <>
            {shown}
            <div className="flex gap-2">
              <Button
                id={id('edit')}
                type="button"
                variant="secondary"
                onClick={startEditing}
                onPointerEnter={preloadEditor}
                onFocus={preloadEditor}
                pending={opening}
                aria-label={t(address ? 'editLabel' : 'addLabel', { kind: title })}
              >
                {address ? t('editAddress') : t('addAddress')}
              </Button>
              {address && (
                <Button
                  type="button"
                  variant="secondary"
                  onClick={remove}
                  pending={removing}
                  pendingLabel={t('removing')}
                  aria-label={t('removeLabel', { kind: title })}
                >
                  {t('removeAddress')}
                </Button>
              )}
            </div>
          </>
        )}
      </Suspense>
    </section>
  );
}
