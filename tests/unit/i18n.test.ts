import { describe, expect, it } from 'vitest';

import { negotiateLocale } from '@/lib/i18n/negotiate';
import en from '@/messages/en.json';
import fr from '@/messages/fr.json';

function keys(obj: object, prefix = ''): string[] {
  return Object.entries(obj).flatMap(([k, v]) =>
    typeof v === 'object' && v ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`],
  );
}

describe('message catalogues', () => {
  it('have the same keys in French and English', () => {
    expect(keys(fr).sort()).toEqual(keys(en).sort());
  });
  it('label the email field as the product requires', () => {
    expect(en.signIn.emailLabel).toBe('Email');
    expect(fr.signIn.emailLabel).toBe('Adresse e-mail');
    expect(en.welcome.firstNameLabel).toBe('First name');
    expect(fr.welcome.firstNameLabel).toBe('Prénom');
    expect(en.code.codeLabel).toBe('Code');
  });
});

describe('negotiateLocale', () => {
  it('prefers the saved choice', () => {
    expect(negotiateLocale('fr', 'en-US,en;q=0.9')).toBe('fr');
  });
  it('follows Accept-Language, regional variants included', () => {
    expect(negotiateLocale(undefined, 'fr-CA,fr;q=0.9,en;q=0.5')).toBe('fr');
    expect(negotiateLocale(undefined, 'fr-BE')).toBe('fr');
    expect(negotiateLocale(undefined, 'de-DE,en;q=0.3')).toBe('en');
  });
  it('falls back to English on nothing or nonsense', () => {
    expect(negotiateLocale(undefined, null)).toBe('en');
    expect(negotiateLocale('xx', ';;;')).toBe('en');
  });
});
