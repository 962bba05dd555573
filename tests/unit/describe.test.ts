import { createTranslator } from 'use-intl/core';
import { describe, expect, it } from 'vitest';

import { countryNames, describeLeaf, describeRule, type DescribeContext } from '@/lib/personalization/describe';
import en from '@/messages/en.json';
import fr from '@/messages/fr.json';
import { CATEGORIES, STORES } from '@/server/personalization/reference';

function context(locale: 'en' | 'fr'): DescribeContext {
  const t = createTranslator({ locale, messages: locale === 'en' ? en : fr, namespace: 'personalization.describe' });
  return {
    t: (key, values) => (t as unknown as (k: string, v?: Record<string, string | number>) => string)(key, values),
    categoryLabel: (key) => CATEGORIES.find((c) => c.key === key)?.[locale] ?? key,
    storeLabel: (key) => STORES.find((s) => s.key === key)?.name ?? key,
    segmentName: (key) => (key === 'runners' ? 'Runners' : key),
    countryLabel: countryNames(locale),
  };
}
const EN = context('en');
const FR = context('fr');
const leaf = (path: string, operator: string, value: unknown) => ({ pointer: '', path, operator, value });
const both = (l: ReturnType<typeof leaf>) => [describeLeaf(l, EN), describeLeaf(l, FR)];

describe('describeLeaf', () => {
  it('says interests in both languages, any, none and all', () => {
    expect(both(leaf('interests', '$in', ['running']))).toEqual([
      'you are interested in Running',
      "vos centres d'intérêt incluent Course à pied",
    ]);
    expect(both(leaf('interests', '$in', ['running', 'cycling', 'yoga']))).toEqual([
      'you are interested in Running, Cycling or Yoga',
      "vos centres d'intérêt incluent Course à pied, Vélo ou Yoga",
    ]);
    expect(both(leaf('interests', '$all', ['running', 'cycling']))).toEqual([
      'you are interested in Running and Cycling',
      "vos centres d'intérêt incluent Course à pied et Vélo",
    ]);
    expect(both(leaf('interests', '$nin', ['hiking']))).toEqual([
      'you are not interested in Hiking',
      "vos centres d'intérêt n'incluent pas Randonnée",
    ]);
  });

  it('says every signal kind with its window', () => {
    expect(both(leaf('signals.cartAdded.d7', '$in', ['running']))).toEqual([
      'you added Running to your cart in the last 7 days',
      'vous avez ajouté Course à pied à votre panier au cours des 7 derniers jours',
    ]);
    expect(both(leaf('signals.viewed.d1', '$in', ['yoga']))).toEqual([
      'you looked at Yoga in the last 24 hours',
      'vous avez consulté Yoga au cours des dernières 24 heures',
    ]);
    expect(both(leaf('signals.purchased.d90', '$nin', ['running']))).toEqual([
      'you did not buy Running in the last 90 days',
      "vous n'avez pas acheté Course à pied au cours des 90 derniers jours",
    ]);
    expect(both(leaf('signals.inCart.d30', '$all', ['running', 'trail']))).toEqual([
      'you still have Running and Trail running in your cart, added in the last 30 days',
      'votre panier contient encore Course à pied et Trail, ajouté au cours des 30 derniers jours',
    ]);
  });

  it('says the scalar attributes: favourite store, sizes, locale, country', () => {
    expect(both(leaf('favouriteStore', '$eq', 'paris-rivoli'))).toEqual([
      'your favourite store is Paris Rivoli',
      'votre magasin préféré est Paris Rivoli',
    ]);
    expect(both(leaf('favouriteStore', '$nin', ['paris-rivoli', 'lyon-part-dieu']))).toEqual([
      'your favourite store is not Paris Rivoli or Lyon Part-Dieu',
      "votre magasin préféré n'est pas Paris Rivoli ou Lyon Part-Dieu",
    ]);
    expect(both(leaf('favouriteStore', '$exists', false))).toEqual([
      'you have not chosen a favourite store',
      "vous n'avez pas choisi de magasin préféré",
    ]);
    expect(both(leaf('sizes.clothing', '$ne', 'M'))).toEqual([
      'your clothing size is not M',
      "votre taille de vêtements n'est pas M",
    ]);
    expect(both(leaf('sizes.shoes', '$in', ['42', '43']))).toEqual([
      'your shoe size is 42 or 43',
      'votre pointure est 42 ou 43',
    ]);
    expect(both(leaf('locale', '$eq', 'fr'))).toEqual([
      "your account's language is French",
      'la langue de votre compte est le français',
    ]);
    expect(both(leaf('country', '$eq', 'BE'))).toEqual(['you live in Belgium', 'votre pays de résidence : Belgique']);
    expect(both(leaf('country', '$exists', true))).toEqual([
      'you gave a home address',
      'vous avez indiqué une adresse principale',
    ]);
  });

  it('says the account age and the channels', () => {
    expect(both(leaf('memberDays', '$gte', 30))).toEqual([
      'you have been a member for at least 30 days',
      'vous êtes membre depuis au moins 30 jours',
    ]);
    expect(both(leaf('memberDays', '$lt', 1))).toEqual([
      'you have been a member for less than 1 day',
      'vous êtes membre depuis moins de 1 jour',
    ]);
    expect(both(leaf('channels', '$in', ['email', 'sms']))).toEqual([
      'you chose to hear from us by email or SMS',
      "vous avez choisi d'être contacté par e-mail ou SMS",
    ]);
  });

  it('names an attribute or an operator it does not know instead of failing', () => {
    expect(describeLeaf(leaf('country', '$eq', 'not a code'), EN)).toBe('you live in not a code');
    expect(describeLeaf(leaf('email', '$eq', 'x'), EN)).toBe('a condition this version no longer knows (email)');
    expect(describeLeaf(leaf('interests', '$regex', 'x'), FR)).toBe(
      'une condition que cette version ne connaît plus (interests)',
    );
  });

  it('covers every attribute of the catalogue with every allowed operator in both languages', async () => {
    const { ATTRIBUTES, OPERATORS } = await import('@/lib/personalization/catalogue');
    for (const [path, spec] of Object.entries(ATTRIBUTES)) {
      for (const operator of OPERATORS[spec.kind]) {
        const sample = { locale: 'fr', country: 'FR', store: 'paris-rivoli', category: 'running', channel: 'sms' }[
          spec.values as string
        ];
        const value = spec.kind === 'number' ? 7 : operator === '$exists' ? true : [sample ?? 'M'];
        for (const ctx of [EN, FR]) {
          const text = describeLeaf(leaf(path, operator, value), ctx);
          expect(text, `${path} ${operator}`).not.toMatch(/personalization\.|no longer knows|ne connaît plus|\{/);
        }
      }
    }
  });
});

describe('describeRule', () => {
  it('gives the acceptance rule as one "any" group', () => {
    const rule = { $or: [{ interests: { $in: ['running'] } }, { 'signals.inCart.d7': { $in: ['running'] } }] };
    expect(describeRule(rule, EN)).toEqual({
      kind: 'any',
      children: [
        { kind: 'condition', text: 'you are interested in Running' },
        { kind: 'condition', text: 'you still have Running in your cart, added in the last 7 days' },
      ],
    });
  });

  it('puts side-by-side conditions, $and and several operators of one path in one "all"', () => {
    const rule = {
      'signals.cartAdded.d7': { $in: ['running'] },
      $and: [{ memberDays: { $gt: 3, $lte: 10 } }],
      $nor: [{ favouriteStore: 'paris-rivoli' }],
      $not: { $savedGroup: { id: 'runners' } },
    };
    expect(describeRule(rule, FR)).toEqual({
      kind: 'all',
      children: [
        {
          kind: 'condition',
          text: 'vous avez ajouté Course à pied à votre panier au cours des 7 derniers jours',
        },
        { kind: 'condition', text: 'vous êtes membre depuis plus de 3 jours' },
        { kind: 'condition', text: 'vous êtes membre depuis au plus 10 jours' },
        {
          kind: 'none',
          children: [{ kind: 'condition', text: 'votre magasin préféré est Paris Rivoli' }],
        },
        {
          kind: 'none',
          children: [{ kind: 'condition', text: "vous faites partie de l'audience « Runners »" }],
        },
      ],
    });
  });

  it('gives one condition as itself and the generic rule as an empty "all"', () => {
    expect(describeRule({ interests: { $in: ['yoga'] } }, EN)).toEqual({
      kind: 'condition',
      text: 'you are interested in Yoga',
    });
    expect(describeRule({}, EN)).toEqual({ kind: 'all', children: [] });
  });
});
