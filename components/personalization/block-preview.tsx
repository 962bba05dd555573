import type { BlockView } from '@/lib/personalization/decision';

// The console editor's live preview of a block (docs/decisions/035-personalization.md §6), with
// the markup of components/personalization/home-slots.tsx's Block. That one is a server component
// (its texts come from getTranslations), so it cannot follow the form as the marketer types; if it
// gets a props-only block renderer, the editor should use it and this file goes.

export type BlockPreviewProps = Pick<BlockView, 'slot' | 'title' | 'text' | 'cta'> & {
  image: { url: string; alt: string; width?: number; height?: number } | null;
};

/** A block as a customer sees it: plain text (escaped by React, line breaks kept), its image and button. */
export function BlockPreview({ slot, title, text, image, cta }: BlockPreviewProps) {
  const hero = slot === 'hero';
  return (
    <article className="h-full overflow-hidden rounded-xl bg-white shadow-sm ring-1 ring-slate-200">
      {image && (
        // eslint-disable-next-line @next/next/no-img-element -- stored images are already re-encoded and sized
        <img src={image.url} alt={image.alt} width={image.width} height={image.height} className="h-auto w-full" />
      )}
      <div className="p-5">
        <h3 className={hero ? 'text-2xl font-bold tracking-tight' : 'text-lg font-semibold'}>{title}</h3>
        {text && <p className="mt-2 whitespace-pre-line text-muted">{text}</p>}
        {cta && (
          // Not a link: following it would leave the form.
          <span className="mt-4 inline-flex min-h-11 items-center rounded-lg bg-brand px-5 py-2.5 font-semibold text-on-brand">
            {cta.label}
          </span>
        )}
      </div>
    </article>
  );
}
