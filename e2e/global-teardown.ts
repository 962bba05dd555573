// After every e2e run: the app's log (E2E_APP_LOG, written by e2e/app-server.ts) holds
// no email address and none of the codes the mail sink delivered. Runs before
// Playwright stops its web servers, so the sink still answers.
import fs from 'node:fs';

const EMAIL = /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g;

export default async function globalTeardown(): Promise<void> {
  const logFile = process.env.E2E_APP_LOG;
  if (!logFile || !fs.existsSync(logFile)) throw new Error(`no app log at ${logFile}: e2e/app-server.ts did not run`);
  const lines = fs.readFileSync(logFile, 'utf8').split('\n');
  const response = await fetch(`${process.env.E2E_MAILBOX_URL}/seen`);
  if (!response.ok) throw new Error(`mail sink /seen answered ${response.status}`);
  const seen = (await response.json()) as { addresses: string[]; codes: string[] };

  const found: string[] = [];
  lines.forEach((line, index) => {
    for (const [email] of line.matchAll(EMAIL)) found.push(`line ${index + 1}: email address ${email}`);
    for (const code of seen.codes) {
      const spaced = `${code.slice(0, 3)} ${code.slice(3)}`;
      // Not inside a longer run of digits or hex (a request id's UUID can hold six digits in a row).
      if (new RegExp(`(?<![\\da-f])(?:${code}|${spaced})(?![\\da-f])`, 'i').test(line))
        found.push(`line ${index + 1}: code ${code}`);
    }
  });
  if (found.length > 0) {
    throw new Error(
      `The app's log (${logFile}) holds personal data or sign-in codes:\n${found.slice(0, 20).join('\n')}` +
        (found.length > 20 ? `\n… and ${found.length - 20} more` : ''),
    );
  }
  console.log(
    `app log checked: ${lines.length} lines, no email address, none of ${seen.codes.length} codes sent to ${seen.addresses.length} addresses`,
  );
}
