import { createHash, randomBytes } from 'node:crypto';

import sharp from 'sharp';
import { describe, expect, it } from 'vitest';

import { GET } from '@/app/api/content-images/[name]/route';
import { imageUrl, storeImage } from '@/server/personalization/images';
import { prisma } from '@/server/platform/db';
import { getEnv } from '@/server/platform/env';
import { TEST_ACTOR } from '@/tests/factories';

// Each test draws its own picture (random noise), so rows never collide across tests and runs.
function noise(width: number, height: number) {
  return sharp(randomBytes(width * height * 3), { raw: { width, height, channels: 3 } });
}

async function get(name: string): Promise<Response> {
  return GET(new Request(`http://localhost/api/content-images/${name}`), { params: Promise.resolve({ name }) });
}

describe('content images', () => {
  it('re-encodes a JPEG to WebP at most 1600 px wide, without its EXIF, named by the sha256 of the result; served immutable', async () => {
    const jpeg = await noise(2000, 1000)
      .jpeg()
      .withExif({ IFD0: { Artist: 'Camille Martin', Copyright: 'secret-gps-home' } })
      .toBuffer();
    expect((await sharp(jpeg).metadata()).exif).toBeDefined();

    const stored = await storeImage(TEST_ACTOR, jpeg);
    if (!stored.ok) throw new Error(stored.error);
    expect(stored.image).toMatchObject({ width: 1600, height: 800 });
    const row = await prisma.contentImage.findUniqueOrThrow({ where: { sha256: stored.image.id } });
    const bytes = Buffer.from(row.bytes);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(stored.image.id);
    expect(row.size).toBe(bytes.length);
    const meta = await sharp(bytes).metadata();
    expect(meta).toMatchObject({ format: 'webp', width: 1600, height: 800 });
    expect(meta.exif).toBeUndefined();
    expect(bytes.includes('secret-gps-home')).toBe(false);
    expect(bytes.includes('Camille')).toBe(false);

    const response = await get(`${stored.image.id}.webp`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/webp');
    expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(Buffer.from(await response.arrayBuffer()).equals(bytes)).toBe(true);
    expect(imageUrl(stored.image.id)).toBe(`/api/content-images/${stored.image.id}.webp`);

    const audit = await prisma.auditLog.findFirst({
      where: { action: 'content.image.upload', objectId: stored.image.id },
    });
    expect(audit).toMatchObject({ actorLabel: TEST_ACTOR.label });
  });

  it('keeps one row for the same image uploaded twice (each upload audited)', async () => {
    const png = await noise(300, 200).png().toBuffer();
    const first = await storeImage(TEST_ACTOR, png);
    const second = await storeImage(TEST_ACTOR, png);
    if (!first.ok || !second.ok) throw new Error('not stored');
    expect(second.image).toEqual(first.image);
    expect(first.image).toMatchObject({ width: 300, height: 200 });
    expect(await prisma.contentImage.count({ where: { sha256: first.image.id } })).toBe(1);
    expect(await prisma.auditLog.count({ where: { action: 'content.image.upload', objectId: first.image.id } })).toBe(
      2,
    );
  });

  it('refuses what is not a JPEG, PNG or WebP by its decoded format, whatever it claims', async () => {
    const before = await prisma.contentImage.count();
    const html = Buffer.from('<!doctype html><script>alert(document.cookie)</script>');
    const svg = Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>',
    );
    const gif = await noise(20, 20).gif().toBuffer();
    const truncated = (await noise(100, 100).png().toBuffer()).subarray(0, 200);
    for (const bytes of [html, svg, gif, truncated, Buffer.alloc(0)]) {
      expect(await storeImage(TEST_ACTOR, bytes)).toEqual({ ok: false, error: 'not-an-image' });
    }
    expect(await prisma.contentImage.count()).toBe(before);
  });

  it('defuses a polyglot: an image with a script riding after it is stored as sharp wrote it, without the script', async () => {
    const png = await noise(64, 64).png().toBuffer();
    const polyglot = Buffer.concat([png, Buffer.from('<html><script>alert(1)</script></html>')]);
    const stored = await storeImage(TEST_ACTOR, polyglot);
    if (!stored.ok) throw new Error(stored.error);
    const row = await prisma.contentImage.findUniqueOrThrow({ where: { sha256: stored.image.id } });
    expect(Buffer.from(row.bytes).includes('<script>')).toBe(false);
    expect((await sharp(Buffer.from(row.bytes)).metadata()).format).toBe('webp');
  });

  it('refuses a file over CONTENT_IMAGE_MAX_BYTES and a decompression bomb, storing nothing', async () => {
    const before = await prisma.contentImage.count();
    const tooBig = Buffer.alloc(getEnv().CONTENT_IMAGE_MAX_BYTES + 1, 0xff);
    expect(await storeImage(TEST_ACTOR, tooBig)).toEqual({ ok: false, error: 'too-big' });
    // 50 megapixels of one colour: a few kilobytes of PNG.
    const bomb = await sharp({ create: { width: 10_000, height: 5_000, channels: 3, background: '#fff' } })
      .png({ compressionLevel: 9 })
      .toBuffer();
    expect(bomb.length).toBeLessThan(getEnv().CONTENT_IMAGE_MAX_BYTES);
    expect(await storeImage(TEST_ACTOR, bomb)).toEqual({ ok: false, error: 'too-many-pixels' });
    expect(await prisma.contentImage.count()).toBe(before);
  });

  it('answers 404 to unknown and malformed names', async () => {
    for (const name of [
      `${'0'.repeat(64)}.webp`,
      `${'A'.repeat(64)}.webp`,
      `${'a'.repeat(64)}.png`,
      '..%2F..%2Fetc%2Fpasswd',
      'x.webp',
      `${'a'.repeat(64)}.webp.webp`,
    ]) {
      const response = await get(name);
      expect(response.status, name).toBe(404);
    }
  });
});
