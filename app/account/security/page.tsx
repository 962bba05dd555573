import type { Metadata } from 'next';
import { getFormatter, getTranslations } from 'next-intl/server';

import { EmptyState, PageHeader, PageSection } from '@/components/ui/page-section';
import { requireCustomer } from '@/server/identity/auth';
import { getSecurityPage } from '@/server/identity/security-page';

import { AddPasskeyButton } from './add-passkey-button';
import { IdentitiesSection } from './identities-section';
import { PasskeyList } from './passkey-list';
import { SessionItem, SignOutOthersButton } from './session-item';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('account'))('security.title') };
}

export default async function SecurityPage() {
  const customer = await requireCustomer({ returnTo: '/account/security' });
  const [t, format, { passkeys, sessions, events, identities }] = await Promise.all([
    getTranslations('security'),
    getFormatter(),
    getSecurityPage(customer.id, customer.sessionId),
  ]);
  const date = (d: Date) => format.dateTime(d, { dateStyle: 'medium', timeStyle: 'short' });
  const eventKeys = [
    'passkey.added',
    'passkey.deleted',
    'passkey.cloned',
    'sign_in.new_device',
    'identity.linked',
    'identity.unlinked',
    'sessions.revoked_all',
    'email.reverted',
    'email.revert_closed',
  ];

  return (
    <div className="flex flex-col gap-10">
      <PageHeader title={t('title')} intro={t('intro')} />

      <PageSection id="passkeys" title={t('passkeysTitle')} intro={t('passkeysIntro')}>
        <PasskeyList
          empty={t('noPasskeys')}
          otherSessions={sessions.length - 1}
          passkeys={passkeys.map((p) => ({
            id: p.id,
            name: p.name,
            created: date(p.createdAt),
            lastUsed: p.lastUsedAt ? date(p.lastUsedAt) : t('never'),
          }))}
        />
        <AddPasskeyButton hasPasskey={passkeys.length > 0} />
      </PageSection>

      <IdentitiesSection identities={identities} hasPasskey={passkeys.length > 0} />

      <PageSection id="sessions" title={t('sessionsTitle')}>
        <ul className="flex flex-col gap-3">
          {sessions.map((s) => (
            <SessionItem
              key={s.id}
              session={{
                id: s.id,
                device: t('device', { browser: s.browser, os: s.os }),
                ipPrefix: s.ipPrefix ?? t('unknownNetwork'),
                started: date(s.createdAt),
                lastActive: date(s.lastActiveAt),
                current: s.current,
              }}
            />
          ))}
        </ul>
        {sessions.length > 1 && (
          <div>
            <SignOutOthersButton />
          </div>
        )}
      </PageSection>

      <PageSection id="activity" title={t('activityTitle')}>
        {events.length === 0 ? (
          <EmptyState>{t('noActivity')}</EmptyState>
        ) : (
          <ul className="flex flex-col gap-2">
            {events.map((e) => {
              const detail = (e.detail ?? {}) as Record<string, string>;
              const key = eventKeys.includes(e.type) ? e.type.replace('.', '_') : 'other';
              return (
                <li key={e.id} className="rounded-lg bg-white p-3 text-sm ring-1 ring-slate-200">
                  <span className="font-medium">
                    {t(`events.${key}`, {
                      name: detail.name ?? '',
                      device: detail.device ?? '',
                      provider: detail.provider ?? '',
                    })}
                  </span>
                  <span className="text-muted"> · {date(e.createdAt)}</span>
                </li>
              );
            })}
          </ul>
        )}
      </PageSection>
    </div>
  );
}
