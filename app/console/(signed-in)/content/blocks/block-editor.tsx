'use client';

import { useRouter } from 'next/navigation';
import { useState, useTransition, type ReactNode } from 'react';
import { get, useForm, useWatch } from 'react-hook-form';

import type { SegmentOption, ValueOptions } from '@/components/console/rule-builder';
import { BlockPreview } from '@/components/personalization/block-preview';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { TextField } from '@/components/ui/text-field';
import { callAction, useActionMessages } from '@/components/use-action-messages';
import { useTranslations } from '@/lib/i18n/client';
import type { Rule, Slot } from '@/lib/personalization/catalogue';
import type { BlockBody } from '@/lib/validation/content';
import { fieldErrorsByPath, SaveBlockSchema } from '@/lib/validation/content-editor';

import { saveBlockAction } from '../actions';
import { RulePanel } from '../rule-panel';
import { ImageUpload, type UploadedImage } from './image-upload';

type Localized = { en: string; fr: string };
/** The form's values: the block body with every field present (empty = none) and times as typed. */
type FormValues = {
  key: string;
  body: {
    title: Localized;
    text: Localized;
    image: { id: string; alt: Localized };
    cta: { label: Localized; url: string };
    startsAt: string;
    endsAt: string;
    priority: number;
    generic: boolean;
  };
};

type Props = {
  slot: Slot;
  objectId: string | null;
  /** The latest revision when the page was rendered: saving against an older one is stale. */
  latestRevisionId: string | null;
  key_: string;
  body: BlockBody | null;
  imageUrl: string | null;
  values: ValueOptions;
  segments: SegmentOption[];
  maxImageBytes: number;
  /** The revision a new block was just saved as: its page, reached after the save, says so. */
  savedNumber?: number;
};

const EMPTY: Localized = { en: '', fr: '' };

/** Schedule times are typed and shown in UTC, so a page rendered on the server shows what the browser shows. */
const toUtcInput = (iso: string | null) => (iso ? new Date(iso).toISOString().slice(0, 16) : '');
const fromUtcInput = (value: string) => (value ? `${value}:00.000Z` : null);

function toFormValues(key: string, body: BlockBody | null): FormValues {
  return {
    key,
    body: {
      title: body?.title ?? EMPTY,
      text: body?.text ?? EMPTY,
      image: body?.image ?? { id: '', alt: EMPTY },
      cta: body?.cta ?? { label: EMPTY, url: '' },
      startsAt: toUtcInput(body?.startsAt ?? null),
      endsAt: toUtcInput(body?.endsAt ?? null),
      priority: body?.priority ?? 100,
      generic: body?.generic ?? false,
    },
  };
}

function Fieldset({ legend, children }: { legend: string; children: ReactNode }) {
  return (
    <fieldset className="flex flex-col gap-3 rounded-lg p-4 ring-1 ring-slate-200">
      <legend className="px-1 font-semibold">{legend}</legend>
      {children}
    </fieldset>
  );
}

/** The block form with its live preview and rule (docs/decisions/035-personalization.md §6). */
export function BlockEditor(props: Props) {
  const { slot, values, segments, maxImageBytes } = props;
  const t = useTranslations('console.content.editor');
  const tr = useActionMessages();
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const { objectId } = props;
  const [expected, setExpected] = useState(props.latestRevisionId);
  const savedNotice = (number: number, id: string) => ({
    tone: 'success' as const,
    text: t.rich('saved', {
      number,
      link: (chunks) => (
        <a className="underline" href={`/console/content/blocks/${id}/history`}>
          {chunks}
        </a>
      ),
    }),
  });
  const [notice, setNotice] = useState<{ tone: 'error' | 'success'; text: ReactNode } | null>(() =>
    props.savedNumber && props.objectId ? savedNotice(props.savedNumber, props.objectId) : null,
  );
  const [image, setImage] = useState<UploadedImage | null>(
    props.body?.image && props.imageUrl ? { id: props.body.image.id, url: props.imageUrl } : null,
  );
  const [previewLocale, setPreviewLocale] = useState<'en' | 'fr'>('en');
  const [rule, setRule] = useState<Rule | null>(props.body?.rule ?? {});
  const form = useForm<FormValues>({ defaultValues: toFormValues(props.key_, props.body) });
  const { errors } = form.formState;
  const watched = useWatch({ control: form.control });
  const generic = watched.body?.generic ?? false;

  const error = (path: string) => {
    const message = (get(errors, path) as { message?: string } | undefined)?.message;
    return message ? tr(message, { max: 50 }) : undefined;
  };
  const field = (path: `body.${string}` | 'key', label: string, extra: Record<string, unknown> = {}) => (
    <TextField
      id={path}
      label={label}
      autoComplete="off"
      error={error(path)}
      {...extra}
      {...form.register(path as 'key')}
    />
  );

  const onSubmit = form.handleSubmit((v) =>
    startTransition(async () => {
      setNotice(null);
      form.clearErrors();
      const ctaEmpty = !v.body.cta.label.en.trim() && !v.body.cta.label.fr.trim() && !v.body.cta.url.trim();
      if (!v.body.generic && rule === null) {
        form.setError('body.rule' as 'key', { message: 'console.content.builder.incompleteRule' });
        setNotice({ tone: 'error', text: tr('console.content.builder.incompleteRule') });
        return;
      }
      const input = {
        objectId,
        slot,
        key: v.key,
        expectedLatestRevisionId: expected,
        body: {
          title: v.body.title,
          text: v.body.text,
          image: image ? { id: image.id, alt: v.body.image.alt } : null,
          cta: ctaEmpty ? null : v.body.cta,
          startsAt: fromUtcInput(v.body.startsAt),
          endsAt: fromUtcInput(v.body.endsAt),
          priority: Number(v.body.priority),
          generic: v.body.generic,
          rule: v.body.generic ? {} : (rule ?? {}),
        },
      };
      // The action's own schema, checked here first so errors show without a round trip.
      const checked = SaveBlockSchema.safeParse(input);
      const result = checked.success
        ? await callAction(() => saveBlockAction(input))
        : {
            ok: false as const,
            fieldErrors: fieldErrorsByPath(checked.error.issues),
            message: undefined,
          };
      if (result.ok) {
        setExpected(result.revisionId);
        if (!objectId) {
          // The block's own page, which keeps saying it was saved.
          router.replace(`/console/content/blocks/${result.objectId}?saved=${result.number}`);
          return;
        }
        setNotice(savedNotice(result.number, result.objectId));
        return;
      }
      let focused = false;
      for (const [path, key] of Object.entries(result.fieldErrors ?? {})) {
        form.setError(path as 'key', { message: key }, { shouldFocus: !focused });
        focused = true;
      }
      if (result.message === 'console.content.editor.stale') {
        setNotice({
          tone: 'error',
          text: t.rich('stale', {
            link: (chunks) => (
              <a className="underline" href={`/console/content/blocks/${objectId}`}>
                {chunks}
              </a>
            ),
          }),
        });
      } else if (result.message || !focused) {
        setNotice({ tone: 'error', text: tr(result.message ?? 'console.content.editor.fixErrors', result.values) });
      } else {
        setNotice({ tone: 'error', text: t('fixErrors') });
      }
    }),
  );

  const b = watched.body;
  const pick = (l?: Partial<Localized>) => l?.[previewLocale] ?? '';
  const ctaLabel = pick(b?.cta?.label);

  return (
    <div className="grid gap-8 lg:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
      <form method="post" onSubmit={onSubmit} noValidate className="flex flex-col gap-6" aria-label={t('formLabel')}>
        <div aria-live="polite">{notice && <Alert tone={notice.tone}>{notice.text}</Alert>}</div>
        {field('key', t('key'), { hint: t('keyHint'), readOnly: props.objectId !== null })}
        <Fieldset legend={t('title')}>
          {field('body.title.en', t('english'))}
          {field('body.title.fr', t('french'))}
        </Fieldset>
        <Fieldset legend={t('text')}>
          {(['en', 'fr'] as const).map((l) => (
            <div key={l} className="flex flex-col gap-1.5">
              <label htmlFor={`body.text.${l}`} className="font-medium">
                {t(l === 'en' ? 'english' : 'french')}
              </label>
              <textarea
                id={`body.text.${l}`}
                rows={4}
                aria-invalid={error(`body.text.${l}`) ? true : undefined}
                aria-describedby={error(`body.text.${l}`) ? `body.text.${l}-error` : undefined}
                className="rounded-lg border border-slate-400 bg-white px-3 py-2 text-base aria-[invalid=true]:border-red-700"
                {...form.register(`body.text.${l}`)}
              />
              {error(`body.text.${l}`) && (
                <p id={`body.text.${l}-error`} className="text-sm font-medium text-red-700">
                  {error(`body.text.${l}`)}
                </p>
              )}
            </div>
          ))}
        </Fieldset>
        <Fieldset legend={t('image')}>
          <ImageUpload maxBytes={maxImageBytes} onUploaded={setImage} />
          {image && (
            <>
              <p className="text-sm">
                {t('imageChosen')}{' '}
                <button type="button" className="text-brand underline" onClick={() => setImage(null)}>
                  {t('removeImage')}
                </button>
              </p>
              {field('body.image.alt.en', t('altEnglish'))}
              {field('body.image.alt.fr', t('altFrench'))}
            </>
          )}
        </Fieldset>
        <Fieldset legend={t('cta')}>
          <p className="text-sm text-muted">{t('ctaHint')}</p>
          {field('body.cta.label.en', t('ctaLabelEnglish'))}
          {field('body.cta.label.fr', t('ctaLabelFrench'))}
          {field('body.cta.url', t('ctaUrl'), { hint: t('ctaUrlHint'), inputMode: 'url' })}
        </Fieldset>
        <Fieldset legend={t('schedule')}>
          <p className="text-sm text-muted">{t('scheduleHint')}</p>
          {field('body.startsAt', t('startsAt'), { type: 'datetime-local' })}
          {field('body.endsAt', t('endsAt'), { type: 'datetime-local' })}
        </Fieldset>
        <TextField
          id="body.priority"
          type="number"
          min={0}
          max={1000}
          step={1}
          label={t('priority')}
          hint={t('priorityHint')}
          error={error('body.priority')}
          {...form.register('body.priority', { valueAsNumber: true })}
        />
        <div className="flex flex-col gap-1">
          <label className="flex items-center gap-2 font-medium">
            <input
              type="checkbox"
              className="size-5 rounded border-slate-400 accent-brand"
              aria-describedby="generic-hint"
              {...form.register('body.generic')}
            />
            {t('generic')}
          </label>
          <p id="generic-hint" className="text-sm text-muted">
            {t('genericHint')}
          </p>
        </div>
        {/* Hidden, not unmounted: unticking "generic" brings the rule back as it was. */}
        <div hidden={generic}>
          <RulePanel
            id="block-rule"
            initialRule={props.body?.rule ?? {}}
            onChange={setRule}
            values={values}
            segments={segments}
            error={error('body.rule')}
            active={!generic}
          />
        </div>
        <div>
          <Button type="submit" pending={pending} pendingLabel={t('saving')}>
            {t('save')}
          </Button>
        </div>
      </form>
      <aside aria-labelledby="preview-title" className="flex flex-col gap-3 lg:sticky lg:top-4 lg:self-start">
        <h2 id="preview-title" className="text-xl font-semibold">
          {t('preview')}
        </h2>
        <fieldset className="flex gap-4 text-sm">
          <legend className="sr-only">{t('previewLanguage')}</legend>
          {(['en', 'fr'] as const).map((l) => (
            <label key={l} className="flex items-center gap-2">
              <input
                type="radio"
                name="preview-locale"
                className="size-4 accent-brand"
                checked={previewLocale === l}
                onChange={() => setPreviewLocale(l)}
              />
              {t(l === 'en' ? 'english' : 'french')}
            </label>
          ))}
        </fieldset>
        <BlockPreview
          slot={slot}
          title={pick(b?.title) || t('untitled')}
          text={pick(b?.text)}
          image={image ? { url: image.url, alt: pick(b?.image?.alt), width: image.width, height: image.height } : null}
          cta={ctaLabel ? { label: ctaLabel, url: b?.cta?.url ?? '' } : null}
        />
      </aside>
    </div>
  );
}
