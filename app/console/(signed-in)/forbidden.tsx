import { getTranslations } from 'next-intl/server';
import Link from 'next/link';

/** A console page, action or route this member's roles do not allow (HTTP 403); audited by requirePermission. */
export default async function ConsoleForbidden() {
  const t = await getTranslations('console.forbidden');
  return (
    <div className="max-w-xl">
      <h1 className="text-3xl font-bold tracking-tight">{t('title')}</h1>
      <p className="mt-3 text-muted">{t('body')}</p>
      <Link href="/console" className="mt-6 inline-block font-medium text-brand underline underline-offset-4">
        {t('home')}
      </Link>
    </div>
  );
}
