'use client';

import type { ButtonHTMLAttributes, ReactNode } from 'react';
import { useFormStatus } from 'react-dom';

const base =
  'inline-flex min-h-11 items-center justify-center gap-2 rounded-lg px-5 py-2.5 font-semibold transition disabled:cursor-not-allowed disabled:opacity-70';
const variants = {
  primary: 'bg-brand text-on-brand hover:brightness-110',
  secondary: 'border border-slate-300 bg-white text-ink hover:bg-slate-50',
  link: 'min-h-0 px-0 py-0 font-medium text-brand underline underline-offset-4 hover:no-underline',
  // Irreversible actions (account deletion).
  danger: 'bg-red-700 text-white hover:bg-red-800',
};

type Props = ButtonHTMLAttributes<HTMLButtonElement> & {
  variant?: keyof typeof variants;
  pending?: boolean;
  pendingLabel?: ReactNode;
};

/** A button that shows its pending label while its action runs and says so to screen readers. */
export function Button({
  variant = 'primary',
  pending = false,
  pendingLabel,
  children,
  className = '',
  ...rest
}: Props) {
  return (
    <button
      {...rest}
      disabled={pending || rest.disabled}
      aria-busy={pending || undefined}
      className={`${base} ${variants[variant]} ${className}`}
    >
      {pending ? (
        <>
          <span
            aria-hidden="true"
            className="size-4 animate-spin rounded-full border-2 border-current border-t-transparent"
          />
          {pendingLabel ?? children}
        </>
      ) : (
        children
      )}
    </button>
  );
}

/** For plain <form action={serverAction}>: pending while the form posts. */
export function SubmitButton(props: Omit<Props, 'pending' | 'type'>) {
  const { pending } = useFormStatus();
  return <Button {...props} type="submit" pending={pending} />;
}
