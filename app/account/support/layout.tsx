import type { ReactNode } from 'react';

import { ClientMessages } from '@/components/client-messages';

// The messages of the support page's client components, and of the step-up approval may ask for.
const NAMESPACES = ['validation', 'support', 'stepUp', 'passkey', 'code'] as const;

export default function Layout({ children }: { children: ReactNode }) {
  return <ClientMessages namespaces={NAMESPACES}>{children}</ClientMessages>;
}
