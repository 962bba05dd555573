import { getFormatter, getTranslations } from 'next-intl/server';

import { ClientMessages } from '@/components/client-messages';
import { getEnv } from '@/server/platform/env';
import { staffCan, type StaffActor } from '@/server/staff/auth';
import type { SupportCase } from '@/server/support/cases';
import { getLatestRecovery } from '@/server/support/recovery';

import { CancelRecoveryButton, ProveRecoveryForm, StartRecoveryForm } from './recovery-forms';

/** Account recovery (docs/support.md): only for agents with support.recovery, and acting only in an open case. */
export async function RecoverySection({ actor, supportCase }: { actor: StaffActor; supportCase: SupportCase }) {
  if (!staffCan(actor, 'support.recovery')) return null;
  const t = await getTranslations('console.support.recovery');
  const format = await getFormatter();
  const recovery = await getLatestRecovery(supportCase.customerId);
  const open = supportCase.closedAt === null;
  const live = recovery && (recovery.status === 'proving' || recovery.status === 'held') ? recovery : null;

  return (
    <section aria-labelledby="recovery-title" className="flex flex-col gap-4">
      <h2 id="recovery-title" className="text-lg font-semibold">
        {t('title')}
      </h2>
      <p className="text-sm text-muted">{t('intro', { hours: getEnv().SUPPORT_RECOVERY_HOLD_HOURS })}</p>
      {!open && <p className="text-sm">{t('closed')}</p>}
      {recovery ? (
        <div className="border-border flex flex-col gap-3 rounded-lg border p-4">
          <p>
            <strong>{recovery.newEmail}</strong> —{' '}
            {recovery.status === 'held' && recovery.holdUntil
              ? t('status.held', {
                  date: format.dateTime(recovery.holdUntil, { dateStyle: 'long', timeStyle: 'short' }),
                })
              : t(`status.${recovery.status}`)}
            {recovery.status === 'cancelled' &&
              recovery.cancelledBy &&
              ` (${t(`cancelledBy.${recovery.cancelledBy}`)})`}
          </p>
          <ul className="flex flex-col gap-3">
            {recovery.proofs.map(({ proof, done }) => (
              <li key={proof} className="flex flex-col gap-2">
                <span>
                  {t(`proof.${proof}`, { phone: recovery.maskedPhone ?? '' })}
                  {done && <strong> — {t('done')}</strong>}
                </span>
                {open && recovery.status === 'proving' && !done && (
                  <ClientMessages namespaces={['console', 'validation']}>
                    <ProveRecoveryForm caseId={supportCase.id} recoveryId={recovery.id} proof={proof} />
                  </ClientMessages>
                )}
              </li>
            ))}
          </ul>
          {open && live && (
            <ClientMessages namespaces={['console', 'validation']}>
              <CancelRecoveryButton caseId={supportCase.id} />
            </ClientMessages>
          )}
        </div>
      ) : (
        <p className="text-sm">{t('none')}</p>
      )}
      {open && !live && (
        <ClientMessages namespaces={['console', 'validation']}>
          <StartRecoveryForm caseId={supportCase.id} />
        </ClientMessages>
      )}
    </section>
  );
}
