import type { Metadata } from 'next';
import { getFormatter, getTranslations } from 'next-intl/server';
import Link from 'next/link';
import { notFound } from 'next/navigation';

import { EmptyState, PageHeader, PageSection } from '@/components/ui/page-section';
import { isUuid } from '@/lib/uuid';
import { requirePermission } from '@/server/staff/auth';
import { getStaffMember } from '@/server/staff/members';

import { MemberStatusActions, RemovePasskeyButton } from './member-actions';
import { RolesForm } from './roles-form';

type Props = { params: Promise<{ id: string }> };

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('console'))('staff.memberTitle') };
}

export default async function StaffMemberPage({ params }: Props) {
  const actor = await requirePermission('staff.manage');
  const { id } = await params;
  const member = isUuid(id) ? await getStaffMember(id) : null;
  if (!member) notFound();
  const [t, format] = await Promise.all([getTranslations('console'), getFormatter()]);
  const date = (d: Date) => format.dateTime(d, { dateStyle: 'medium', timeStyle: 'short' });
  return (
    <div className="flex max-w-3xl flex-col gap-10">
      <Link href="/console/staff" className="text-sm text-brand underline underline-offset-4">
        {t('staff.back')}
      </Link>
      <PageHeader
        title={member.displayName}
        intro={t('staff.memberIntro', {
          email: member.email,
          status: t(`staff.statuses.${member.status}`),
          lastSignIn: member.lastSignInAt ? date(member.lastSignInAt) : t('staff.never'),
        })}
      />

      <PageSection id="roles" title={t('staff.rolesTitle')} intro={t('staff.rolesIntro')}>
        <RolesForm staffId={member.id} roles={member.roles} version={member.version} />
      </PageSection>

      <PageSection id="access" title={t('staff.accessTitle')}>
        <MemberStatusActions
          staffId={member.id}
          name={member.displayName}
          version={member.version}
          disabled={member.status === 'disabled'}
          isSelf={member.id === actor.id}
          invitation={member.invitationExpiresAt ? date(member.invitationExpiresAt) : null}
        />
      </PageSection>

      <PageSection id="passkeys" title={t('staff.passkeysTitle')} intro={t('staff.passkeysIntro')}>
        {member.passkeys.length === 0 ? (
          <EmptyState>{t('staff.noPasskeys')}</EmptyState>
        ) : (
          <ul className="flex flex-col gap-3">
            {member.passkeys.map((p) => (
              <li
                key={p.id}
                className="flex flex-wrap items-center justify-between gap-3 rounded-lg bg-white p-4 ring-1 ring-slate-200"
              >
                <div>
                  <p className="font-semibold">{p.name}</p>
                  <p className="text-sm text-muted">
                    {t('staff.passkeyMeta', {
                      created: date(p.createdAt),
                      lastUsed: p.lastUsedAt ? date(p.lastUsedAt) : t('staff.never'),
                    })}
                  </p>
                </div>
                <RemovePasskeyButton staffId={member.id} passkeyId={p.id} name={p.name} />
              </li>
            ))}
          </ul>
        )}
      </PageSection>
    </div>
  );
}
