import { getLocale, getTranslations } from 'next-intl/server';

import { ADDRESS_COUNTRIES } from '@/lib/validation/address';
import { staffCan, type StaffActor } from '@/server/staff/auth';
import { listPurposeTitles } from '@/server/support/agent-actions';
import type { SupportCase } from '@/server/support/cases';

import { AgentActionForms } from './agent-actions-forms';

function countryName(code: string, locale: string): string {
  try {
    return new Intl.DisplayNames([locale], { type: 'region' }).of(code) ?? code;
  } catch {
    return code;
  }
}

/**
 * What the agent may do for the caller in this case, each with the customer's
 * agreement. Nothing of the customer's data is sent to the browser here: the
 * forms take what the caller dictates. A closed case offers no action.
 */
export async function AgentActions({ actor, supportCase }: { actor: StaffActor; supportCase: SupportCase }) {
  const [t, locale] = await Promise.all([getTranslations('console.support.actions'), getLocale()]);
  const open = supportCase.closedAt === null && supportCase.agentId === actor.id && staffCan(actor, 'support.act');
  return (
    <section aria-labelledby="agent-actions-title" className="flex flex-col gap-3">
      <h2 id="agent-actions-title" className="text-xl font-semibold">
        {t('title')}
      </h2>
      {open ? (
        <>
          <p className="text-muted">{t('intro')}</p>
          <AgentActionForms
            caseId={supportCase.id}
            countries={ADDRESS_COUNTRIES.map((c) => ({ value: c, label: countryName(c, locale) }))}
            purposes={await listPurposeTitles(locale === 'fr' ? 'fr' : 'en')}
          />
        </>
      ) : (
        <p className="text-muted">{t('closed')}</p>
      )}
    </section>
  );
}
