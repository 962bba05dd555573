import { getTranslations } from 'next-intl/server';

import { AuthShell } from '@/app/_components/auth-shell';
import { brand } from '@/lib/brand';
import { getEnv } from '@/server/platform/env';

/** Stand-in legal documents: a brand replaces them with its own. */
export async function LegalPage({ document }: { document: 'terms' | 'privacy' }) {
  const t = await getTranslations('legal');
  const title = t(document === 'terms' ? 'termsTitle' : 'privacyTitle');
  return (
    <AuthShell title={title}>
      <p className="text-muted">{t('placeholder', { brand: brand.name, document: title.toLowerCase() })}</p>
      {document === 'privacy' && (
        // The personalization purpose's text links here (server/consent/purposes.ts): what it uses, how long.
        <section id="personalization" aria-labelledby="personalization-title" className="mt-6">
          <h2 id="personalization-title" className="text-lg font-semibold">
            {t('personalizationTitle')}
          </h2>
          <p className="mt-2">{t('personalizationText', { days: getEnv().SIGNAL_RETENTION_DAYS })}</p>
        </section>
      )}
    </AuthShell>
  );
}
