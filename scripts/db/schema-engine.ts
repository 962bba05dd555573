// Prisma migrations without Prisma's native schema-engine binary, which cannot be
// downloaded here: the same engine compiled to WebAssembly, talking to PostgreSQL
// through @prisma/adapter-pg. It reads and writes the ordinary prisma/migrations
// folder and _prisma_migrations table, so `prisma migrate` stays compatible.
// Why and what it works around: docs/decisions/002-migrations-on-the-wasm-schema-engine.md.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

import { PrismaPg } from '@prisma/adapter-pg';
import { bindMigrationAwareSqlAdapterFactory, ColumnTypeEnum } from '@prisma/driver-adapter-utils';
import * as wasmBindings from '@prisma/schema-engine-wasm/schema_engine_bg';
import type {
  MigrationList,
  SchemaEngine,
  SchemaFilter,
  SchemasContainer,
} from '@prisma/schema-engine-wasm/schema_engine_bg';
import pg from 'pg';

import { createDatabase, dropDatabase, repoRoot } from './postgres';

export type MigrationPaths = {
  /** Defaults to prisma/schema.prisma. */
  schemaPath?: string;
  /** Defaults to prisma/migrations. */
  migrationsDir?: string;
};

const LOCKFILE = 'migration_lock.toml';
const MIGRATION_FILE = 'migration.sql';
const NO_FILTER: SchemaFilter = { externalTables: [], externalEnums: [] };

function resolvePaths(paths: MigrationPaths = {}) {
  return {
    schemaPath: path.resolve(paths.schemaPath ?? path.join(repoRoot, 'prisma', 'schema.prisma')),
    migrationsDir: path.resolve(paths.migrationsDir ?? path.join(repoRoot, 'prisma', 'migrations')),
  };
}

// ---------------------------------------------------------------------------
// Loading the WebAssembly module. The package's main entry imports the .wasm
// file as an ES module, which Node cannot do: instantiate it by hand, as the
// generated glue expects (imports under "./schema_engine_bg.js").

let wasmReady: Promise<void> | undefined;

// The engine arms timeouts it never clears (the glue has no clearTimeout), which
// would keep the process alive for ~10 s after the work is done. They are
// tracked here and cleared once no engine is open any more.
const engineTimers = new Set<NodeJS.Timeout>();
let openEngines = 0;

function engineSetTimeout(callback: () => void, ms: number): NodeJS.Timeout {
  const timer = setTimeout(() => {
    engineTimers.delete(timer);
    callback();
  }, ms >>> 0);
  engineTimers.add(timer);
  return timer;
}

// Where the glue reports a Rust panic, just before the wasm traps. The trap
// surfaces as an uncaught "RuntimeError: unreachable" and the engine's promise
// never settles: print the real reason, fail the operations in flight, and load
// a fresh instance next time.
const inFlight = new Set<(error: Error) => void>();
const panicRegistry = globalThis as { PRISMA_WASM_PANIC_REGISTRY?: { set_message(message: string): void } };
panicRegistry.PRISMA_WASM_PANIC_REGISTRY ??= {
  set_message(message: string) {
    console.error(`Prisma's schema engine crashed: ${message}`);
    wasmReady = undefined;
    for (const fail of inFlight) fail(new Error(`Prisma's schema engine crashed: ${message}`));
  },
};

function loadWasm(): Promise<void> {
  wasmReady ??= (async () => {
    const require = createRequire(import.meta.url);
    const dir = path.dirname(require.resolve('@prisma/schema-engine-wasm'));
    const bytes = await fs.readFile(path.join(dir, 'schema_engine_bg.wasm'));
    const imports: Record<string, unknown> = { ...wasmBindings };
    const setTimeoutImport = Object.keys(imports).find((key) => key.startsWith('__wbg_setTimeout_'));
    if (setTimeoutImport) imports[setTimeoutImport] = engineSetTimeout;
    const { instance } = await WebAssembly.instantiate(bytes, {
      './schema_engine_bg.js': imports as WebAssembly.ModuleImports,
    });
    wasmBindings.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
  })();
  return wasmReady;
}

// ---------------------------------------------------------------------------
// The driver adapter, with the faults of @prisma/adapter-pg 7.10.1 worked around.

/** The connection fields pg needs, read from a postgresql:// URL. */
function pgConfig(databaseUrl: string): pg.PoolConfig & { schema?: string } {
  const url = new URL(databaseUrl);
  if (url.protocol !== 'postgresql:' && url.protocol !== 'postgres:') {
    throw new Error(`Expected a postgresql:// URL, got ${url.protocol}//…`);
  }
  const params = url.searchParams;
  const sslmode = params.get('sslmode');
  const schema = params.get('schema') ?? undefined;
  return {
    // A Unix socket folder may be given as ?host=/var/run/postgresql.
    host: params.get('host') ?? (url.hostname.replace(/^\[|\]$/g, '') || 'localhost'),
    port: url.port ? Number(url.port) : 5432,
    user: decodeURIComponent(url.username) || undefined,
    password: decodeURIComponent(url.password) || undefined,
    database: decodeURIComponent(url.pathname.slice(1)) || undefined,
    // pg cannot fall back to plain connections: "prefer" and "allow" mean none.
    ssl:
      sslmode === 'require' || sslmode === 'no-verify'
        ? { rejectUnauthorized: false }
        : sslmode === 'verify-ca' || sslmode === 'verify-full'
          ? {}
          : undefined,
    options: schema ? `-c search_path=${schema}` : undefined,
    schema,
  };
}

type Fixable = { fields?: { dataTypeID: number }[]; rows?: unknown[] };

/** Result rows (by identity) → indexes of their "char" columns, for connectAdapter. */
const charColumnsByRows = new WeakMap<object, number[]>();

/**
 * Fault 1: adapter-pg cannot deserialize PostgreSQL's internal "char" type
 * (OID 18), which the engine's catalog queries return (pg_constraint.contype,
 * pg_class.relkind …), and throws. Here such fields pass as text (OID 25), and
 * connectAdapter then types those columns as Character, which is what the
 * native engine sees and what the engine's describer expects: as Text, its
 * constraint query panics on any row (always on PostgreSQL 18, whose NOT NULL
 * constraints are pg_constraint rows; https://github.com/prisma/orm/issues/29635).
 */
function markCharColumns<T>(result: T): T {
  for (const one of Array.isArray(result) ? (result as Fixable[]) : [result as Fixable]) {
    const indexes: number[] = [];
    one?.fields?.forEach((field, index) => {
      if (field.dataTypeID === 18) {
        field.dataTypeID = 25;
        indexes.push(index);
      }
    });
    if (indexes.length > 0 && one.rows) charColumnsByRows.set(one.rows, indexes);
  }
  return result;
}

class CatalogFriendlyClient extends pg.Client {
  // pg.Client#query is heavily overloaded; this passes every form through.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override query(...args: any[]): any {
    const last = args.at(-1);
    if (typeof last === 'function') {
      args[args.length - 1] = (error: unknown, result: unknown) =>
        last(error, error ? result : markCharColumns(result));
      return (super.query as (...a: unknown[]) => unknown)(...args);
    }
    const returned = (super.query as (...a: unknown[]) => unknown)(...args);
    return returned instanceof Promise ? returned.then(markCharColumns) : returned;
  }
}

type Adapter = Awaited<ReturnType<PrismaPg['connect']>>;

/**
 * Connect through adapter-pg, with these changes:
 * - "char" columns are typed Character (see markCharColumns);
 * - executeScript sends the script as one simple query, the way the native
 *   engine does, instead of splitting it on every ";" (which breaks DO $$ … $$
 *   blocks and string literals, and would commit a failed migration half-way);
 * - dispose may be called more than once.
 */
async function connectAdapter(config: ReturnType<typeof pgConfig>): Promise<Adapter> {
  const { schema, ...poolConfig } = config;
  const factory = new PrismaPg({ ...poolConfig, Client: CatalogFriendlyClient }, schema ? { schema } : undefined);
  const adapter = await factory.connect();
  const queryRaw = adapter.queryRaw.bind(adapter);
  adapter.queryRaw = async (query) => {
    const result = await queryRaw(query);
    for (const index of charColumnsByRows.get(result.rows) ?? []) result.columnTypes[index] = ColumnTypeEnum.Character;
    return result;
  };
  const pool = adapter.underlyingDriver() as pg.Pool;
  const onError = (adapter as unknown as { onError(error: unknown): never }).onError.bind(adapter);
  adapter.executeScript = async (script: string) => {
    try {
      await pool.query(script);
    } catch (error) {
      onError(error);
    }
  };
  const dispose = adapter.dispose.bind(adapter);
  let disposed: Promise<void> | undefined;
  adapter.dispose = () => (disposed ??= dispose());
  return adapter;
}

type EngineSession = {
  engine: SchemaEngine;
  /** Close every pool and drop any shadow database left behind. */
  close(): Promise<void>;
};

async function openEngine(databaseUrl: string, schema: SchemasContainer | undefined): Promise<EngineSession> {
  const config = pgConfig(databaseUrl);
  await loadWasm();
  openEngines++;
  const adapters = new Set<Adapter>();
  const shadows = new Set<string>();

  const factory = {
    provider: 'postgres' as const,
    adapterName: '@prisma/adapter-pg',
    async connect() {
      const adapter = await connectAdapter(config);
      adapters.add(adapter);
      return adapter;
    },
    /**
     * Faults 2 and 3: adapter-pg's own shadow connection spreads
     * {...config, database}, but a connectionString wins in pg, so its "shadow"
     * is the main database; and it drops the shadow database while its own pool
     * is still connected. Here the fields are separate, and the shadow database
     * is dropped (WITH FORCE) only after its pool has closed.
     */
    async connectToShadowDb() {
      const name = `accord_shadow_${randomUUID().replaceAll('-', '')}`;
      await createDatabase(databaseUrl, name);
      shadows.add(name);
      const adapter = await connectAdapter({ ...config, database: name });
      adapters.add(adapter);
      const closePool = adapter.dispose;
      let disposed: Promise<void> | undefined;
      adapter.dispose = () =>
        (disposed ??= (async () => {
          await closePool();
          await dropDatabase(databaseUrl, name);
          shadows.delete(name);
        })());
      return adapter;
    },
  };

  const release = async () => {
    await Promise.all([...adapters].map((adapter) => adapter.dispose().catch(() => {})));
    for (const name of shadows) await dropDatabase(databaseUrl, name).catch(() => {});
    if (--openEngines === 0) {
      for (const timer of engineTimers) clearTimeout(timer);
      engineTimers.clear();
    }
  };

  let engine: SchemaEngine;
  try {
    engine = await wasmBindings.SchemaEngine.new(
      { datamodels: schema?.files.map((file) => [file.path, file.content] as [string, string]) },
      (line: string) => {
        if (process.env.DEBUG_SCHEMA_ENGINE) console.error(`[schema-engine] ${line}`);
      },
      bindMigrationAwareSqlAdapterFactory(
        factory as unknown as Parameters<typeof bindMigrationAwareSqlAdapterFactory>[0],
      ),
    );
  } catch (error) {
    await release();
    throw error;
  }

  return {
    engine,
    async close() {
      try {
        engine.free();
      } catch {
        // already freed
      }
      await release();
    },
  };
}

async function withEngine<T>(
  databaseUrl: string,
  schema: SchemasContainer | undefined,
  fn: (engine: SchemaEngine) => Promise<T>,
): Promise<T> {
  const session = await openEngine(databaseUrl, schema);
  let fail: (error: Error) => void = () => {};
  const crashed = new Promise<never>((_, reject) => (fail = reject));
  inFlight.add(fail);
  try {
    return await Promise.race([fn(session.engine), crashed]);
  } catch (error) {
    throw engineError(error);
  } finally {
    inFlight.delete(fail);
    await session.close();
  }
}

/**
 * Engine errors are Errors (or plain objects) whose message ends with a Rust span
 * trace ("   0: schema_commands::…"): keep the message, drop the trace unless
 * DEBUG_SCHEMA_ENGINE is set, and say how to get past a failed migration.
 */
function engineError(error: unknown): Error {
  let message: string;
  if (error instanceof Error) message = error.message;
  else if (error && typeof error === 'object' && typeof (error as { message?: unknown }).message === 'string') {
    message = (error as { message: string }).message;
  } else message = typeof error === 'string' ? error : JSON.stringify(error);
  if (!process.env.DEBUG_SCHEMA_ENGINE) message = message.split(/\n\s+0: /)[0]!.trimEnd();
  if (/found failed migrations/.test(message)) {
    message +=
      '\nA failed migration is rolled back (each migration.sql runs as one transaction). Fix it, then mark it rolled back ' +
      'and deploy again: tsx scripts/db/cli.ts resolve --rolled-back <migration_name>';
  }
  const wrapped = new Error(message, { cause: error });
  if (error instanceof Error && error.name !== 'Error') wrapped.name = error.name;
  return wrapped;
}

// ---------------------------------------------------------------------------
// The migrations folder, read the way the Prisma CLI reads it.

async function readSchema(schemaPath: string): Promise<SchemasContainer> {
  return { files: [{ path: schemaPath, content: await fs.readFile(schemaPath, 'utf8') }] };
}

export async function listMigrations(migrationsDir: string): Promise<MigrationList> {
  const lockContent = await fs.readFile(path.join(migrationsDir, LOCKFILE), 'utf8').catch(() => null);
  const entries = await fs.readdir(migrationsDir, { withFileTypes: true }).catch(() => []);
  const migrationDirectories = await Promise.all(
    entries
      .filter((entry) => entry.isDirectory())
      .map(async (entry) => ({
        path: entry.name,
        migrationFile: {
          path: MIGRATION_FILE,
          content: await fs
            .readFile(path.join(migrationsDir, entry.name, MIGRATION_FILE), 'utf8')
            .then((value) => ({ tag: 'ok' as const, value }))
            .catch((error: Error) => ({ tag: 'error' as const, value: error.message })),
        },
      })),
  );
  migrationDirectories.sort((a, b) => a.path.localeCompare(b.path));
  return {
    baseDir: migrationsDir,
    lockfile: { path: LOCKFILE, content: lockContent },
    shadowDbInitScript: '',
    migrationDirectories,
  };
}

// ---------------------------------------------------------------------------
// Commands

/** Apply the migrations not yet in _prisma_migrations (`prisma migrate deploy`). */
export async function migrateDeploy(databaseUrl: string, paths?: MigrationPaths): Promise<string[]> {
  const { migrationsDir } = resolvePaths(paths);
  const migrationsList = await listMigrations(migrationsDir);
  return withEngine(databaseUrl, undefined, async (engine) => {
    const { appliedMigrationNames } = await engine.applyMigrations({ migrationsList, filters: NO_FILTER });
    return appliedMigrationNames;
  });
}

/**
 * `prisma migrate dev --name <name>`: apply pending migrations, write a new
 * migration when schema.prisma differs from them, and apply it. Returns the new
 * migration folder, or null when schema.prisma matched the migrations. Refuses
 * (never resets) when the database has drifted from the migration history.
 */
export async function migrateDev(
  databaseUrl: string,
  name: string,
  opts: MigrationPaths & { createOnly?: boolean; log?: (msg: string) => void } = {},
): Promise<string | null> {
  const log = opts.log ?? (() => {});
  const { schemaPath, migrationsDir } = resolvePaths(opts);
  const migrationName = name
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 200);
  if (!migrationName) throw new Error('A migration needs a name: --name <what_changed>');
  const schema = await readSchema(schemaPath);

  return withEngine(databaseUrl, schema, async (engine) => {
    const list = () => listMigrations(migrationsDir);
    const { action } = await engine.devDiagnostic({ migrationsList: await list(), filters: NO_FILTER });
    if (action.tag === 'reset') {
      throw new Error(
        `The database does not match prisma/migrations, so a new migration cannot be generated safely:\n${action.reason}\n` +
          `Nothing was changed. To start over (this deletes all data in that database): npm run db:reset -- --force`,
      );
    }
    const { appliedMigrationNames: applied } = await engine.applyMigrations({
      migrationsList: await list(),
      filters: NO_FILTER,
    });
    for (const migration of applied) log(`applied pending migration ${migration}`);
    // evaluateDataLoss and createMigration cannot open a shadow database themselves:
    // they reuse the schema devDiagnostic built from the migrations. After pending
    // migrations were applied they fail ("PostgreSQL shadow DB must be provided
    // through an external factory") unless the diagnostic runs again.
    if (applied.length > 0) await engine.devDiagnostic({ migrationsList: await list(), filters: NO_FILTER });

    const loss = await engine.evaluateDataLoss({ migrationsList: await list(), schema, filters: NO_FILTER });
    for (const warning of loss.warnings) log(`warning: ${warning.message}`);
    if (loss.unexecutableSteps.length > 0 && !opts.createOnly) {
      throw new Error(
        `The next migration cannot run on this database as it is:\n${loss.unexecutableSteps.map((s) => `  - ${s.message}`).join('\n')}\n` +
          `Create it without applying (--create-only), edit migration.sql, then run deploy.`,
      );
    }

    const migrationsList = await list();
    const out = await engine.createMigration({
      draft: false,
      migrationName,
      migrationsList,
      schema,
      filters: NO_FILTER,
    });
    if (out.migrationScript === null) return null;

    const folder = path.join(migrationsDir, out.generatedMigrationName);
    await fs.mkdir(folder, { recursive: true });
    await fs.writeFile(path.join(folder, `migration.${out.extension}`), out.migrationScript, 'utf8');
    await fs.writeFile(
      path.join(migrationsDir, LOCKFILE),
      `# Please do not edit this file manually\n# It should be added in your version-control system (e.g., Git)\nprovider = "${out.connectorType}"\n`,
      'utf8',
    );
    if (!opts.createOnly) {
      await engine.applyMigrations({ migrationsList: await list(), filters: NO_FILTER });
    }
    return folder;
  });
}

const EMPTY_MIGRATION = /^\s*-- This is an empty migration\.\s*$/;

/**
 * The SQL that takes a database built from the migrations to what schema.prisma
 * describes; '' when they agree. The migrations are replayed in a shadow
 * database created (and dropped) on the server of `databaseUrl`.
 */
export async function diffMigrationsToSchema(databaseUrl: string, paths?: MigrationPaths): Promise<string> {
  const { schemaPath, migrationsDir } = resolvePaths(paths);
  const schema = await readSchema(schemaPath);
  const migrationsList = await listMigrations(migrationsDir);
  const result = await withEngine(databaseUrl, schema, (engine) =>
    engine.diff({
      from: { tag: 'migrations', ...migrationsList },
      to: { tag: 'schemaDatamodel', ...schema },
      script: true,
      exitCode: null,
      filters: NO_FILTER,
    }),
  );
  const sql = result.stdout ?? '';
  return EMPTY_MIGRATION.test(sql) ? '' : sql.trim();
}

/** Drop everything in the database and apply every migration again. */
export async function migrateReset(databaseUrl: string, paths?: MigrationPaths): Promise<string[]> {
  const { migrationsDir } = resolvePaths(paths);
  const migrationsList = await listMigrations(migrationsDir);
  return withEngine(databaseUrl, undefined, async (engine) => {
    await engine.reset({ filter: NO_FILTER });
    const { appliedMigrationNames } = await engine.applyMigrations({ migrationsList, filters: NO_FILTER });
    return appliedMigrationNames;
  });
}

/** Record a failed migration as rolled back, or a migration as applied (`prisma migrate resolve`). */
export async function migrateResolve(
  databaseUrl: string,
  action: { rolledBack: string } | { applied: string },
  paths?: MigrationPaths,
): Promise<void> {
  const { migrationsDir } = resolvePaths(paths);
  const migrationsList = await listMigrations(migrationsDir);
  await withEngine(databaseUrl, undefined, async (engine) => {
    if ('rolledBack' in action) await engine.markMigrationRolledBack({ migrationName: action.rolledBack });
    else await engine.markMigrationApplied({ migrationName: action.applied, migrationsList });
  });
}
