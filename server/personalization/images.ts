import 'server-only';

import { createHash } from 'node:crypto';

import sharp from 'sharp';

import { writeAudit, type AuditActor } from '@/server/platform/audit';
import { prisma, type Tx } from '@/server/platform/db';
import { getEnv } from '@/server/platform/env';

// Content images (docs/decisions/035-personalization.md §4 "Images"): decoded and re-encoded
// by sharp, so what is stored and served is a WebP sharp wrote, never the uploaded bytes:
// metadata (EXIF, GPS) is dropped and a polyglot file loses whatever rode along.

export type StoredImage = { id: string; width: number; height: number; size: number };

export const IMAGE_MAX_WIDTH = 1600;
/** About 40 megapixels: a decompression bomb stops here, before it is decoded. */
export const IMAGE_MAX_INPUT_PIXELS = 40_000_000;
const ACCEPTED_FORMATS = new Set(['jpeg', 'png', 'webp']);

type ImageError = 'not-an-image' | 'too-big' | 'too-many-pixels';
export type PreparedImage = StoredImage & { bytes: Buffer };

/** Decodes and re-encodes, without the database: the content file's import checks every image first. */
export async function prepareImage(
  bytes: Uint8Array,
): Promise<{ ok: true; image: PreparedImage } | { ok: false; error: ImageError }> {
  if (bytes.length > getEnv().CONTENT_IMAGE_MAX_BYTES) return { ok: false, error: 'too-big' };
  const options = { limitInputPixels: IMAGE_MAX_INPUT_PIXELS, failOn: 'error' } as const;
  try {
    // The decoded format decides, not a name or a declared type.
    const { format, width = 0, height = 0 } = await sharp(bytes, options).metadata();
    if (!format || !ACCEPTED_FORMATS.has(format)) return { ok: false, error: 'not-an-image' };
    if (width * height > IMAGE_MAX_INPUT_PIXELS) return { ok: false, error: 'too-many-pixels' };
    const { data, info } = await sharp(bytes, options)
      // The EXIF orientation is applied before the metadata goes.
      .autoOrient()
      .resize({ width: IMAGE_MAX_WIDTH, withoutEnlargement: true })
      .webp({ quality: 82 })
      .toBuffer({ resolveWithObject: true });
    return {
      ok: true,
      image: {
        id: createHash('sha256').update(data).digest('hex'),
        width: info.width,
        height: info.height,
        size: data.length,
        bytes: data,
      },
    };
  } catch (error) {
    if (error instanceof Error && /pixel limit/i.test(error.message)) return { ok: false, error: 'too-many-pixels' };
    return { ok: false, error: 'not-an-image' };
  }
}

/** Stores a prepared image in the caller's transaction (the same image twice is one row), audited. */
export async function storePreparedImage(tx: Tx, actor: AuditActor, image: PreparedImage): Promise<StoredImage> {
  await tx.contentImage.upsert({
    where: { sha256: image.id },
    create: {
      sha256: image.id,
      width: image.width,
      height: image.height,
      size: image.size,
      bytes: new Uint8Array(image.bytes),
      uploadedBy: actor.label.slice(0, 200),
    },
    update: {},
  });
  await writeAudit(tx, actor, {
    action: 'content.image.upload',
    objectId: image.id,
    details: { width: image.width, height: image.height, size: image.size },
  });
  return { id: image.id, width: image.width, height: image.height, size: image.size };
}

/**
 * Decodes (JPEG, PNG or WebP only), re-encodes to WebP ≤ 1600 px wide without metadata, stores
 * it by sha256 of the result (the same image twice is one row), audited content.image.upload.
 * The caller caps CONTENT_IMAGE_MAX_BYTES while reading; checked here again.
 */
export async function storeImage(
  actor: AuditActor,
  bytes: Uint8Array,
): Promise<{ ok: true; image: StoredImage } | { ok: false; error: 'not-an-image' | 'too-big' | 'too-many-pixels' }> {
  const prepared = await prepareImage(bytes);
  if (!prepared.ok) return prepared;
  const image = await prisma.$transaction((tx) => storePreparedImage(tx, actor, prepared.image));
  return { ok: true, image };
}

export const IMAGE_NAME_PATTERN = /^([0-9a-f]{64})\.webp$/;

/** The stored WebP of `<sha256>.webp`, or null (unknown or malformed name). */
export async function readImage(name: string): Promise<Uint8Array | null> {
  const id = IMAGE_NAME_PATTERN.exec(name)?.[1];
  if (!id) return null;
  const row = await prisma.contentImage.findUnique({ where: { sha256: id }, select: { bytes: true } });
  return row ? row.bytes : null;
}

/** The stored image's size, for the content file's export and the decision's image fields. */
export async function getImages(ids: readonly string[]): Promise<Map<string, StoredImage>> {
  const rows = await prisma.contentImage.findMany({
    where: { sha256: { in: [...ids] } },
    select: { sha256: true, width: true, height: true, size: true },
  });
  return new Map(rows.map((r) => [r.sha256, { id: r.sha256, width: r.width, height: r.height, size: r.size }]));
}

/** Its public URL: /api/content-images/<sha256>.webp */
export function imageUrl(id: string): string {
  return `/api/content-images/${id}.webp`;
}
