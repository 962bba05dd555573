import type { ReactNode } from 'react';

import { ClientMessages } from '@/components/client-messages';

// The messages of the privacy dashboard client components, and of the step-up they may show.
const NAMESPACES = ['validation', 'privacy', 'export', 'deletion', 'stepUp', 'passkey', 'code'] as const;

export default function Layout({ children }: { children: ReactNode }) {
  return <ClientMessages namespaces={NAMESPACES}>{children}</ClientMessages>;
}
