import { describe, expect, it } from 'vitest';

import { brand } from '@/lib/brand';

// WCAG 2.2 relative luminance and contrast ratio (https://www.w3.org/TR/WCAG22/#dfn-contrast-ratio).
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5]
    .map((i) => parseInt(hex.slice(i, i + 2), 16) / 255)
    .map((c) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}
function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

describe('brand colours (WCAG 2.2 AA, 4.5:1 for text)', () => {
  it.each([
    ['button text on primary', brand.colors.onPrimary, brand.colors.primary],
    ['body text on background', brand.colors.text, brand.colors.background],
    ['muted text on background', brand.colors.muted, brand.colors.background],
    ['muted text on white cards', brand.colors.muted, '#ffffff'],
    ['links (primary) on white cards', brand.colors.primary, '#ffffff'],
  ])('%s', (_name, fg, bg) => {
    expect(contrast(fg, bg)).toBeGreaterThanOrEqual(4.5);
  });
});
