import type { ReactNode } from 'react';

import { ClientMessages } from '@/components/client-messages';

// The messages of the sign-in and first-step client components (the passkey offer reuses the security page button).
const NAMESPACES = [
  'validation',
  'signIn',
  'code',
  'confirm',
  'passkey',
  'oidc',
  'welcome',
  'welcomePasskey',
  'security',
] as const;

export default function Layout({ children }: { children: ReactNode }) {
  return <ClientMessages namespaces={NAMESPACES}>{children}</ClientMessages>;
}
