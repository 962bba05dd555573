import { getKantaraReceipt } from '@/server/consent/consent';
import { getSignedInCustomer } from '@/server/identity/auth';
import { answerOrProblem } from '@/server/platform/errors';

// One consent receipt (Kantara Consent Receipt fields) as a download; only
// the customer's own: any other id is a 404, whoever owns it.

export function GET(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  return answerOrProblem(request, () => receipt(params));
}

async function receipt(params: Promise<{ id: string }>): Promise<Response> {
  const customer = await getSignedInCustomer();
  const noStore = { 'Cache-Control': 'no-store' };
  if (!customer) return Response.json({ title: 'Not signed in', status: 401 }, { status: 401, headers: noStore });
  const { id } = await params;
  const receipt = await getKantaraReceipt(customer.id, id);
  if (!receipt) return Response.json({ title: 'Not found', status: 404 }, { status: 404, headers: noStore });
  return new Response(JSON.stringify(receipt, null, 2), {
    headers: {
      ...noStore,
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Disposition': `attachment; filename="consent-receipt-${receipt.consentReceiptID}.json"`,
    },
  });
}
