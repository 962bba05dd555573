import Link from 'next/link';

import { brand } from '@/lib/brand';

export function BrandLogo({ href, label }: { href: string; label: string }) {
  return (
    <Link href={href} className="inline-flex items-center gap-2 rounded text-lg font-semibold" aria-label={label}>
      {/* eslint-disable-next-line @next/next/no-img-element -- a tiny SVG, no optimisation to gain */}
      <img src={brand.logo.src} width={brand.logo.width} height={brand.logo.height} alt="" />
      <span>{brand.name}</span>
    </Link>
  );
}
