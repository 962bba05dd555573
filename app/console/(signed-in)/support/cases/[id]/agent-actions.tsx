// CONTRACT STUB (owner: sup-actions): the actions an agent takes with the customer's agreement.
import type { StaffActor } from '@/server/staff/auth';
import type { SupportCase } from '@/server/support/cases';

export async function AgentActions(props: { actor: StaffActor; supportCase: SupportCase }) {
  void props;
  throw new Error('not built yet');
}
