import { expect, type Locator } from '@playwright/test';

/**
 * Waits until React has hydrated the element. The react-hook-form forms (sign-in,
 * code, first name) have no action of their own: clicked before hydration, the
 * browser submits them as a GET to the same page. React marks each element it
 * owns with a `__reactProps$…` key: internal, but stable since React 16.
 */
export async function waitForHydration(locator: Locator): Promise<void> {
  await expect
    .poll(() => locator.evaluate((element) => Object.keys(element).some((key) => key.startsWith('__reactProps$'))), {
      message: 'React never hydrated the element',
    })
    .toBe(true);
}
