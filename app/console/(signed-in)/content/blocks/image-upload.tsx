'use client';

import { useId, useState } from 'react';

import { useTranslations } from '@/lib/i18n/client';

export type UploadedImage = { id: string; url: string; width?: number; height?: number };

const ACCEPTED = ['image/jpeg', 'image/png', 'image/webp'];

type Props = { maxBytes: number; onUploaded: (image: UploadedImage) => void };

/**
 * Sends a file to the console's image route (raw body, docs/decisions/035-personalization.md §4)
 * with its progress; the server decodes it and says whether it is an image. The checks here only
 * spare a pointless upload.
 */
export function ImageUpload({ maxBytes, onUploaded }: Props) {
  const t = useTranslations('console.content.image');
  const id = useId();
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const megabytes = Math.floor((maxBytes / 1024 / 1024) * 10) / 10;

  const upload = (file: File) => {
    setError(null);
    if (file.size > maxBytes) return setError(t('tooBig', { max: megabytes }));
    if (!ACCEPTED.includes(file.type)) return setError(t('notAnImage'));
    // XMLHttpRequest, not fetch: only it reports upload progress.
    const request = new XMLHttpRequest();
    request.open('POST', '/console/content/images');
    request.setRequestHeader('Content-Type', file.type);
    request.upload.onprogress = (e) => e.lengthComputable && setProgress(Math.round((e.loaded / e.total) * 100));
    request.onerror = () => {
      setProgress(null);
      setError(t('failed'));
    };
    request.onload = () => {
      setProgress(null);
      if (request.status === 201) {
        const image = JSON.parse(request.responseText) as UploadedImage;
        onUploaded(image);
        return;
      }
      if (request.status === 413) setError(t('tooBig', { max: megabytes }));
      else if (request.status === 415) setError(t('notAnImage'));
      else if (request.status === 422) setError(t('tooManyPixels'));
      else if (request.status === 403) setError(t('forbidden'));
      else setError(t('failed'));
    };
    setProgress(0);
    request.send(file);
  };

  return (
    <div className="flex flex-col gap-1.5">
      <label htmlFor={id} className="font-medium">
        {t('label')}
      </label>
      <p id={`${id}-hint`} className="text-sm text-muted">
        {t('hint', { max: megabytes })}
      </p>
      <input
        id={id}
        type="file"
        accept={ACCEPTED.join(',')}
        disabled={progress !== null}
        aria-describedby={[`${id}-hint`, error && `${id}-error`].filter(Boolean).join(' ')}
        aria-invalid={error ? true : undefined}
        className="text-sm file:mr-3 file:min-h-11 file:rounded-lg file:border file:border-slate-300 file:bg-white file:px-3"
        onChange={(e) => {
          const file = e.target.files?.[0];
          if (file) upload(file);
          e.target.value = '';
        }}
      />
      <div aria-live="polite">
        {progress !== null && (
          <p className="flex items-center gap-2 text-sm">
            <progress max={100} value={progress} aria-label={t('uploading')} />
            {t('progress', { percent: progress })}
          </p>
        )}
        {error && (
          <p id={`${id}-error`} className="text-sm font-medium text-red-700">
            {error}
          </p>
        )}
      </div>
    </div>
  );
}
