import { redirect } from 'next/navigation';

import { getSignedInCustomer } from '@/server/auth';

export default async function Home() {
  redirect((await getSignedInCustomer()) ? '/account' : '/signin');
}
