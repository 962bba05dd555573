import { cookies } from 'next/headers';

import { getSessionFirstName } from '../../db';

// The bare dynamic page: read the session cookie, one SELECT, render one value.
export const dynamic = 'force-dynamic';

export default async function DynamicPage() {
  const token = (await cookies()).get('authjs.session-token')?.value;
  const firstName = await getSessionFirstName(token);
  return <main data-baseline="dynamic">{firstName}</main>;
}
