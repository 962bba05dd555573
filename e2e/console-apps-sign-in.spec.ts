/**
 * Apps' sign-in settings in the console (issue 17 item 5): registering an
 * OpenID client with the new-app form, and changing its settings on its page;
 * wrong values are refused with the field's own message; axe finds nothing serious.
 */
import { randomBytes } from 'node:crypto';

import { prisma } from '../server/platform/db';
import { expect, test, waitForHydration } from './fixtures';
import { seriousViolations } from './helpers';

test.describe('sign-in settings of apps in the console', () => {
  test.beforeEach(() => test.slow());

  test('an administrator registers an app that signs customers in, then changes its redirect URIs', async ({
    staffPage,
  }) => {
    const { page } = await staffPage(['administrator']);
    const name = `e2e-sso-${randomBytes(4).toString('hex')}`;
    await page.goto('/console/apps/new');
    await waitForHydration(page.getByLabel('Name', { exact: true }));
    await page.getByLabel('Name', { exact: true }).fill(name);
    await page.getByLabel('Name for Terms of use and privacy notice').check();
    await page.getByLabel('Email for Terms of use and privacy notice').check();
    const signIn = page.getByRole('group', { name: 'Sign-in with the portal (optional)' });
    await signIn.getByLabel('Redirect URIs').fill('https://shop.example.com/cb#frag');
    const permissions = signIn.getByRole('group', { name: 'Sign-in permissions' });
    await permissions.getByLabel('openid', { exact: true }).check();
    await permissions.getByLabel('profile', { exact: true }).check();
    await signIn.getByRole('group', { name: 'Claims it needs' }).getByLabel('given_name').check();
    await signIn
      .getByRole('group', { name: 'Claims the customer may refuse' })
      .getByLabel('email', { exact: true })
      .check();
    await signIn.getByRole('radio', { name: /^Public/ }).check();
    expect(await seriousViolations(page)).toEqual([]);

    // The browser's own check: a fragment, and an email claim without the email scope.
    await page.getByRole('button', { name: 'Register the app' }).click();
    await expect(signIn.getByLabel('Redirect URIs')).toHaveAccessibleDescription(/cannot hold a fragment/);
    await expect(signIn.getByRole('group', { name: 'Claims the customer may refuse' })).toHaveAccessibleDescription(
      /needs its scope/,
    );
    expect(await prisma.app.count({ where: { name } })).toBe(0);

    await signIn.getByLabel('Redirect URIs').fill('https://shop.example.com/cb\nhttp://localhost:4300/cb');
    await permissions.getByLabel('email', { exact: true }).check();
    await page.getByRole('button', { name: 'Register the app' }).click();
    const created = page.getByRole('dialog', { name: 'App registered' });
    await expect(created).toBeVisible();
    const clientId = await created.getByRole('textbox', { name: 'Client id' }).inputValue();
    expect(await prisma.app.findUniqueOrThrow({ where: { name } })).toMatchObject({
      redirectUris: ['https://shop.example.com/cb', 'http://localhost:4300/cb'],
      clientType: 'public',
      oidcScopes: ['openid', 'profile', 'email'],
      requiredClaims: ['given_name'],
      optionalClaims: ['email'],
      backchannelLogoutUri: null,
    });
    await created.getByRole('button').last().click();
    await expect(page).toHaveURL(new RegExp(`/console/apps/${clientId}$`));

    // Its page shows the settings and changes them.
    await expect(page.getByText('https://shop.example.com/cb http://localhost:4300/cb')).toBeVisible();
    const form = page.getByRole('form', { name: 'Sign-in settings' });
    const uris = form.getByLabel('Redirect URIs');
    await waitForHydration(uris);
    await expect(uris).toHaveValue('https://shop.example.com/cb\nhttp://localhost:4300/cb');
    await uris.fill('http://shop.example.com/cb');
    await form.getByRole('button', { name: 'Save the sign-in settings' }).click();
    await expect(uris).toHaveAccessibleDescription(/Use https redirect URIs/);
    await uris.fill('https://shop.example.com/auth/callback');
    await form.getByLabel('Back-channel logout URL (optional)').fill('https://shop.example.com/logout');
    await form.getByRole('button', { name: 'Save the sign-in settings' }).click();
    await expect(form.getByRole('status')).toHaveText(/Sign-in settings saved/);
    expect(await seriousViolations(page)).toEqual([]);
    expect(await prisma.app.findUniqueOrThrow({ where: { name } })).toMatchObject({
      redirectUris: ['https://shop.example.com/auth/callback'],
      backchannelLogoutUri: 'https://shop.example.com/logout',
      optionalClaims: ['email'],
    });
    expect(await prisma.auditLog.count({ where: { action: 'app.sign-in.update', objectId: clientId } })).toBe(1);
    await prisma.app.delete({ where: { name } });
  });
});
