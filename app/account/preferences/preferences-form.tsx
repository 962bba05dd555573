'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useRef, useState, useTransition } from 'react';
import { useForm, type UseFormRegisterReturn } from 'react-hook-form';

import { lazyZodResolver } from '@/components/lazy-zod-resolver';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { SelectField } from '@/components/ui/select-field';
import { callAction, useActionMessages } from '@/components/use-action-messages';
import { useTranslations } from '@/lib/i18n/client';
import {
  PREFERENCES_FORM_FIELDS,
  preferencesFromForm,
  type PreferencesFormValues,
} from '@/lib/validation/preference-center-fields';

import { savePreferencesAction } from './actions';

const check = lazyZodResolver(() => import('@/lib/validation/preference-center').then((m) => m.PreferencesFormSchema));

type Option = { value: string; label: string; hint?: string };

type Props = {
  /** The preferences version these values were read at: the save is conditional on it. */
  version: number;
  initial: PreferencesFormValues;
  categories: Option[];
  stores: Option[];
  clothingSizes: Option[];
  shoeSizes: Option[];
  channels: Option[];
  /** "Set by this site on 3 Dec 2026", per single-valued field. */
  provenance: Partial<Record<'favouriteStore' | 'sizeClothing' | 'sizeShoes', string>>;
};

export function PreferencesForm(props: Props) {
  const { version, initial } = props;
  const t = useTranslations('preferences');
  const tr = useActionMessages();
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [notice, setNotice] = useState<{ tone: 'error' | 'success' | 'info'; text: string; stale?: true } | null>(null);
  const loadedVersion = useRef(version);
  const form = useForm<PreferencesFormValues>({ resolver: check.resolver, defaultValues: initial });
  const { errors } = form.formState;

  // Fresh values from the server (a save, "load the saved preferences"): taken while nothing is being edited.
  useEffect(() => {
    if (form.formState.isDirty) return;
    form.reset(initial);
    loadedVersion.current = version;
  }, [form, initial, version]);

  const onSubmit = (event: React.FormEvent<HTMLFormElement>) =>
    form.handleSubmit((values) =>
      startTransition(async () => {
        setNotice(null);
        if (!form.formState.isDirty) {
          setNotice({ tone: 'info', text: t('noChanges') });
          return;
        }
        const result = await callAction(() =>
          savePreferencesAction({ values: preferencesFromForm(values), version: loadedVersion.current }),
        );
        if (result.ok) {
          loadedVersion.current = result.version;
          form.reset(values);
          setNotice({ tone: 'success', text: t('saved') });
          return;
        }
        for (const [field, key] of Object.entries(result.fieldErrors ?? {})) {
          const known = (PREFERENCES_FORM_FIELDS as readonly string[]).includes(field);
          if (known) form.setError(field as keyof PreferencesFormValues, { message: key }, { shouldFocus: true });
          else setNotice({ tone: 'error', text: tr(key) });
        }
        if (result.message)
          setNotice({
            tone: 'error',
            text: tr(result.message, result.values),
            stale: result.message === 'preferences.errors.stale' || undefined,
          });
      }),
    )(event);

  // After a stale save: drop the edits and show what is saved now.
  const loadSaved = () => {
    form.reset(initial);
    setNotice(null);
    router.refresh();
  };

  const error = (key?: string) => (key ? tr(key) : undefined);

  return (
    <form
      method="post"
      onSubmit={onSubmit}
      onFocus={check.preload}
      onInput={check.preload}
      noValidate
      className="flex flex-col gap-6"
      aria-labelledby="values-title"
    >
      <div aria-live="polite">
        {notice && (
          <Alert tone={notice.tone}>
            {notice.text}
            {notice.stale && (
              <>
                {' '}
                <Button type="button" variant="link" onClick={loadSaved}>
                  {t('loadSaved')}
                </Button>
              </>
            )}
          </Alert>
        )}
      </div>

      <CheckboxGroup
        id="interests"
        legend={t('interests')}
        hint={t('interestsHint')}
        options={props.categories}
        error={error(errors.interests?.message ?? errors.interests?.root?.message)}
        register={form.register('interests')}
      />

      <div className="grid gap-5 sm:grid-cols-3">
        <SelectField
          id="favouriteStore"
          label={t('favouriteStore')}
          hint={props.provenance.favouriteStore}
          error={error(errors.favouriteStore?.message)}
          options={[{ value: '', label: t('noneSelected') }, ...props.stores]}
          {...form.register('favouriteStore')}
        />
        <SelectField
          id="sizeClothing"
          label={t('sizeClothing')}
          hint={props.provenance.sizeClothing}
          error={error(errors.sizeClothing?.message)}
          options={[{ value: '', label: t('noneSelected') }, ...props.clothingSizes]}
          {...form.register('sizeClothing')}
        />
        <SelectField
          id="sizeShoes"
          label={t('sizeShoes')}
          hint={props.provenance.sizeShoes}
          error={error(errors.sizeShoes?.message)}
          options={[{ value: '', label: t('noneSelected') }, ...props.shoeSizes]}
          {...form.register('sizeShoes')}
        />
      </div>

      <CheckboxGroup
        id="channels"
        legend={t('channelsLabel')}
        hint={t('channelsHint')}
        options={props.channels}
        error={error(errors.channels?.message ?? errors.channels?.root?.message)}
        register={form.register('channels')}
      />

      <div>
        <Button type="submit" pending={pending} pendingLabel={t('saving')}>
          {t('save')}
        </Button>
      </div>
    </form>
  );
}

function CheckboxGroup({
  id,
  legend,
  hint,
  options,
  error,
  register,
}: {
  id: string;
  legend: string;
  hint: string;
  options: Option[];
  error?: string;
  register: UseFormRegisterReturn;
}) {
  const describedBy = [error ? `${id}-error` : null, `${id}-hint`].filter(Boolean).join(' ');
  return (
    <fieldset aria-describedby={describedBy} className="flex flex-col gap-2">
      <legend className="font-medium">{legend}</legend>
      <p id={`${id}-hint`} className="text-sm text-muted">
        {hint}
      </p>
      <ul className="grid gap-2 sm:grid-cols-2">
        {options.map((o) => (
          <li key={o.value} className="flex items-start gap-3 rounded-lg bg-white p-3 ring-1 ring-slate-200">
            <input
              id={`${id}-${o.value}`}
              type="checkbox"
              value={o.value}
              className="mt-1 size-5 shrink-0"
              aria-describedby={o.hint ? `${id}-${o.value}-source` : undefined}
              {...register}
            />
            <div className="flex flex-col">
              <label htmlFor={`${id}-${o.value}`}>{o.label}</label>
              {o.hint && (
                <span id={`${id}-${o.value}-source`} className="text-sm text-muted">
                  {o.hint}
                </span>
              )}
            </div>
          </li>
        ))}
      </ul>
      {error && (
        <p id={`${id}-error`} className="text-sm font-medium text-red-700">
          {error}
        </p>
      )}
    </fieldset>
  );
}
