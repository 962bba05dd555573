import type { ReactNode } from 'react';

import { ClientMessages } from '@/components/client-messages';

// The messages of the security page client components, and of the step-up they may show.
const NAMESPACES = [
  'validation',
  'security',
  'identities',
  'welcomePasskey',
  'stepUp',
  'passkey',
  'code',
  'signOutOthers',
] as const;

export default function Layout({ children }: { children: ReactNode }) {
  return <ClientMessages namespaces={NAMESPACES}>{children}</ClientMessages>;
}
