// `npm run staff -- <command>`: the console's members from the server's shell,
// for the first administrator (docs/decisions/033-staff-console.md, section 2).
// Uses DATABASE_URL, else the embedded PostgreSQL in .data/ (started and
// stopped around the command when it was not running).
import os from 'node:os';
import { parseArgs } from 'node:util';

import { exitOnBadEnvironment } from './check-env';
import { withCliDatabase } from './db/prepare';

const USAGE = `Usage: npm run staff -- <command> [options]

  invite --email <address> --role <role,…> [--name <display name>] [--locale en|fr]
                            mails a one-time link (valid 24 hours) that enrols a passkey
                            for the console. Roles: administrator, marketer, support-agent,
                            privacy-officer. An existing member gets a new link (a lost
                            passkey) and the roles given; their name stays.
  list                      the members, their roles and status

The link is only in the mail: this command never prints it.`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    email: { type: 'string' },
    role: { type: 'string' },
    name: { type: 'string' },
    locale: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});

const [command] = positionals;

/** A refusal the operator can act on: printed without a stack, after the database is closed. */
class Refusal extends Error {}

function fail(message: string): never {
  throw new Refusal(message);
}

const FIELD_MESSAGES: Record<string, string> = {
  'email.required': '--email is required',
  'email.invalid': '--email is not an email address',
  'email.tooLong': '--email is longer than 254 characters',
  'displayName.required': '--name is empty',
  'displayName.tooLong': '--name is longer than 100 characters',
  'displayName.invalid': '--name has control characters or < >',
  'roles.required': '--role needs at least one role',
  'roles.invalid': '--role takes administrator, marketer, support-agent or privacy-officer, each once',
  'locale.invalid': '--locale is en or fr',
};

async function run(): Promise<void> {
  const members = await import('../server/staff/members');
  const actor = { type: 'cli' as const, label: `cli:${os.userInfo().username}` };

  switch (command) {
    case 'invite': {
      const email = values.email ?? fail(`invite needs --email\n\n${USAGE}`);
      const result = await members.inviteStaff(
        {
          email,
          // The address's local part until the member's page renames them.
          displayName: values.name ?? email.split('@')[0] ?? '',
          roles: (values.role ?? fail('invite needs --role')).split(',').map((r) => r.trim()),
          locale: values.locale ?? 'en',
        },
        actor,
      );
      if (!result.ok) {
        if (result.reason === 'invalid')
          fail(
            Object.values(result.fieldErrors)
              .map((key) => FIELD_MESSAGES[key] ?? key)
              .join('; '),
          );
        if (result.reason === 'disabled') fail(`${email} is disabled: enable the member in the console first`);
        fail('that would leave no active administrator');
      }
      const where = {
        sent: 'handed to the mail server',
        queued: 'queued: the mail server did not answer, npm run worker retries it',
        'dev-mailbox': 'kept in the development mailbox (/dev/mailbox): SMTP_URL is not set',
      }[result.mail];
      console.log(`${result.created ? 'Invited' : 'Invited again'}: ${email.trim().toLowerCase()}`);
      console.log(`  the invitation mail was ${where}`);
      console.log(`  its link works once, until ${result.expiresAt.toISOString()}`);
      return;
    }
    case 'list': {
      const all = await members.listStaff();
      if (all.length === 0) console.log('No staff member yet: npm run staff -- invite --help');
      for (const m of all) {
        const lastSignIn = m.lastSignInAt ? `last sign-in ${m.lastSignInAt.toISOString()}` : 'never signed in';
        console.log(`${m.displayName} <${m.email}>  ${m.roles.join(',')}  [${m.status}]  ${lastSignIn}`);
      }
      return;
    }
  }
}

if (values.help || !command) {
  console.log(USAGE);
  process.exit(0);
}
if (command !== 'invite' && command !== 'list') {
  console.error(`staff: unknown command ${command}\n\n${USAGE}`);
  process.exit(1);
}

// It sends mail and writes the audit trail: the same environment as the app.
exitOnBadEnvironment('npm run staff');
await withCliDatabase(async () => {
  try {
    await run();
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    console.error(`staff: ${error.message}`);
    process.exitCode = 1;
  }
});
