import { notFound } from 'next/navigation';

import { requireCustomer } from '@/server/identity/auth';
import { followClick } from '@/server/personalization/stats';

// A click on a home-page block: counted (content_stats, no customer id), then 303 to the URL
// stored in that revision, never one from the request (no open redirect). The group comes from
// the decision that rendered the link. docs/decisions/035-personalization.md §4 "Measurement"

export async function GET(request: Request, { params }: { params: Promise<{ revision: string }> }) {
  await requireCustomer({ returnTo: '/account' });
  const { revision } = await params;
  const target = await followClick(revision, new URL(request.url).searchParams.get('g'));
  if (!target) notFound();
  return new Response(null, { status: 303, headers: { Location: target.url, 'Cache-Control': 'no-store' } });
}
