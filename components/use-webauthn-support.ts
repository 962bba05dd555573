'use client';

import { useSyncExternalStore } from 'react';

const noSubscription = () => () => undefined;

// @simplewebauthn/browser's browserSupportsWebAuthn, written here: importing it
// put the whole library (3 kB gzipped) on every page with a passkey button,
// which now loads it only when a ceremony starts (npm run bench -- --only=js).
const browserSupportsWebAuthn = () => typeof globalThis.PublicKeyCredential === 'function';

/** Whether this browser can use passkeys; `serverValue` while rendering on the server. */
export function useWebAuthnSupport(serverValue: boolean): boolean {
  return useSyncExternalStore(noSubscription, browserSupportsWebAuthn, () => serverValue);
}
