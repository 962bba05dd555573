import compile from 'icu-minify/compile';
import { createElement, isValidElement, type ReactElement, type ReactNode } from 'react';
import { describe, expect, it } from 'vitest';

import { createTranslator } from '@/lib/i18n/translate';
import en from '@/messages/en.json';
import fr from '@/messages/fr.json';

// The catalogues as the browser gets them: compiled at build time by
// next-intl's plugin (next.config.mjs `precompile`), one message at a time.
function compiled(node: unknown): unknown {
  if (typeof node === 'string') return compile(node);
  return Object.fromEntries(Object.entries(node as Record<string, unknown>).map(([k, v]) => [k, compiled(v)]));
}
const catalogue = (messages: object, locale: string) => ({
  locale,
  timeZone: 'Europe/Paris',
  messages: compiled(messages) as Record<string, unknown>,
});
const EN = catalogue(en, 'en');
const FR = catalogue(fr, 'fr');

describe('the client translator (lib/i18n/translate.ts)', () => {
  it('gives the message of a key in its namespace, in each language', () => {
    expect(createTranslator(EN, 'signIn')('emailLabel')).toBe('Email');
    expect(createTranslator(FR, 'signIn')('emailLabel')).toBe('Adresse e-mail');
    expect(createTranslator(FR)('signIn.emailLabel')).toBe('Adresse e-mail');
    expect(createTranslator(EN, 'oidc.link')('codeLabel')).toBe(en.oidc.link.codeLabel);
  });

  it('fills in arguments and chooses plural forms by the locale', () => {
    const t = createTranslator(EN, 'code');
    expect(t('wrong', { attemptsLeft: 1 })).toBe("That code isn't right. 1 attempt left.");
    expect(t('wrong', { attemptsLeft: 3 })).toBe("That code isn't right. 3 attempts left.");
    const tf = createTranslator(FR, 'common');
    expect(tf('rateLimited', { minutes: 1 })).toMatch(/1 minute\b/);
    expect(tf('rateLimited', { minutes: 5 })).toMatch(/5 minutes/);
    expect(createTranslator(EN, 'privacy')('grantedNow', { title: 'Newsletter' })).toBe(
      'Newsletter: allowed from now on.',
    );
  });

  it('renders rich text with the elements the tags return, each with a key', () => {
    const t = createTranslator(EN, 'oidc.link');
    const result = t.rich('codeSent', {
      email: 'ada@example.test',
      strong: (chunks: ReactNode[]) => createElement('strong', null, ...chunks),
    }) as ReactNode[];
    expect(Array.isArray(result)).toBe(true);
    const strong = result.find(isValidElement) as ReactElement<{ children: ReactNode }>;
    expect(strong.type).toBe('strong');
    expect(strong.key).toBe('strong0');
    expect(strong.props.children).toBe('ada@example.test');
    expect(result.filter((part) => typeof part === 'string').join('')).toMatch(/^We sent a 6-digit code to \. /);
  });

  it('says which keys exist, and shows the full key of a missing one (as next-intl does)', () => {
    const t = createTranslator(EN);
    expect(t.has('validation.email.invalid')).toBe(true);
    expect(t.has('validation.email')).toBe(false);
    expect(t.has('validation.nope')).toBe(false);
    expect(createTranslator(EN, 'signIn')('nope')).toBe('signIn.nope');
  });
});
