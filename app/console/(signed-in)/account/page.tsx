import type { Metadata } from 'next';
import { getFormatter, getTranslations } from 'next-intl/server';

import { PageHeader, PageSection } from '@/components/ui/page-section';
import { requireStaff } from '@/server/staff/auth';
import { listStaffPasskeys } from '@/server/staff/passkeys';

import { AddStaffPasskey, StaffPasskeyItem } from './passkeys';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('console.account'))('metaTitle') };
}

/** A member's own account: their passkeys (add one after a fresh user-verified assertion, remove any but the last). */
export default async function StaffAccountPage() {
  const staff = await requireStaff();
  const [t, tc, format, passkeys] = await Promise.all([
    getTranslations('console.account'),
    getTranslations('console'),
    getFormatter(),
    listStaffPasskeys(staff.id),
  ]);
  const date = (d: Date) => format.dateTime(d, { dateStyle: 'medium', timeStyle: 'short' });
  return (
    <div className="flex flex-col gap-10">
      <PageHeader
        title={t('title')}
        intro={t('intro', { email: staff.email, roles: staff.roles.map((r) => tc(`roles.${r}`)).join(', ') })}
      />
      <PageSection id="passkeys" title={t('passkeysTitle')} intro={t('passkeysIntro')}>
        <ul className="flex flex-col gap-3">
          {passkeys.map((p) => (
            <StaffPasskeyItem
              key={p.id}
              passkey={{
                id: p.id,
                name: p.name,
                dates: t('passkeyDates', {
                  created: date(p.createdAt),
                  lastUsed: p.lastUsedAt ? date(p.lastUsedAt) : t('never'),
                }),
              }}
              last={passkeys.length === 1}
            />
          ))}
        </ul>
        <AddStaffPasskey />
        <p className="text-sm text-muted">{t('lost')}</p>
      </PageSection>
    </div>
  );
}
