'use client';

import { zodResolver } from '@hookform/resolvers/zod';
import { useRouter } from 'next/navigation';
import { useEffect, useRef, useState, useTransition, type RefObject } from 'react';
import { useForm, useWatch } from 'react-hook-form';

import { Button } from '@/components/ui/button';
import { SelectField } from '@/components/ui/select-field';
import { TextField } from '@/components/ui/text-field';
import { callAction, useActionMessages } from '@/components/use-action-messages';
import type { EditConflict } from '@/lib/action-result';
import { useTranslations } from '@/lib/i18n/client';
import {
  ADDRESS_COUNTRIES,
  ADDRESS_FORMATS,
  AddressSchema,
  type AddressCountry,
  type AddressInput,
  type AddressKind,
} from '@/lib/validation/address';

import { saveAddressAction } from './actions';
import { ConflictNotice } from './conflict-notice';
import { countryName } from './display';

export type AddressEditorProps = {
  kind: AddressKind;
  address: { country: AddressCountry; line1: string; line2: string | null; postalCode: string; city: string } | null;
  locale: string;
  defaultCountry: AddressCountry;
  /** The profile version the card's values were read at, shared with the card: every save is conditional on it. */
  loadedVersionRef: RefObject<number>;
  /** A conflict the card already met (removing an address that changed elsewhere). */
  initialConflict: EditConflict | null;
  /** Closes the editor: after a save (saved: true) or on Cancel. */
  onClose: (saved: boolean) => void;
  /** Shows (or, with null, clears) an error in the card's live region. */
  onError: (text: string | null) => void;
};

const FIELDS = ['country', 'line1', 'line2', 'postalCode', 'city'] as const;

/**
 * The form of an address card, loaded when the customer opens it: with it come
 * the address schema and postcode-validator's patterns, which the closed cards
 * do not need (docs/decisions/011-phones-and-postal-addresses.md).
 */
export function AddressEditor({
  kind,
  address,
  locale,
  defaultCountry,
  loadedVersionRef,
  initialConflict,
  onClose,
  onError,
}: AddressEditorProps) {
  const t = useTranslations('profile');
  const tr = useActionMessages();
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [conflict, setConflict] = useState<EditConflict | null>(initialConflict);
  const initial: AddressInput = address
    ? { ...address, line2: address.line2 ?? '' }
    : { country: defaultCountry, line1: '', line2: '', postalCode: '', city: '' };
  const form = useForm<AddressInput>({ resolver: zodResolver(AddressSchema), defaultValues: initial });
  const { errors } = form.formState;
  const country = useWatch({ control: form.control, name: 'country' }) as AddressCountry;
  const format = ADDRESS_FORMATS[country] ?? ADDRESS_FORMATS.FR;
  const id = (field: string) => `${kind}-${field}`;

  // Opened by the customer: the first field takes the focus (a conflict notice takes it itself).
  const focusFirst = useRef(initialConflict === null);
  useEffect(() => {
    if (!focusFirst.current) return;
    focusFirst.current = false;
    form.setFocus('country');
  }, [form]);

  const save = (values: AddressInput, againstVersion?: number) =>
    startTransition(async () => {
      onError(null);
      const result = await callAction(() =>
        saveAddressAction({ kind, version: againstVersion ?? loadedVersionRef.current, address: values }),
      );
      if (result.ok) {
        loadedVersionRef.current = result.version;
        setConflict(null);
        onClose(true);
        return;
      }
      if (result.conflict) {
        setConflict(result.conflict);
        return;
      }
      for (const [field, key] of Object.entries(result.fieldErrors ?? {})) {
        if ((FIELDS as readonly string[]).includes(field))
          form.setError(field as (typeof FIELDS)[number], { message: key }, { shouldFocus: true });
      }
      if (result.message) onError(tr(result.message, result.values));
    });

  const onSubmit = (event: React.FormEvent<HTMLFormElement>) => form.handleSubmit((values) => save(values))(event);

  const useSaved = () => {
    const current = conflict?.fields[0]?.current;
    form.reset(
      current && typeof current === 'object'
        ? { ...(current as AddressInput), line2: current.line2 ?? '' }
        : { country: defaultCountry, line1: '', line2: '', postalCode: '', city: '' },
    );
    if (conflict) loadedVersionRef.current = conflict.version;
    setConflict(null);
    router.refresh();
  };

  const cityField = (
    <TextField
      key="city"
      id={id('city')}
      label={t('city')}
      autoComplete={`section-${kind} address-level2`}
      error={errors.city?.message && tr(errors.city.message)}
      {...form.register('city')}
    />
  );
  const postalField = (
    <TextField
      key="postalCode"
      id={id('postalCode')}
      label={t('postalCode')}
      autoComplete={`section-${kind} postal-code`}
      hint={t('postalCodeHint', { example: format.postalCodeExample })}
      error={errors.postalCode?.message && tr(errors.postalCode.message)}
      {...form.register('postalCode')}
    />
  );

  return (
    <>
      {conflict && (
        <ConflictNotice
          conflict={conflict}
          onKeepMine={() => save(form.getValues(), conflict.version)}
          onUseSaved={useSaved}
          pending={pending}
        />
      )}
      <form method="post" onSubmit={onSubmit} noValidate className="flex flex-col gap-4">
        <SelectField
          id={id('country')}
          label={t('country')}
          autoComplete={`section-${kind} country`}
          error={errors.country?.message && tr(errors.country.message)}
          options={ADDRESS_COUNTRIES.map((c) => ({ value: c, label: countryName(c, locale) })).sort((a, b) =>
            a.label.localeCompare(b.label, locale),
          )}
          {...form.register('country')}
        />
        <TextField
          id={id('line1')}
          label={t('line1')}
          autoComplete={`section-${kind} address-line1`}
          error={errors.line1?.message && tr(errors.line1.message)}
          {...form.register('line1')}
        />
        <TextField
          id={id('line2')}
          label={t('line2')}
          hint={t('line2Hint')}
          autoComplete={`section-${kind} address-line2`}
          error={errors.line2?.message && tr(errors.line2.message)}
          {...form.register('line2')}
        />
        <div className="grid gap-4 sm:grid-cols-2">
          {format.cityFirst ? [cityField, postalField] : [postalField, cityField]}
        </div>
        <div className="flex flex-wrap gap-3">
          <Button type="submit" pending={pending} pendingLabel={t('saving')}>
            {t('save')}
          </Button>
          <Button type="button" variant="secondary" onClick={() => onClose(false)}>
            {t('cancel')}
          </Button>
        </div>
      </form>
    </>
  );
}
