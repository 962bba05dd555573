// The app for Playwright (playwright.config.ts webServer "app"): scripts/http-server.ts
// with its stdout and stderr also written to E2E_APP_LOG, which e2e/global-teardown.ts
// searches for the email addresses and codes of the run.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const logFile = process.env.E2E_APP_LOG;
if (!logFile) throw new Error('E2E_APP_LOG is not set (playwright.config.ts sets it)');
fs.mkdirSync(path.dirname(logFile), { recursive: true });
const log = fs.createWriteStream(logFile, { flags: 'w' });

const app = spawn(process.execPath, ['--import', 'tsx', 'scripts/http-server.ts'], {
  stdio: ['ignore', 'pipe', 'pipe'],
  env: process.env,
});
app.stdout.on('data', (chunk: Buffer) => {
  log.write(chunk);
  process.stdout.write(chunk);
});
app.stderr.on('data', (chunk: Buffer) => {
  log.write(chunk);
  process.stderr.write(chunk);
});
// The server drains and exits on its own (scripts/graceful-http-server.ts); this process follows it.
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => app.kill(signal));
app.on('close', (code, signal) => log.end(() => process.exit(code ?? (signal ? 1 : 0))));
