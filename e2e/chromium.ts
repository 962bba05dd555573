import { devices, type PlaywrightTestOptions } from '@playwright/test';

/**
 * The browser of every Playwright project: Desktop Chrome, driving the Chromium
 * of PLAYWRIGHT_CHROMIUM_PATH when set (Debian's, from scripts/ensure-chromium.ts)
 * with the flags that keep it off a closed network (shared/STACK.md).
 */
export function chromiumUse(): Partial<PlaywrightTestOptions> & Record<string, unknown> {
  const chromiumPath = process.env.PLAYWRIGHT_CHROMIUM_PATH || undefined;
  return {
    ...devices['Desktop Chrome'],
    launchOptions: {
      ...(chromiumPath ? { executablePath: chromiumPath } : {}),
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  };
}
