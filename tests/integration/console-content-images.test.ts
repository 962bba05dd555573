import { randomBytes, randomUUID } from 'node:crypto';

import { RequestCookies } from 'next/dist/server/web/spec-extension/cookies';
import sharp from 'sharp';
import { describe, expect, it, vi } from 'vitest';

import { POST } from '@/app/console/(signed-in)/content/images/route';
import { STAFF_SESSION_COOKIE } from '@/server/platform/cookies';
import { prisma } from '@/server/platform/db';
import { getEnv } from '@/server/platform/env';
import { createStaffMember, createStaffSessionFor } from '@/tests/factories';

// The block editor's upload route (docs/decisions/035-personalization.md §4, §6): content.edit
// first, a body read no further than CONTENT_IMAGE_MAX_BYTES, a problem for anything but an image.

process.env.__NEXT_EXPERIMENTAL_AUTH_INTERRUPTS = 'true';

const browser = { token: '' };
vi.mock('next/headers', async (importOriginal) => ({
  ...(await importOriginal<typeof import('next/headers')>()),
  cookies: async () =>
    new RequestCookies(
      new Headers({
        cookie: `${STAFF_SESSION_COOKIE.http}=${browser.token}; ${STAFF_SESSION_COOKIE.https}=${browser.token}`,
      }),
    ),
  headers: async () => new Headers({ 'x-request-id': randomUUID(), 'x-accord-path': '/console/content/images' }),
}));

async function signInAs(roles: Parameters<typeof createStaffMember>[0]['roles']) {
  const staff = await createStaffMember({ roles });
  browser.token = (await createStaffSessionFor(staff.id)).token;
  return staff;
}

function upload(body: BodyInit, headers: Record<string, string> = {}): Promise<Response> {
  return POST(
    new Request('http://localhost/console/content/images', {
      method: 'POST',
      body,
      headers: { 'content-type': 'image/png', ...headers },
      duplex: 'half',
    } as RequestInit),
  );
}

const noisePng = (width: number, height: number) =>
  sharp(randomBytes(width * height * 3), { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();

const uploads = (staffId: string) =>
  prisma.auditLog.count({ where: { actorStaffId: staffId, action: 'content.image.upload' } });

describe('console image upload route', () => {
  it('stores a marketer’s image as WebP and answers its id, size and URL (201)', async () => {
    const marketer = await signInAs(['marketer']);
    const response = await upload(await noisePng(320, 200));
    expect(response.status).toBe(201);
    const body = (await response.json()) as { id: string; width: number; height: number; url: string };
    expect(body).toMatchObject({ width: 320, height: 200, url: `/api/content-images/${body.id}.webp` });
    expect(await prisma.contentImage.count({ where: { sha256: body.id } })).toBe(1);
    expect(await uploads(marketer.id)).toBe(1);
  });

  it('refuses a support agent (403), nothing stored', async () => {
    const agent = await signInAs(['support-agent']);
    const before = await prisma.contentImage.count();
    await expect(upload(await noisePng(50, 50))).rejects.toMatchObject({ digest: 'NEXT_HTTP_ERROR_FALLBACK;403' });
    expect(await prisma.contentImage.count()).toBe(before);
    expect(await uploads(agent.id)).toBe(0);
  });

  it('answers 413 past the limit, announced or streamed, without storing anything', async () => {
    const marketer = await signInAs(['marketer']);
    const max = getEnv().CONTENT_IMAGE_MAX_BYTES;
    const announced = await upload(new Uint8Array(16), { 'content-length': String(max + 1) });
    expect(announced.status).toBe(413);
    expect(announced.headers.get('content-type')).toBe('application/problem+json');

    // No Content-Length: the body arrives in chunks and reading stops past the limit.
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent > max * 3) return controller.close();
        sent += 64 * 1024;
        controller.enqueue(new Uint8Array(64 * 1024));
      },
    });
    const streamed = await upload(stream);
    expect(streamed.status).toBe(413);
    expect(sent).toBeLessThan(max * 2);
    expect(await uploads(marketer.id)).toBe(0);
  });

  it('answers 415 for a file that is not an image, and 400 for no body', async () => {
    const marketer = await signInAs(['marketer']);
    const text = await upload(Buffer.from('<svg onload="alert(1)"></svg>'), { 'content-type': 'image/svg+xml' });
    expect(text.status).toBe(415);
    expect(await text.json()).toMatchObject({ status: 415, title: 'Not an image' });
    expect((await upload(new Uint8Array())).status).toBe(400);
    expect(await uploads(marketer.id)).toBe(0);
  });
});
