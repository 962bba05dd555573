import type { Metadata } from 'next';
import { getFormatter, getLocale, getTranslations } from 'next-intl/server';
import Link from 'next/link';

import { EmptyState, PageHeader, PageSection } from '@/components/ui/page-section';
import { isLocale } from '@/lib/i18n/config';
import { CHANNELS, SIZE_SYSTEMS, type SignalKind } from '@/lib/personalization/catalogue';
import { requireCustomer } from '@/server/identity/auth';
import { getPreferenceOptions, hasPersonalizationGrant } from '@/server/personalization/preference-center';
import { getOwnPreferences, type PreferenceValue } from '@/server/personalization/preferences';
import { listOwnSignals } from '@/server/personalization/signals';
import { getEnv } from '@/server/platform/env';

import { ActivityList } from './activity-list';
import { PreferencesForm } from './preferences-form';

/** The value if the release still declares it (sizes and channels are code, not data). */
function known<T extends string>(values: readonly T[], value: string | undefined): T | undefined {
  return values.find((v) => v === value);
}

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('preferences'))('title') };
}

export default async function PreferencesPage() {
  const customer = await requireCustomer({ returnTo: '/account/preferences' });
  const rawLocale = await getLocale();
  const locale = isLocale(rawLocale) ? rawLocale : 'en';
  const [preferences, signals, options, granted, t, format] = await Promise.all([
    getOwnPreferences(customer.id),
    listOwnSignals(customer.id),
    getPreferenceOptions(locale),
    hasPersonalizationGrant(customer.id),
    getTranslations('preferences'),
    getFormatter(),
  ]);

  const date = (d: Date) => format.dateTime(d, { dateStyle: 'medium', timeStyle: 'short' });
  const day = (d: Date) => format.dateTime(d, { dateStyle: 'medium' });
  const source = (channel: string) => (channel === 'portal' ? t('sourcePortal') : channel);
  const provenance = (v: PreferenceValue | null) =>
    v ? t('provenance', { source: source(v.channel), date: date(v.setAt) }) : undefined;
  const categoryLabel = new Map(options.categories.map((c) => [c.key, c.label]));
  const storeLabel = new Map(options.stores.map((s) => [s.key, s.label]));
  const channelLabel = (c: string) =>
    (CHANNELS as readonly string[]).includes(c) ? t(`channels.${c as (typeof CHANNELS)[number]}`) : c;
  const valueLabel = (name: string, value: string | null) => {
    if (value === null) return t('history.none');
    if (name === 'interest') return categoryLabel.get(value) ?? value;
    if (name === 'favouriteStore') return storeLabel.get(value) ?? value;
    if (name === 'channel') return channelLabel(value);
    return value;
  };
  const nameLabel = (name: string) => {
    switch (name) {
      case 'interest':
        return t('interests');
      case 'favouriteStore':
        return t('favouriteStore');
      case 'channel':
        return t('channelsLabel');
      case 'size.clothing':
        return t('sizeClothing');
      case 'size.shoes':
        return t('sizeShoes');
      default:
        return name;
    }
  };
  const kindLabel = (kind: SignalKind) => t(`activity.kinds.${kind}`);

  const held = new Set(preferences.interests.map((i) => i.value));
  const heldStore = preferences.favouriteStore?.value;

  return (
    <div className="flex flex-col gap-10">
      <PageHeader title={t('title')} intro={t('intro')} />

      {!granted && (
        <p role="note" className="rounded-lg border-l-4 border-amber-700 bg-amber-50 px-4 py-3 text-amber-950">
          {t('notGranted')}{' '}
          <Link href="/account/privacy#consents" className="font-semibold underline underline-offset-4">
            {t('notGrantedLink')}
          </Link>
        </p>
      )}

      <PageSection id="values" title={t('valuesTitle')} intro={t('valuesIntro')}>
        <PreferencesForm
          version={preferences.version}
          initial={{
            interests: preferences.interests.map((i) => i.value),
            favouriteStore: heldStore ?? '',
            sizeClothing: known(SIZE_SYSTEMS.clothing, preferences.sizes.clothing?.value) ?? '',
            sizeShoes: known(SIZE_SYSTEMS.shoes, preferences.sizes.shoes?.value) ?? '',
            channels: preferences.channels.flatMap((c) => known(CHANNELS, c.value) ?? []),
          }}
          // A retired category or store stays visible only while the customer holds it.
          categories={options.categories
            .filter((c) => !c.retired || held.has(c.key))
            .map((c) => ({
              value: c.key,
              label: c.label,
              hint: provenance(preferences.interests.find((i) => i.value === c.key) ?? null),
            }))}
          stores={options.stores
            .filter((s) => !s.retired || s.key === heldStore)
            .map((s) => ({ value: s.key, label: s.label }))}
          clothingSizes={SIZE_SYSTEMS.clothing.map((s) => ({ value: s, label: s }))}
          shoeSizes={SIZE_SYSTEMS.shoes.map((s) => ({ value: s, label: s }))}
          channels={CHANNELS.map((c) => ({
            value: c,
            label: channelLabel(c),
            hint: provenance(preferences.channels.find((v) => v.value === c) ?? null),
          }))}
          provenance={{
            favouriteStore: provenance(preferences.favouriteStore),
            sizeClothing: provenance(preferences.sizes.clothing),
            sizeShoes: provenance(preferences.sizes.shoes),
          }}
        />
        <details className="rounded-lg bg-white p-4 ring-1 ring-slate-200">
          <summary className="cursor-pointer font-medium">
            {t('history.title', { count: preferences.history.length })}
          </summary>
          {preferences.history.length === 0 ? (
            <p className="mt-3 text-muted">{t('history.empty')}</p>
          ) : (
            <ol className="mt-3 flex flex-col gap-2">
              {preferences.history.map((h, i) => (
                <li key={`${h.version}-${h.name}-${i}`} className="text-sm">
                  <p className="font-medium break-words">
                    {h.oldValue === null
                      ? t('history.added', { name: nameLabel(h.name), value: valueLabel(h.name, h.newValue) })
                      : h.newValue === null
                        ? t('history.removed', { name: nameLabel(h.name), value: valueLabel(h.name, h.oldValue) })
                        : t('history.changed', {
                            name: nameLabel(h.name),
                            from: valueLabel(h.name, h.oldValue),
                            to: valueLabel(h.name, h.newValue),
                          })}
                  </p>
                  <p className="text-muted">
                    {t('provenance', { source: source(h.channel), date: date(h.changedAt) })}
                  </p>
                </li>
              ))}
            </ol>
          )}
        </details>
      </PageSection>

      <PageSection
        id="activity"
        title={t('activity.title')}
        intro={t('activity.intro', { days: getEnv().SIGNAL_RETENTION_DAYS })}
      >
        {signals.length === 0 ? (
          <EmptyState>{t('activity.empty')}</EmptyState>
        ) : (
          <ActivityList
            signals={signals.map((s) => {
              const what = t('activity.what', {
                kind: kindLabel(s.kind),
                category: categoryLabel.get(s.category) ?? s.category,
              });
              return {
                id: s.id,
                what,
                item: s.item,
                meta: t('provenance', { source: source(s.source), date: date(s.occurredAt) }),
                counts: s.counts ? t('activity.countsUntil', { date: day(s.countsUntil) }) : t('activity.notCounted'),
                deleteLabel: t('activity.deleteOne', { what, date: date(s.occurredAt) }),
              };
            })}
          />
        )}
      </PageSection>
    </div>
  );
}
