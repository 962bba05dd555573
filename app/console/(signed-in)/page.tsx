import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import Link from 'next/link';

import { requireStaff, staffCan } from '@/server/staff/auth';

import { CONSOLE_NAV } from '../nav';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('console'))('homeTitle') };
}

export default async function ConsoleHome() {
  const staff = await requireStaff();
  const t = await getTranslations('console');
  const sections = CONSOLE_NAV.filter((item) => staffCan(staff, item.permission));
  return (
    <>
      <h1 className="text-3xl font-bold tracking-tight">{t('greeting', { name: staff.displayName })}</h1>
      <p className="mt-2 text-muted">
        {t('yourRoles', { roles: staff.roles.map((role) => t(`roles.${role}`)).join(', ') })}
      </p>
      {sections.length === 0 ? (
        <p className="mt-8 rounded-xl bg-white p-5 text-muted shadow-sm ring-1 ring-slate-200">{t('noSections')}</p>
      ) : (
        <ul className="mt-8 grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
          {sections.map((s) => (
            <li key={s.key}>
              <Link
                href={s.href}
                className="block h-full rounded-xl bg-white p-5 shadow-sm ring-1 ring-slate-200 transition hover:ring-brand"
              >
                <h2 className="text-lg font-semibold">{t(`nav.${s.key}`)}</h2>
                <p className="mt-1 text-sm text-muted">{t(`nav.${s.key}Description`)}</p>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
