import type { BlockView } from '@/lib/personalization/decision';

// The console editor's live preview of a block (docs/decisions/035-personalization.md §6). The
// home page's renderer is components/personalization/home-slots.tsx: once both exist, the editor
// renders that one with the form's values and this file goes.

export type BlockPreviewProps = Pick<BlockView, 'slot' | 'title' | 'text' | 'cta'> & {
  image: { url: string; alt: string; width?: number; height?: number } | null;
};

/** A block as a customer sees it: plain text (escaped by React, line breaks kept), its image and link. */
export function BlockPreview({ slot, title, text, image, cta }: BlockPreviewProps) {
  const hero = slot === 'hero';
  return (
    <article className="overflow-hidden rounded-xl bg-white shadow-sm ring-1 ring-slate-200">
      {image && (
        // eslint-disable-next-line @next/next/no-img-element -- stored images are already sized WebP
        <img
          src={image.url}
          alt={image.alt}
          width={image.width}
          height={image.height}
          className="h-auto w-full object-cover"
        />
      )}
      <div className="flex flex-col gap-2 p-5">
        <h3 className={hero ? 'text-2xl font-bold' : 'text-lg font-semibold'}>{title}</h3>
        {text && <p className="whitespace-pre-line text-muted">{text}</p>}
        {cta && (
          <p>
            <span className="inline-flex min-h-11 items-center rounded-lg bg-brand px-5 py-2.5 font-semibold text-on-brand">
              {cta.label}
            </span>
          </p>
        )}
      </div>
    </article>
  );
}
