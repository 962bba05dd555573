'use client';

import { browserSupportsWebAuthn } from '@simplewebauthn/browser';
import { useSyncExternalStore } from 'react';

const noSubscription = () => () => undefined;

/** Whether this browser can use passkeys; `serverValue` while rendering on the server. */
export function useWebAuthnSupport(serverValue: boolean): boolean {
  return useSyncExternalStore(noSubscription, browserSupportsWebAuthn, () => serverValue);
}
