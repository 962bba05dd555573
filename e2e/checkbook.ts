/**
 * The checkbook example app (examples/checkbook-app) as the e2e specs run it: a
 * separate process that knows Accord only as any app of the brand does (its
 * client id and secret, its webhook secret), never its database or secrets.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

import type { CreatedApp } from '../server/apps/registry';
import { test } from './fixtures';

export type Checkbook = { process: ChildProcess; output: string[]; url: string };

/**
 * Starts it and waits for /health. `port` 0 takes a free port (the specs that
 * sign in with it run in parallel); its URL, http://localhost:<port>, is then
 * known only once it listens, so such an app's redirect URIs are set after.
 */
export async function startCheckbook(
  app: CreatedApp,
  accordURL: string,
  opts: { port: number; env?: Record<string, string> },
): Promise<Checkbook> {
  // The folder of playwright.config.ts (__dirname is not this file's: Prisma's generated client sets it globally).
  const repoRoot = path.dirname(test.info().config.configFile!);
  const child = spawn(process.execPath, [path.join(repoRoot, 'examples', 'checkbook-app', 'server.mjs')], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      ACCORD_URL: accordURL,
      CLIENT_ID: app.app.clientId,
      CLIENT_SECRET: app.clientSecret,
      // An app without webhooks still needs a well-formed secret to start; nothing is ever signed with this one.
      WEBHOOK_SECRET: app.webhookSecret ?? `whsec_${Buffer.from('no webhooks for this app').toString('base64')}`,
      PORT: String(opts.port),
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the checkbook app exited (${child.exitCode}):\n${output.join('')}`);
    const port = opts.port || Number(/^checkbook: http:\/\/127\.0\.0\.1:(\d+)/m.exec(output.join(''))?.[1] ?? 0);
    const url = `http://localhost:${port}`;
    const up =
      port > 0 &&
      (await fetch(`${url}/health`).then(
        (res) => res.ok,
        () => false,
      ));
    if (up) return { process: child, output, url };
    if (Date.now() > deadline)
      throw new Error(`the checkbook app did not answer on port ${port} within 15 s:\n${output.join('')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function stopCheckbook(checkbook: Checkbook | undefined): Promise<void> {
  const child = checkbook?.process;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 3_000))]);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}
