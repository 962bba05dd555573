import type { ReactNode } from 'react';

import { ClientMessages } from '@/components/client-messages';

// The consent screen and the step-up of an app's sign-in request (the step-up panel's texts included).
const NAMESPACES = ['oidc', 'stepUp', 'code', 'passkey', 'validation'] as const;

export default function Layout({ children }: { children: ReactNode }) {
  return <ClientMessages namespaces={NAMESPACES}>{children}</ClientMessages>;
}
