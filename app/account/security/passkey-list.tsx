'use client';

import { useState } from 'react';

import { SignOutOthersOffer } from '@/app/account/sign-out-others-offer';
import { EmptyState } from '@/components/ui/page-section';

import { PasskeyItem, type PasskeyItemProps } from './passkey-item';

/**
 * The passkeys, and after one is deleted the offer to sign out the other
 * sessions. It outlives the deleted item (and the list's last one), so the
 * offer stays while the page refreshes.
 */
export function PasskeyList({
  passkeys,
  empty,
  otherSessions,
}: {
  passkeys: PasskeyItemProps[];
  empty: string;
  otherSessions: number;
}) {
  const [offered, setOffered] = useState(false);
  return (
    <>
      {passkeys.length === 0 ? (
        <EmptyState>{empty}</EmptyState>
      ) : (
        <ul className="flex flex-col gap-3">
          {passkeys.map((p) => (
            <PasskeyItem key={p.id} passkey={p} onDeleted={() => setOffered(true)} />
          ))}
        </ul>
      )}
      {offered && (
        <SignOutOthersOffer reason="passkeyRemoved" otherSessions={otherSessions} onDismiss={() => setOffered(false)} />
      )}
    </>
  );
}
