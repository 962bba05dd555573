// `npm run oidc -- <command>`: the OpenID provider's signing keys.
// Uses DATABASE_URL, else the embedded PostgreSQL in .data/ (started and
// stopped around the command when it was not running).
// docs/oidc.md, docs/decisions/037-openid-provider.md
import { withCliDatabase } from './db/prepare';

const USAGE = `Usage: npm run oidc -- <command>

  list-keys     the signing keys: kid, algorithm, created, retired, and whether the
                JWKS still publishes it (the newest unretired key signs)
  rotate-keys   a new signing key; the current one is retired but stays in the JWKS
                until the tokens it signed have expired. Running instances sign with
                the new key from their next start: restart them (a rolling restart
                is enough, every instance publishes both keys).`;

const [command] = process.argv.slice(2);

async function run(): Promise<void> {
  const keys = await import('../server/oidc/keys');
  switch (command) {
    case 'list-keys': {
      const all = await keys.listSigningKeys();
      if (all.length === 0) console.log('No signing key yet: the first start of the app creates one.');
      for (const key of all)
        console.log(
          [
            key.kid,
            key.alg,
            `created ${key.createdAt.toISOString()}`,
            key.retiredAt ? `retired ${key.retiredAt.toISOString()}` : 'signing',
            key.active ? 'published' : 'expired',
          ].join('  '),
        );
      return;
    }
    case 'rotate-keys': {
      const { kid, retired, deleted } = await keys.rotateSigningKeys();
      console.log(`New signing key ${kid}.`);
      if (retired.length) console.log(`Retired (still published for verification): ${retired.join(', ')}.`);
      if (deleted) console.log(`Deleted ${deleted} key(s) retired long enough ago.`);
      console.log('Restart the app instances so that they sign with the new key.');
      return;
    }
    default:
      console.log(USAGE);
      process.exitCode = command && !['help', '--help', '-h'].includes(command) ? 2 : 0;
  }
}

await withCliDatabase(run);
