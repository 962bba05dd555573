import Link from 'next/link';
import type { ReactNode } from 'react';

import { SubmitButton } from '@/components/ui/button';

import { AuthShell } from './auth-shell';

// The pages a link in a mail opens (sign-in, email change, revert, "this
// wasn't me"). Opening one only shows it, since mail scanners fetch links;
// only its button uses the link. docs/decisions/004-scanner-safe-sign-in-links.md

/** What the link does, and the one button that does it (a POST carrying the token). */
export function ConfirmLinkPage(props: {
  title: string;
  intro: ReactNode;
  action: (formData: FormData) => Promise<void>;
  token: string;
  submit: string;
  submitting: string;
}) {
  return (
    <AuthShell title={props.title}>
      <p className="mb-6 break-words text-muted">{props.intro}</p>
      <form action={props.action}>
        <input type="hidden" name="token" value={props.token} />
        <SubmitButton className="w-full" pendingLabel={props.submitting}>
          {props.submit}
        </SubmitButton>
      </form>
    </AuthShell>
  );
}

/** An outcome (done, or a link that no longer works), with where to go next. */
export function LinkOutcomePage(props: {
  title: string;
  text: ReactNode;
  next?: { href: string; label: string };
  /** Shown between the text and the way on. */
  children?: ReactNode;
}) {
  return (
    <AuthShell title={props.title}>
      <p className={props.next ? 'mb-6 text-muted' : 'text-muted'}>{props.text}</p>
      {props.children && <div className="mb-6">{props.children}</div>}
      {props.next && (
        <Link
          href={props.next.href}
          className="inline-flex min-h-11 items-center rounded-lg bg-brand px-5 py-2.5 font-semibold text-on-brand"
        >
          {props.next.label}
        </Link>
      )}
    </AuthShell>
  );
}
