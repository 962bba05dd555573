import { redirect } from 'next/navigation';

import { getSignedInCustomer } from '@/server/identity/auth';

export default async function Home() {
  redirect((await getSignedInCustomer()) ? '/account' : '/signin');
}
