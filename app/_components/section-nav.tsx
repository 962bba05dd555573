import Link from 'next/link';

/** The tab row under a signed-in section's header (the account pages, the console). */
export function SectionNav({
  label,
  links,
  className,
}: {
  label: string;
  links: readonly { href: string; label: string }[];
  className: string;
}) {
  return (
    <nav aria-label={label} className={className}>
      <ul className="flex gap-1 overflow-x-auto">
        {links.map((l) => (
          <li key={l.href}>
            <Link href={l.href} className="inline-block rounded-t px-3 py-2 font-medium text-muted hover:text-ink">
              {l.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
