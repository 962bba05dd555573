// CONTRACT STUB (owner: sup-recovery): start or follow an account recovery from the case.
import type { StaffActor } from '@/server/staff/auth';
import type { SupportCase } from '@/server/support/cases';

export async function RecoverySection(props: { actor: StaffActor; supportCase: SupportCase }) {
  void props;
  throw new Error('not built yet');
}
