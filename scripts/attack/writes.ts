// "Nothing was written": a row-level trigger on every table of the app's schema
// counts inserted, updated and deleted rows into attack_probe.writes, read
// between fuzz batches. pg_stat_user_tables counts the same, but each server
// process flushes its counters up to 10 s late (PGSTAT_IDLE_INTERVAL), which
// would make a batch's writes show in the next one.
import pg from 'pg';

/**
 * Tables whose rows a refused request writes on purpose:
 * - rate_limits: counting refused and malformed attempts is what a limit is for;
 * - data_access_log: every read by an app is logged, whatever it finds (ADR 019);
 * - content_stats: impressions and clicks, counted in memory and written every 10 s
 *   by a timer (ADR 035 §4): a batch may see the views of earlier ones written.
 */
export const EXPECTED_WRITES = new Set(['rate_limits', 'data_access_log', 'content_stats']);

export type WriteCounts = Map<string, number>;

export async function installWriteProbe(databaseUrl: string): Promise<WriteProbe> {
  const client = new pg.Client({ connectionString: databaseUrl });
  // The app stops the embedded server at the end, which ends this connection too.
  client.on('error', () => {});
  await client.connect();
  await client.query(`
    CREATE SCHEMA IF NOT EXISTS attack_probe;
    CREATE TABLE IF NOT EXISTS attack_probe.writes (table_name text PRIMARY KEY, n bigint NOT NULL);
    CREATE OR REPLACE FUNCTION attack_probe.count_write() RETURNS trigger
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
      BEGIN
        -- Any signed-in request may mark its session active (at most once a minute) or
        -- slide its expiry (server/identity/sessions.ts touchSession): not a write of the request's input.
        IF TG_TABLE_NAME = 'sessions' AND TG_OP = 'UPDATE'
           AND to_jsonb(NEW) - 'last_active_at' - 'expires' = to_jsonb(OLD) - 'last_active_at' - 'expires' THEN
          RETURN NULL;
        END IF;
        -- The same for console sessions (server/staff/sessions.ts findStaffSession).
        IF TG_TABLE_NAME = 'staff_sessions' AND TG_OP = 'UPDATE'
           AND to_jsonb(NEW) - 'last_active_at' = to_jsonb(OLD) - 'last_active_at' THEN
          RETURN NULL;
        END IF;
        INSERT INTO attack_probe.writes AS w VALUES (TG_TABLE_NAME, 1)
          ON CONFLICT (table_name) DO UPDATE SET n = w.n + 1;
        RETURN NULL;
      END $$;
  `);
  const { rows } = await client.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables
      WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> '_prisma_migrations'`,
  );
  for (const { table_name } of rows) {
    const ident = `"${table_name.replace(/"/g, '""')}"`;
    await client.query(`DROP TRIGGER IF EXISTS attack_probe_count ON public.${ident}`);
    await client.query(
      `CREATE TRIGGER attack_probe_count AFTER INSERT OR UPDATE OR DELETE ON public.${ident}
         FOR EACH ROW EXECUTE FUNCTION attack_probe.count_write()`,
    );
  }
  return new WriteProbe(client, rows.length);
}

export class WriteProbe {
  constructor(
    private readonly client: pg.Client,
    readonly tables: number,
  ) {}

  async counts(): Promise<WriteCounts> {
    const { rows } = await this.client.query<{ table_name: string; n: string }>(
      'SELECT table_name, n FROM attack_probe.writes',
    );
    return new Map(rows.map((row) => [row.table_name, Number(row.n)]));
  }

  /** Rows written to tables outside EXPECTED_WRITES since `before`. */
  async unexpectedSince(before: WriteCounts): Promise<Record<string, number>> {
    const after = await this.counts();
    const written: Record<string, number> = {};
    for (const [table, n] of after) {
      const delta = n - (before.get(table) ?? 0);
      if (delta > 0 && !EXPECTED_WRITES.has(table)) written[table] = delta;
    }
    return written;
  }

  async query<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<R[]> {
    return (await this.client.query<R>(sql, params)).rows;
  }

  close(): Promise<void> {
    return this.client.end();
  }
}
