import type { ReactNode } from 'react';

/** The title of an account page and the sentence that says what it is for. */
export function PageHeader({ title, intro }: { title: ReactNode; intro?: ReactNode }) {
  return (
    <div>
      <h1 className="text-3xl font-bold tracking-tight">{title}</h1>
      {intro && <p className="mt-2 text-muted">{intro}</p>}
    </div>
  );
}

/**
 * One titled part of a page: a landmark named by its heading, so screen
 * readers list it (`id` makes the heading's id, `${id}-title`).
 */
export function PageSection({
  id,
  title,
  intro,
  children,
}: {
  id: string;
  title: ReactNode;
  intro?: ReactNode;
  children?: ReactNode;
}) {
  return (
    <section aria-labelledby={`${id}-title`} className="flex flex-col gap-4">
      <h2 id={`${id}-title`} className="text-xl font-semibold">
        {title}
      </h2>
      {intro && <p className="-mt-2 text-muted">{intro}</p>}
      {children}
    </section>
  );
}

/** What a list shows when it has nothing in it yet. */
export function EmptyState({ children }: { children: ReactNode }) {
  return <p className="rounded-lg bg-white p-4 ring-1 ring-slate-200">{children}</p>;
}
