// CONTRACT STUB (owner: sup-view): the masked customer view with its reveal controls.
import type { StaffActor } from '@/server/staff/auth';
import type { SupportCase } from '@/server/support/cases';

export async function CustomerView(props: { actor: StaffActor; supportCase: SupportCase }) {
  void props;
  throw new Error('not built yet');
}
