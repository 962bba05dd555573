// Database commands: tsx scripts/db/cli.ts <deploy|dev|diff|check|reset>.
// Uses DATABASE_URL when set, else the embedded PostgreSQL in .data/postgres.
import path from 'node:path';

import { ensureDatabase, redactUrl, repoRoot } from './postgres';
import { prepareDatabase } from './prepare';
import { adoptObjects, userOf } from './roles';
import { diffMigrationsToSchema, migrateDev, migrateReset, migrateResolve } from './schema-engine';

const USAGE = `Usage: tsx scripts/db/cli.ts <command>

  deploy              apply pending migrations from prisma/migrations, then the
                      reference data (consent purposes), as npm start does
  dev --name <name>   write a migration for the changes in schema.prisma and apply it
                      (--create-only: write it without applying)
  diff                print the SQL from prisma/migrations to schema.prisma
  check               exit 1 when schema.prisma and prisma/migrations disagree
  reset --force       drop everything in the database and apply all migrations again
  resolve --rolled-back <migration> | --applied <migration>
                      record a failed migration as rolled back, or a migration as applied
  adopt               give the owner role (the user of MIGRATION_DATABASE_URL) every object
                      of the database, as the superuser of ADMIN_DATABASE_URL: for a database
                      made before the role split by the bootstrap superuser
                      (docs/deployment.md, "Database roles")

Options: --schema <file> (default prisma/schema.prisma), --migrations <dir> (default prisma/migrations)

Uses DATABASE_URL (the runtime role) and MIGRATION_DATABASE_URL (the owner, which runs
them all) when set; otherwise an embedded PostgreSQL with data in .data/postgres
(port EMBEDDED_PG_PORT, default 25432).`;

function option(args: string[], name: string): string | undefined {
  const index = args.indexOf(name);
  if (index >= 0) return args[index + 1];
  return args.find((arg) => arg.startsWith(`${name}=`))?.slice(name.length + 1);
}

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

function relative(folder: string): string {
  return path.relative(repoRoot, folder);
}

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  if (command === 'adopt') return adopt();
  if (!['deploy', 'dev', 'diff', 'check', 'reset', 'resolve'].includes(command)) {
    console.error(`Unknown command "${command}".\n\n${USAGE}`);
    return 2;
  }
  const name = option(args, '--name');
  if (command === 'dev' && !name) {
    console.error('dev needs a name for the migration: npm run db:migrate:dev -- --name <what_changed>');
    return 2;
  }
  const rolledBack = option(args, '--rolled-back');
  const markApplied = option(args, '--applied');
  if (command === 'resolve' && !rolledBack === !markApplied) {
    console.error('resolve needs exactly one of --rolled-back <migration> or --applied <migration>');
    return 2;
  }
  if (command === 'reset' && !args.includes('--force')) {
    console.error(
      'reset deletes every row and table in the database. Run it again with --force if that is what you want.',
    );
    return 2;
  }

  const paths = { schemaPath: option(args, '--schema'), migrationsDir: option(args, '--migrations') };
  const started = Date.now();
  // diff and check print SQL on stdout: keep our own messages on stderr there.
  const log = command === 'diff' ? (msg: string) => console.error(msg) : (msg: string) => console.log(msg);
  // deploy writes the reference data through server/, which reads the environment.
  if (command === 'deploy') {
    const { exitOnBadEnvironment } = await import('../check-env');
    exitOnBadEnvironment('npm run db:migrate');
  }
  const db = await ensureDatabase({ log });
  if (!db.embedded) log(`using MIGRATION_DATABASE_URL or DATABASE_URL (${redactUrl(db.migrationUrl)})`);
  try {
    switch (command) {
      case 'deploy': {
        // server/ reads the database it writes the reference data to from DATABASE_URL.
        process.env.DATABASE_URL = db.databaseUrl;
        await prepareDatabase({ ...paths, migrationUrl: db.migrationUrl, runtimeUrl: db.databaseUrl, log });
        log(`done (${seconds(started)})`);
        const { getPool, prisma } = await import('../../server/platform/db');
        await prisma.$disconnect();
        await getPool()
          .end()
          .catch(() => undefined);
        return 0;
      }
      case 'dev': {
        const created = await migrateDev(db.migrationUrl, name!, {
          ...paths,
          createOnly: args.includes('--create-only'),
          log,
        });
        if (!created) {
          log(`schema.prisma matches prisma/migrations: no new migration (${seconds(started)})`);
        } else {
          log(
            `${args.includes('--create-only') ? 'created' : 'created and applied'} ${relative(created)}/migration.sql (${seconds(started)})\n` +
              `Regenerate the client if needed (npm run postinstall), and commit the migration with the schema change.`,
          );
        }
        return 0;
      }
      case 'diff': {
        const sql = await diffMigrationsToSchema(db.migrationUrl, paths);
        if (sql) console.log(sql);
        else log('schema.prisma and prisma/migrations agree: no SQL needed');
        return 0;
      }
      case 'check': {
        const sql = await diffMigrationsToSchema(db.migrationUrl, paths);
        if (!sql) {
          log(`schema.prisma and prisma/migrations agree (${seconds(started)})`);
          return 0;
        }
        console.error(
          `schema.prisma and prisma/migrations disagree; run npm run db:migrate:dev -- --name <change>\n` +
            `The migration would contain:\n\n${sql}\n`,
        );
        return 1;
      }
      case 'resolve': {
        await migrateResolve(db.migrationUrl, rolledBack ? { rolledBack } : { applied: markApplied! }, paths);
        log(rolledBack ? `recorded ${rolledBack} as rolled back` : `recorded ${markApplied} as applied`);
        return 0;
      }
      case 'reset': {
        const applied = await migrateReset(db.migrationUrl, paths);
        log(`reset the database and applied ${applied.length} migration(s) (${seconds(started)})`);
        return 0;
      }
    }
    return 2;
  } finally {
    await db.stop();
  }
}

/** The embedded database adopts by itself (ensureDatabase); an external one through this. */
async function adopt(): Promise<number> {
  const admin = process.env.ADMIN_DATABASE_URL;
  const owner = process.env.MIGRATION_DATABASE_URL;
  if (!admin || !owner) {
    console.error(
      'adopt needs ADMIN_DATABASE_URL (a superuser, on the database to adopt) and MIGRATION_DATABASE_URL (the owner role to give it to)',
    );
    return 2;
  }
  if (new URL(admin).pathname !== new URL(owner).pathname) {
    console.error('ADMIN_DATABASE_URL and MIGRATION_DATABASE_URL must name the same database');
    return 2;
  }
  await adoptObjects(admin, userOf(owner), (msg) => console.log(msg));
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    if (process.env.DEBUG && error instanceof Error) console.error(error.stack);
    process.exitCode = 1;
  },
);
