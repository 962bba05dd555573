import type { Metadata } from 'next';
import { getLocale, getTranslations } from 'next-intl/server';

import { Alert } from '@/components/ui/alert';
import { PageHeader, PageSection } from '@/components/ui/page-section';
import { CHANNELS, SIZE_SYSTEMS, SLOT_KEYS } from '@/lib/personalization/catalogue';
import { isUuid } from '@/lib/uuid';
import { getContentObject } from '@/server/personalization/content';
import { contentWithDraft, previewHypothetical } from '@/server/personalization/preview';
import { CATEGORIES, STORES } from '@/server/personalization/reference';
import { requirePermission } from '@/server/staff/auth';

import { getConsoleDescribeContext } from './describe-context';
import { parseHypothetical, toAttributes, type HypotheticalForm } from './hypothetical';
import { PreviewCustomerForm } from './preview-customer-form';
import { CandidateList } from './preview-result';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('console.content.preview'))('title') };
}

const card = 'rounded-xl bg-white p-5 shadow-sm ring-1 ring-slate-200';
const input = 'min-h-11 rounded-lg border border-slate-400 bg-white px-3 py-2';

/**
 * The home page as a customer sees it, and why: as a real customer (exact address or the estimate's
 * sample, a reason, audited and in their "who looked at my data"), or as a hypothetical customer
 * whose attributes the member sets (a GET form: nobody is read or logged).
 */
export default async function ContentPreviewPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await requirePermission('content.view');
  const [query, t, locale] = await Promise.all([searchParams, getTranslations('console.content.preview'), getLocale()]);
  const sampleParam = Array.isArray(query.sample) ? query.sample[0] : query.sample;
  const sample = sampleParam && sampleParam.length <= 1000 ? sampleParam : null;
  const draftParam = Array.isArray(query.draft) ? query.draft[0] : query.draft;
  const draftObject = isUuid(draftParam) ? await getContentObject(draftParam) : null;
  const draft = draftObject?.type === 'block' ? draftObject : null;
  const asked = query.as === 'hypothetical';
  const { form, dropped } = parseHypothetical(query);
  const content = asked && draft ? await contentWithDraft(draft.id) : undefined;
  const outcomes = asked
    ? await previewHypothetical(toAttributes(form), { locale: form.locale, content: content ?? undefined })
    : null;
  const ctx = asked ? await getConsoleDescribeContext() : null;
  const lang = locale === 'fr' ? 'fr' : 'en';

  return (
    <div className="flex flex-col gap-12">
      <PageHeader title={t('title')} intro={t('intro')} />
      {draftParam && !draft && <Alert tone="error">{t('errors.draftNotFound')}</Alert>}
      {draft && <Alert tone="info">{t('withDraft', { key: draft.key, number: draft.latest.number })}</Alert>}

      <PageSection id="customer" title={t('customerTitle')} intro={t('customerIntro')}>
        <PreviewCustomerForm sample={sample} draft={draft?.id ?? null} />
      </PageSection>

      <PageSection id="hypothetical" title={t('hypotheticalTitle')} intro={t('hypotheticalIntro')}>
        <HypotheticalFields form={form} lang={lang} draft={draft?.id ?? null} />
        {asked && dropped > 0 && <Alert tone="error">{t('dropped', { count: dropped })}</Alert>}
        {outcomes && ctx && (
          <section aria-labelledby="hypothetical-result-title" className="flex flex-col gap-4">
            <h3 id="hypothetical-result-title" className="text-lg font-semibold">
              {t('hypotheticalResult')}
            </h3>
            {SLOT_KEYS.map((slot) => (
              <section key={slot} aria-labelledby={`hypothetical-${slot}`} className={`${card} flex flex-col gap-2`}>
                <h4 id={`hypothetical-${slot}`} className="font-semibold">
                  {t('slot', { slot })}
                </h4>
                <CandidateList candidates={outcomes[slot]} ctx={ctx} />
              </section>
            ))}
          </section>
        )}
      </PageSection>
    </div>
  );
}

async function HypotheticalFields({
  form,
  lang,
  draft,
}: {
  form: HypotheticalForm;
  lang: 'en' | 'fr';
  draft: string | null;
}) {
  const t = await getTranslations('console.content.preview.fields');
  const categories = CATEGORIES.map((c) => ({ value: c.key, label: c[lang] }));
  const checkboxes = (
    name: 'interests' | 'cart' | 'viewed' | 'purchased' | 'channels',
    options: { value: string; label: string }[],
  ) => (
    <fieldset className="flex flex-col gap-2">
      <legend className="font-medium">{t(name)}</legend>
      <div className="flex flex-wrap gap-x-4 gap-y-2">
        {options.map((o) => (
          <label key={o.value} className="inline-flex min-h-11 items-center gap-2">
            <input
              type="checkbox"
              name={name}
              value={o.value}
              defaultChecked={form[name].includes(o.value)}
              className="size-5"
            />
            {o.label}
          </label>
        ))}
      </div>
    </fieldset>
  );
  const select = (
    name: 'locale' | 'store' | 'sizeClothing' | 'sizeShoes',
    options: { value: string; label: string }[],
  ) => (
    <div className="flex flex-col gap-1">
      <label htmlFor={`h-${name}`} className="font-medium">
        {t(name)}
      </label>
      <select id={`h-${name}`} name={name} defaultValue={form[name]} className={input}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
  const none = { value: '', label: t('none') };
  return (
    <form method="get" className={`${card} flex flex-col gap-5`}>
      <input type="hidden" name="as" value="hypothetical" />
      {draft && <input type="hidden" name="draft" value={draft} />}
      <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
        {select('locale', [
          { value: 'fr', label: t('localeFr') },
          { value: 'en', label: t('localeEn') },
        ])}
        <div className="flex flex-col gap-1">
          <label htmlFor="h-country" className="font-medium">
            {t('country')}
          </label>
          <input
            id="h-country"
            name="country"
            defaultValue={form.country}
            maxLength={2}
            autoComplete="off"
            className={input}
          />
        </div>
        <div className="flex flex-col gap-1">
          <label htmlFor="h-memberDays" className="font-medium">
            {t('memberDays')}
          </label>
          <input
            id="h-memberDays"
            name="memberDays"
            inputMode="numeric"
            defaultValue={form.memberDays}
            maxLength={5}
            className={input}
          />
        </div>
        {select('store', [none, ...STORES.map((s) => ({ value: s.key, label: s.name }))])}
        {select('sizeClothing', [none, ...SIZE_SYSTEMS.clothing.map((v) => ({ value: v, label: v }))])}
        {select('sizeShoes', [none, ...SIZE_SYSTEMS.shoes.map((v) => ({ value: v, label: v }))])}
      </div>
      {checkboxes('interests', categories)}
      {checkboxes('cart', categories)}
      {checkboxes('viewed', categories)}
      {checkboxes('purchased', categories)}
      {checkboxes(
        'channels',
        CHANNELS.map((c) => ({ value: c, label: t(`channel.${c}`) })),
      )}
      <div>
        <button type="submit" className="min-h-11 rounded-lg bg-brand px-5 py-2.5 font-semibold text-on-brand">
          {t('submit')}
        </button>
      </div>
    </form>
  );
}
