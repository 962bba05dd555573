import type { ReactNode } from 'react';

import { ClientMessages } from '@/components/client-messages';

// The messages of the preference center's client components.
const NAMESPACES = ['validation', 'preferences'] as const;

export default function Layout({ children }: { children: ReactNode }) {
  return <ClientMessages namespaces={NAMESPACES}>{children}</ClientMessages>;
}
