import { getTranslations } from 'next-intl/server';
import Link from 'next/link';

/** HTTP 403 outside a section with its own page (next/navigation's forbidden()). */
export default async function Forbidden() {
  const t = await getTranslations('console.forbidden');
  return (
    <main id="main" className="mx-auto flex min-h-dvh max-w-md flex-col justify-center gap-4 px-4">
      <h1 className="text-3xl font-bold">{t('title')}</h1>
      <p className="text-muted">{t('body')}</p>
      <Link href="/console" className="font-medium text-brand underline underline-offset-4">
        {t('home')}
      </Link>
    </main>
  );
}
