import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

import { devices, type PlaywrightTestOptions, type VideoMode } from '@playwright/test';

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

/**
 * 'retain-on-failure' when Playwright's ffmpeg is installed (`npx playwright install
 * ffmpeg`, part of `npx playwright install`), else 'off': Playwright records video with its
 * own ffmpeg build only, and without it every page fails to open. Machines that cannot
 * download it (this project's CI) still get traces and screenshots.
 */
export function videoOnFailure(): VideoMode {
  const require = createRequire(import.meta.url);
  const core = path.dirname(require.resolve('playwright-core/package.json'));
  const { browsers } = JSON.parse(readFileSync(path.join(core, 'browsers.json'), 'utf8')) as {
    browsers: { name: string; revision: string }[];
  };
  const revision = browsers.find((browser) => browser.name === 'ffmpeg')?.revision;
  const cache =
    process.env.PLAYWRIGHT_BROWSERS_PATH ||
    (process.platform === 'darwin'
      ? path.join(os.homedir(), 'Library', 'Caches', 'ms-playwright')
      : process.platform === 'win32'
        ? path.join(process.env.LOCALAPPDATA ?? os.homedir(), 'ms-playwright')
        : path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'ms-playwright'));
  const binary = { darwin: 'ffmpeg-mac', win32: 'ffmpeg-win64.exe' }[process.platform as string] ?? 'ffmpeg-linux';
  return revision && existsSync(path.join(cache, `ffmpeg-${revision}`, binary)) ? 'retain-on-failure' : 'off';
}
