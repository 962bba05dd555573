'use client';

import { useEffect } from 'react';

/** Leaves Next.js's router for the provider; the link is there for a browser without scripts. */
export function ContinueToApp({ href, label }: { href: string; label: string }) {
  useEffect(() => window.location.replace(href), [href]);
  return (
    <a href={href} className="font-medium text-brand underline underline-offset-4 hover:no-underline">
      {label}
    </a>
  );
}
