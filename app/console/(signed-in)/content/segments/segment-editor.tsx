'use client';

import { useRouter } from 'next/navigation';
import { useState, useTransition, type ReactNode } from 'react';
import { get, useForm } from 'react-hook-form';

import type { ValueOptions } from '@/components/console/rule-builder';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { TextField } from '@/components/ui/text-field';
import { callAction, useActionMessages } from '@/components/use-action-messages';
import { useTranslations } from '@/lib/i18n/client';
import type { Rule } from '@/lib/personalization/catalogue';
import { fieldErrorsByPath, SaveSegmentSchema } from '@/lib/validation/content-editor';

import { saveSegmentAction } from '../actions';
import { RulePanel } from '../rule-panel';

type Props = {
  objectId: string | null;
  latestRevisionId: string | null;
  key_: string;
  name: string;
  rule: Rule;
  values: ValueOptions;
  /** The revision a new segment was just saved as: its page, reached after the save, says so. */
  savedNumber?: number;
};

type FormValues = { key: string; name: string };

/** A saved segment: a name and a rule (no segment in a segment), with its summary and estimate. */
export function SegmentEditor(props: Props) {
  const t = useTranslations('console.content.segmentEditor');
  const tr = useActionMessages();
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const { objectId } = props;
  const [expected, setExpected] = useState(props.latestRevisionId);
  const [notice, setNotice] = useState<{ tone: 'error' | 'success'; text: ReactNode } | null>(() =>
    props.savedNumber ? { tone: 'success', text: t('saved', { number: props.savedNumber }) } : null,
  );
  const [rule, setRule] = useState<Rule | null>(props.rule);
  const form = useForm<FormValues>({ defaultValues: { key: props.key_, name: props.name } });
  const { errors } = form.formState;
  const error = (path: string) => {
    const message = (get(errors, path) as { message?: string } | undefined)?.message;
    return message ? tr(message, { max: 50 }) : undefined;
  };

  const onSubmit = form.handleSubmit((v) =>
    startTransition(async () => {
      setNotice(null);
      form.clearErrors();
      if (rule === null) {
        form.setError('body.rule' as 'key', { message: 'console.content.builder.incompleteRule' });
        return;
      }
      const input = {
        objectId,
        key: v.key,
        expectedLatestRevisionId: expected,
        body: { name: v.name, rule: rule },
      };
      const checked = SaveSegmentSchema.safeParse(input);
      const result = checked.success
        ? await callAction(() => saveSegmentAction(input))
        : {
            ok: false as const,
            fieldErrors: fieldErrorsByPath(checked.error.issues),
            message: undefined,
          };
      if (result.ok) {
        setExpected(result.revisionId);
        if (!objectId) {
          router.replace(`/console/content/segments/${result.objectId}?saved=${result.number}`);
          return;
        }
        setNotice({ tone: 'success', text: t('saved', { number: result.number }) });
        return;
      }
      let focused = false;
      for (const [path, key] of Object.entries(result.fieldErrors ?? {})) {
        form.setError((path === 'body.name' ? 'name' : path) as 'key', { message: key }, { shouldFocus: !focused });
        focused = true;
      }
      if (result.message === 'console.content.editor.stale') {
        setNotice({
          tone: 'error',
          text: t.rich('stale', {
            link: (chunks) => (
              <a className="underline" href={`/console/content/segments/${objectId}`}>
                {chunks}
              </a>
            ),
          }),
        });
      } else {
        setNotice({ tone: 'error', text: tr(result.message ?? 'console.content.editor.fixErrors', result.values) });
      }
    }),
  );

  return (
    <form method="post" onSubmit={onSubmit} noValidate className="flex flex-col gap-6" aria-label={t('formLabel')}>
      <div aria-live="polite">{notice && <Alert tone={notice.tone}>{notice.text}</Alert>}</div>
      <TextField
        id="key"
        label={t('key')}
        hint={t('keyHint')}
        autoComplete="off"
        readOnly={props.objectId !== null}
        error={error('key')}
        {...form.register('key')}
      />
      <TextField id="name" label={t('name')} autoComplete="off" error={error('name')} {...form.register('name')} />
      <RulePanel
        id="segment-rule"
        initialRule={props.rule}
        onChange={setRule}
        values={props.values}
        segments={null}
        error={error('body.rule')}
      />
      <div>
        <Button type="submit" pending={pending} pendingLabel={t('saving')}>
          {t('save')}
        </Button>
      </div>
    </form>
  );
}
