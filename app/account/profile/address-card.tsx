'use client';

import { zodResolver } from '@hookform/resolvers/zod';
import { useRouter } from 'next/navigation';
import { useTranslations } from 'next-intl';
import { useRef, useState, useTransition } from 'react';
import { useForm, useWatch } from 'react-hook-form';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { SelectField } from '@/components/ui/select-field';
import { TextField } from '@/components/ui/text-field';
import { callAction, useActionMessages } from '@/components/use-action-messages';
import type { EditConflict } from '@/lib/action-result';
import { ADDRESS_COUNTRIES, ADDRESS_FORMATS, AddressSchema, type AddressCountry, type AddressInput, type AddressKind } from '@/lib/validation/address';
import { removeAddressAction, saveAddressAction } from './actions';
import { ConflictNotice } from './conflict-notice';
import { addressLines, countryName } from './display';

type Props = {
  kind: AddressKind;
  version: number;
  address: { country: AddressCountry; line1: string; line2: string | null; postalCode: string; city: string } | null;
  provenance: string;
  locale: string;
  defaultCountry: AddressCountry;
};

const FIELDS = ['country', 'line1', 'line2', 'postalCode', 'city'] as const;

/** One address (home, billing or shipping): shown, edited in place, or removed; each save conditional on the version loaded. */
export function AddressCard({ kind, version, address, provenance, locale, defaultCountry }: Props) {
  const t = useTranslations('profile');
  const tr = useActionMessages();
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [editing, setEditing] = useState(false);
  const [notice, setNotice] = useState<{ tone: 'error' | 'success'; text: string } | null>(null);
  const [conflict, setConflict] = useState<EditConflict | null>(null);
  const loadedVersion = useRef(version);
  const initial: AddressInput = address ? { ...address, line2: address.line2 ?? '' } : { country: defaultCountry, line1: '', line2: '', postalCode: '', city: '' };
  const form = useForm<AddressInput>({ resolver: zodResolver(AddressSchema), defaultValues: initial });
  const { errors } = form.formState;
  const country = useWatch({ control: form.control, name: 'country' }) as AddressCountry;
  const format = ADDRESS_FORMATS[country] ?? ADDRESS_FORMATS.FR;
  const title = t(`addressKinds.${kind}`);
  const id = (field: string) => `${kind}-${field}`;

  const startEditing = () => {
    // Edit what is saved now, conditional on the version it was read at.
    form.reset(initial);
    loadedVersion.current = version;
    setNotice(null);
    setEditing(true);
  };

  const run = (action: () => Promise<Awaited<ReturnType<typeof saveAddressAction>>>, onSaved: () => void) =>
    startTransition(async () => {
      setNotice(null);
      const result = await callAction(action);
      if (result.ok) {
        loadedVersion.current = result.version;
        setConflict(null);
        onSaved();
        return;
      }
      if (result.conflict) {
        setEditing(true);
        setConflict(result.conflict);
        return;
      }
      for (const [field, key] of Object.entries(result.fieldErrors ?? {})) {
        if ((FIELDS as readonly string[]).includes(field)) form.setError(field as (typeof FIELDS)[number], { message: key }, { shouldFocus: true });
      }
      if (result.message) setNotice({ tone: 'error', text: tr(result.message, result.values) });
    });

  const save = (values: AddressInput, againstVersion?: number) =>
    run(
      () => saveAddressAction({ kind, version: againstVersion ?? loadedVersion.current, address: values }),
      () => {
        setEditing(false);
        setNotice({ tone: 'success', text: t('saved') });
      },
    );

  const onSubmit = (event: React.FormEvent<HTMLFormElement>) => form.handleSubmit((values) => save(values))(event);

  const remove = () =>
    run(
      () => removeAddressAction({ kind, version: loadedVersion.current }),
      () => {
        form.reset({ country: defaultCountry, line1: '', line2: '', postalCode: '', city: '' });
        setNotice({ tone: 'success', text: t('removed') });
      },
    );

  const useSaved = () => {
    const current = conflict?.fields[0]?.current;
    form.reset(current && typeof current === 'object' ? { ...(current as AddressInput), line2: current.line2 ?? '' } : { country: defaultCountry, line1: '', line2: '', postalCode: '', city: '' });
    if (conflict) loadedVersion.current = conflict.version;
    setConflict(null);
    router.refresh();
  };

  const cityField = (
    <TextField key="city" id={id('city')} label={t('city')} autoComplete={`section-${kind} address-level2`} error={errors.city?.message && tr(errors.city.message)} {...form.register('city')} />
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
    <section aria-labelledby={id('title')} className="flex flex-col gap-3 rounded-xl bg-white p-5 ring-1 ring-slate-200">
      <div>
        <h3 id={id('title')} className="font-semibold">
          {title}
        </h3>
        <p className="text-sm text-muted">{provenance}</p>
      </div>
      <div aria-live="polite">{notice && <Alert tone={notice.tone}>{notice.text}</Alert>}</div>
      {conflict && <ConflictNotice conflict={conflict} onKeepMine={() => save(form.getValues(), conflict.version)} onUseSaved={useSaved} pending={pending} />}
      {!editing ? (
        <p className="flex-1 whitespace-pre-line break-words">
          {address ? addressLines(address, locale).join('\n') : t('noAddress')}
        </p>
      ) : (
        <form method="post" onSubmit={onSubmit} noValidate className="flex flex-col gap-4">
          <SelectField
            id={id('country')}
            label={t('country')}
            autoComplete={`section-${kind} country`}
            error={errors.country?.message && tr(errors.country.message)}
            options={ADDRESS_COUNTRIES.map((c) => ({ value: c, label: countryName(c, locale) })).sort((a, b) => a.label.localeCompare(b.label, locale))}
            {...form.register('country')}
          />
          <TextField id={id('line1')} label={t('line1')} autoComplete={`section-${kind} address-line1`} error={errors.line1?.message && tr(errors.line1.message)} {...form.register('line1')} />
          <TextField id={id('line2')} label={t('line2')} hint={t('line2Hint')} autoComplete={`section-${kind} address-line2`} error={errors.line2?.message && tr(errors.line2.message)} {...form.register('line2')} />
          <div className="grid gap-4 sm:grid-cols-2">{format.cityFirst ? [cityField, postalField] : [postalField, cityField]}</div>
          <div className="flex flex-wrap gap-3">
            <Button type="submit" pending={pending} pendingLabel={t('saving')}>
              {t('save')}
            </Button>
            <Button
              type="button"
              variant="secondary"
              onClick={() => {
                form.reset(initial);
                setConflict(null);
                setEditing(false);
              }}
            >
              {t('cancel')}
            </Button>
          </div>
        </form>
      )}
      {!editing && (
        <div className="flex gap-2">
          <Button type="button" variant="secondary" onClick={startEditing} aria-label={t(address ? 'editLabel' : 'addLabel', { kind: title })}>
            {address ? t('editAddress') : t('addAddress')}
          </Button>
          {address && (
            <Button type="button" variant="secondary" onClick={remove} pending={pending} pendingLabel={t('removing')} aria-label={t('removeLabel', { kind: title })}>
              {t('removeAddress')}
            </Button>
          )}
        </div>
      )}
    </section>
  );
}
