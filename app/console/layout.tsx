import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import type { ReactNode } from 'react';

import { ClientMessages } from '@/components/client-messages';

export async function generateMetadata(): Promise<Metadata> {
  return {
    title: {
      template: `%s · ${(await getTranslations('console'))('title')}`,
      default: (await getTranslations('console'))('title'),
    },
  };
}

/** The staff console: the portal's sibling (same brand and components), its own sessions. */
export default function ConsoleLayout({ children }: { children: ReactNode }) {
  return <ClientMessages namespaces={['console', 'validation']}>{children}</ClientMessages>;
}
