import { getFormatter, getTranslations } from 'next-intl/server';

import { Alert } from '@/components/ui/alert';
import { SubmitButton } from '@/components/ui/button';
import { getHeldRecoveryForCustomer } from '@/server/support/recovery';

import { cancelMyRecoveryAction } from '../recovery/actions';

/** A recovery through support under way: any of the customer's sessions can stop it (docs/support.md). */
export async function RecoveryBanner({ customerId, outcome }: { customerId: string; outcome?: string }) {
  const t = await getTranslations('recovery.banner');
  if (outcome === 'cancelled') return <Alert tone="success">{t('cancelled')}</Alert>;
  const recovery = await getHeldRecoveryForCustomer(customerId);
  if (!recovery) return outcome === 'error' ? <Alert tone="error">{t('error')}</Alert> : null;
  const format = await getFormatter();
  return (
    <section
      aria-labelledby="recovery-banner-title"
      className="mt-6 rounded-xl bg-white p-5 shadow-sm ring-2 ring-red-600"
    >
      <h2 id="recovery-banner-title" className="text-lg font-semibold">
        {t('title')}
      </h2>
      <p className="mt-1">
        {t('body', {
          date: format.dateTime(recovery.holdUntil, { dateStyle: 'long', timeStyle: 'short' }),
          newEmail: recovery.maskedNewEmail,
        })}
      </p>
      <form action={cancelMyRecoveryAction} className="mt-4">
        <SubmitButton pendingLabel={t('cancelling')}>{t('cancel')}</SubmitButton>
      </form>
    </section>
  );
}
