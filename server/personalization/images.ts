import 'server-only';

// CONTRACT STUB (owner: content engineer). docs/decisions/035-personalization.md §4 "Images"
import type { AuditActor } from '@/server/platform/audit';

export type StoredImage = { id: string; width: number; height: number; size: number };

/**
 * Decodes (JPEG, PNG or WebP only), re-encodes to WebP ≤ 1600 px wide without metadata, stores
 * it by sha256 of the result (the same image twice is one row), audited content.image.upload.
 */
export async function storeImage(
  actor: AuditActor,
  bytes: Uint8Array,
): Promise<{ ok: true; image: StoredImage } | { ok: false; error: 'not-an-image' | 'too-big' | 'too-many-pixels' }> {
  throw new Error(`not built yet: storeImage(${actor.type}, ${bytes.length})`);
}

/** Its public URL: /api/content-images/<sha256>.webp */
export function imageUrl(id: string): string {
  return `/api/content-images/${id}.webp`;
}
