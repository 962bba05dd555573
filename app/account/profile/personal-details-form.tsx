'use client';

import { useRouter } from 'next/navigation';
import { lazy, Suspense, useEffect, useRef, useState, useTransition } from 'react';
import { useForm } from 'react-hook-form';

import { lazyZodResolver } from '@/components/lazy-zod-resolver';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { SelectField } from '@/components/ui/select-field';
import { TextField } from '@/components/ui/text-field';
import { callAction, useActionMessages } from '@/components/use-action-messages';
import type { EditConflict } from '@/lib/action-result';
import { useTranslations } from '@/lib/i18n/client';
import { locales } from '@/lib/i18n/config';
import type { PersonalDetailsInput } from '@/lib/validation/profile';
import { PERSONAL_DETAIL_FIELDS, PHONE_COUNTRIES, type PersonalDetailField } from '@/lib/validation/profile-fields';

import { savePersonalDetailsAction } from './actions';
import { countryName } from './display';

// Shown only when a save meets a change made elsewhere: not part of the page's first load.
const ConflictNotice = lazy(() => import('./conflict-notice').then((m) => ({ default: m.ConflictNotice })));

const check = lazyZodResolver(() => import('@/lib/validation/profile').then((m) => m.PersonalDetailsSchema));

type Props = {
  /** The profile version these values were read at. */
  version: number;
  initial: PersonalDetailsInput;
  /** "Changed 3 Dec via this site · not verified", per field. */
  provenance: Record<PersonalDetailField, string>;
  locale: string;
};

export function PersonalDetailsForm({ version, initial, provenance, locale }: Props) {
  const t = useTranslations('profile');
  const tc = useTranslations('common');
  const tr = useActionMessages();
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [notice, setNotice] = useState<{ tone: 'error' | 'success' | 'info'; text: string } | null>(null);
  const [conflict, setConflict] = useState<EditConflict | null>(null);
  // The version the untouched values were loaded at: every save is conditional on it.
  const loadedVersion = useRef(version);
  const form = useForm<PersonalDetailsInput>({ resolver: check.resolver, defaultValues: initial });
  const { errors } = form.formState;

  // Fresh values from the server (another save, the language switcher): taken
  // as they are while nothing is being edited, never over the customer's typing.
  useEffect(() => {
    if (form.formState.isDirty) return;
    form.reset(initial);
    loadedVersion.current = version;
  }, [form, initial, version]);

  /** Saves the changed fields against the version they were loaded at, or the one a conflict showed. */
  const save = (values: PersonalDetailsInput, changed: PersonalDetailField[], againstVersion?: number) =>
    startTransition(async () => {
      setNotice(null);
      const version = againstVersion ?? loadedVersion.current;
      const result = await callAction(() => savePersonalDetailsAction({ values, changed, version }));
      if (result.ok) {
        setConflict(null);
        loadedVersion.current = result.version;
        form.reset(values);
        setNotice({ tone: 'success', text: t('saved') });
        return;
      }
      if (result.conflict) {
        // Part of the transition: the button stays pending while the notice's code loads.
        const { conflict } = result;
        startTransition(() => setConflict(conflict));
        return;
      }
      for (const [field, key] of Object.entries(result.fieldErrors ?? {})) {
        if ((['firstName', 'lastName', 'phone', 'phoneCountry', 'locale'] as const).includes(field as 'firstName')) {
          form.setError(field as keyof PersonalDetailsInput, { message: key }, { shouldFocus: true });
        }
      }
      if (result.message) setNotice({ tone: 'error', text: tr(result.message, result.values) });
    });

  const changedFields = (): PersonalDetailField[] => {
    const dirty = form.formState.dirtyFields;
    return PERSONAL_DETAIL_FIELDS.filter((f) => (f === 'phone' ? dirty.phone || dirty.phoneCountry : dirty[f]));
  };

  const onSubmit = (event: React.FormEvent<HTMLFormElement>) =>
    form.handleSubmit((values) => {
      const changed = changedFields();
      if (changed.length === 0) {
        setNotice({ tone: 'info', text: t('noChanges') });
        return;
      }
      save(values, changed);
    })(event);

  const keepMine = () => conflict && save(form.getValues(), changedFields(), conflict.version);
  const useSaved = () => {
    if (!conflict) return;
    for (const { field, current } of conflict.fields) {
      const value = typeof current === 'string' ? current : '';
      // A phone comes formatted with its +country code, whatever the country list says.
      if (field === 'phone') form.resetField('phone', { defaultValue: value });
      else if (field === 'firstName' || field === 'lastName') form.resetField(field, { defaultValue: value });
      else if (field === 'locale' && (value === 'en' || value === 'fr'))
        form.resetField('locale', { defaultValue: value });
    }
    loadedVersion.current = conflict.version;
    setConflict(null);
    router.refresh();
  };

  const error = (key?: string) => (key ? tr(key) : undefined);
  const hint = (field: PersonalDetailField, extra?: string) => [extra, provenance[field]].filter(Boolean).join(' · ');

  return (
    <form
      method="post"
      onSubmit={onSubmit}
      onFocus={check.preload}
      onInput={check.preload}
      noValidate
      className="flex flex-col gap-5"
      aria-labelledby="details-title"
    >
      <div aria-live="polite">{notice && <Alert tone={notice.tone}>{notice.text}</Alert>}</div>
      <Suspense fallback={null}>
        {conflict && (
          <ConflictNotice conflict={conflict} onKeepMine={keepMine} onUseSaved={useSaved} pending={pending} />
        )}
      </Suspense>
      <div className="grid gap-5 sm:grid-cols-2">
        <TextField
          id="firstName"
          label={t('firstName')}
          autoComplete="given-name"
          hint={hint('firstName')}
          error={error(errors.firstName?.message)}
          {...form.register('firstName')}
        />
        <TextField
          id="lastName"
          label={t('lastName')}
          autoComplete="family-name"
          hint={hint('lastName', t('lastNameHint'))}
          error={error(errors.lastName?.message)}
          {...form.register('lastName')}
        />
        <SelectField
          id="phoneCountry"
          label={t('phoneCountry')}
          autoComplete="tel-country-code"
          error={error(errors.phoneCountry?.message)}
          options={PHONE_COUNTRIES.map((c) => ({ value: c, label: countryName(c, locale) }))}
          {...form.register('phoneCountry')}
        />
        <TextField
          id="phone"
          type="tel"
          label={t('phone')}
          autoComplete="tel"
          hint={hint('phone', t('phoneHint'))}
          error={error(errors.phone?.message)}
          {...form.register('phone')}
        />
        <SelectField
          id="locale"
          label={t('locale')}
          hint={hint('locale', t('localeHint'))}
          error={error(errors.locale?.message)}
          options={locales.map((l) => ({ value: l, label: tc(`languageNames.${l}`) }))}
          {...form.register('locale')}
        />
      </div>
      <div>
        <Button type="submit" pending={pending} pendingLabel={t('saving')}>
          {t('save')}
        </Button>
      </div>
    </form>
  );
}
