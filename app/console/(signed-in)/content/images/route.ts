import { imageUrl, storeImage } from '@/server/personalization/images';
import { getEnv } from '@/server/platform/env';
import { answerOrProblem } from '@/server/platform/errors';
import { requirePermission } from '@/server/staff/auth';

// The block editor's image upload (docs/decisions/035-personalization.md §4 "Images"): a raw body,
// because a server action's body is capped at Next's 1 MB and would be buffered whole before any
// check. The staff cookie is SameSite=Strict, so no other site can post here in a member's name.

function problem(status: number, title: string, detail: string): Response {
  return Response.json(
    { type: 'about:blank', title, status, detail },
    { status, headers: { 'Content-Type': 'application/problem+json', 'Cache-Control': 'no-store' } },
  );
}

/** The body, read no further than `maxBytes`: a larger upload is refused without being buffered. */
async function readBytes(request: Request, maxBytes: number): Promise<Uint8Array | 'too-large'> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (Number.isFinite(declared) && declared > maxBytes) return 'too-large';
  if (!request.body) return new Uint8Array();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      return 'too-large';
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

export function POST(request: Request): Promise<Response> {
  return answerOrProblem(request, () => upload(request));
}

async function upload(request: Request): Promise<Response> {
  const actor = await requirePermission('content.edit');
  const maxBytes = getEnv().CONTENT_IMAGE_MAX_BYTES;
  const tooLarge = () => problem(413, 'Image too large', `Send an image of at most ${maxBytes} bytes.`);
  const bytes = await readBytes(request, maxBytes);
  if (bytes === 'too-large') return tooLarge();
  if (bytes.byteLength === 0) return problem(400, 'No image', 'Send the image as the request body.');
  const stored = await storeImage(actor.audit, bytes);
  if (!stored.ok) {
    if (stored.error === 'too-big') return tooLarge();
    if (stored.error === 'too-many-pixels') return problem(422, 'Image too large', 'Send an image of fewer pixels.');
    return problem(415, 'Not an image', 'Send a JPEG, PNG or WebP image.');
  }
  const { id, width, height } = stored.image;
  return Response.json(
    { id, width, height, url: imageUrl(id) },
    { status: 201, headers: { 'Cache-Control': 'no-store' } },
  );
}
