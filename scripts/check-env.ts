// The environment check every start-up script runs before it opens a database:
// a refusal names each bad variable and what to put there, and exits 1.
// Run with the react-server condition (server/ modules load outside Next).
import { envIssues } from '../server/platform/env';

export function exitOnBadEnvironment(what: string): void {
  const issues = envIssues(process.env, { requireDatabaseUrl: false, startUp: true });
  if (issues.length === 0) return;
  console.error(
    `${what} refused to start, before touching any database:\n${issues.map((line) => `  - ${line}`).join('\n')}\n` +
      'The variables are described in README.md, "Environment variables".',
  );
  process.exit(1);
}
