/**
 * Find a Chromium that Playwright can drive, installing one if there is none.
 *
 *   npx tsx scripts/ensure-chromium.ts        # prints the executable path on stdout
 *   import { ensureChromium } from './scripts/ensure-chromium';
 *
 * Order: $CHROMIUM_PATH; /usr/bin/chromium; /usr/bin/chromium-browser; Playwright's own
 * Chromium if already downloaded. If none: as root with apt-get, `apt-get update` and
 * `apt-get install -y chromium` (Debian's package; Playwright's download host is not
 * reachable on the project's machines); otherwise `npx playwright install chromium`.
 *
 * Drive Debian's Chromium with the flags in playwright.config.ts (--no-sandbox,
 * --disable-gpu and the networking ones).
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { chromium } from '@playwright/test';

type Log = (message: string) => void;

const SYSTEM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];
const APT_GET = '/usr/bin/apt-get';

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function playwrightChromium(): string | null {
  try {
    const path = chromium.executablePath();
    return path && isExecutable(path) ? path : null;
  } catch {
    return null;
  }
}

function findChromium(log: Log): string | null {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) {
    if (isExecutable(fromEnv)) return fromEnv;
    log(`CHROMIUM_PATH=${fromEnv} is not an executable file: looking elsewhere`);
  }
  for (const path of SYSTEM_CANDIDATES) if (isExecutable(path)) return path;
  return playwrightChromium();
}

/** Run a command, its output sent to our stderr so that a CLI's stdout stays the path alone. */
function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', process.stderr, process.stderr], env });
    child.once('error', (error) => reject(new Error(`${command} ${args.join(' ')}: ${error.message}`)));
    child.once('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${command} ${args.join(' ')} exited with ${signal ?? `code ${code}`}`));
    });
  });
}

function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(1)} s`;
}

export async function ensureChromium(log: Log = console.log): Promise<string> {
  const found = findChromium(log);
  if (found) return found;

  const failures: string[] = [];
  const isRoot = process.getuid?.() === 0;
  if (isRoot && isExecutable(APT_GET)) {
    log("No Chromium found: installing Debian's chromium package");
    const started = performance.now();
    try {
      const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
      await run(APT_GET, ['update'], env);
      await run(APT_GET, ['install', '-y', 'chromium'], env);
      log(`apt-get installed chromium in ${seconds(started)}`);
    } catch (error) {
      failures.push(`apt-get: ${error instanceof Error ? error.message : String(error)}`);
      log(`Installing Debian's chromium failed after ${seconds(started)}`);
    }
    const afterApt = findChromium(log);
    if (afterApt) return afterApt;
    if (failures.length === 0) failures.push('apt-get install chromium succeeded but no chromium executable appeared');
    log('Running `npx playwright install chromium` instead');
  } else {
    log(
      `No Chromium found: running \`npx playwright install chromium\` (${
        isRoot ? 'no apt-get on this machine' : 'not root, so no apt-get install'
      })`,
    );
  }

  const started = performance.now();
  try {
    await run('npx', ['playwright', 'install', 'chromium']);
    log(`npx playwright install chromium finished in ${seconds(started)}`);
  } catch (error) {
    failures.push(`npx playwright install chromium: ${error instanceof Error ? error.message : String(error)}`);
  }
  const afterPlaywright = playwrightChromium();
  if (afterPlaywright) return afterPlaywright;

  throw new Error(
    [
      'No Chromium for the end-to-end tests, and installing one failed.',
      `Looked at: ${['$CHROMIUM_PATH', ...SYSTEM_CANDIDATES, "Playwright's own chromium"].join(', ')}.`,
      ...failures.map((failure) => `- ${failure}`),
      'Install one by hand (Debian: `apt-get install -y chromium`) or set CHROMIUM_PATH to its executable.',
    ].join('\n'),
  );
}

function isMain(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  try {
    // Progress on stderr, the path alone on stdout: `CHROMIUM=$(npx tsx scripts/ensure-chromium.ts)`.
    const path = await ensureChromium((message) => console.error(message));
    console.log(path);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}
