import { getLocale, getTranslations } from 'next-intl/server';

import { setLocaleAction } from '@/app/actions';
import { locales } from '@/lib/i18n/config';

/** Plain form buttons: works without JavaScript, one POST, saved on the customer. */
export async function LanguageSwitcher() {
  const [locale, t] = await Promise.all([getLocale(), getTranslations('common')]);
  return (
    <form action={setLocaleAction} className="flex items-center gap-1 text-sm" aria-label={t('language')}>
      {locales.map((l) => (
        <button
          key={l}
          type="submit"
          name="locale"
          value={l}
          lang={l}
          aria-current={l === locale ? 'true' : undefined}
          className="rounded px-2 py-1 underline-offset-4 hover:underline aria-[current=true]:font-semibold aria-[current=true]:underline"
        >
          {t(`languageNames.${l}`)}
        </button>
      ))}
    </form>
  );
}
