import { getTranslations } from 'next-intl/server';

import { AuthShell } from '@/app/_components/auth-shell';
import { brand } from '@/lib/brand';

/** Stand-in legal documents: a brand replaces them with its own. */
export async function LegalPage({ document }: { document: 'terms' | 'privacy' }) {
  const t = await getTranslations('legal');
  const title = t(document === 'terms' ? 'termsTitle' : 'privacyTitle');
  return (
    <AuthShell title={title}>
      <p className="text-muted">{t('placeholder', { brand: brand.name, document: title.toLowerCase() })}</p>
    </AuthShell>
  );
}
