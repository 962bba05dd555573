import 'server-only';

import type { Channel } from '@/lib/personalization/catalogue';
import type { Reader } from '@/server/consent/policy';
import { getPool } from '@/server/platform/db';

import { authenticateApp } from '../oauth';
import { appReader } from '../registry';
import { isCustomerId, notFound } from './customers';
import { etag, json } from './http';
import type { ApiPreferences } from './schemas';

// A customer's preferences as another reader (an app's API call, a webhook)
// may see them: decided by the one policy, read and logged in one statement,
// as readCustomers does for the profile. docs/decisions/035-personalization.md §1

type ValueRow = { name: string; value: string; channel: string; setAt: string };

/**
 * The preferences of `customerId` if `reader` may see the `preferences` field
 * of this customer now, else null (unknown customer, purpose not granted, app
 * withdrawn: never told apart). A read that returns something is written to the
 * customer's access log with the field `preferences` alone, in the same
 * statement.
 */
export async function readPreferencesAs(reader: Reader, customerId: string): Promise<ApiPreferences | null> {
  const a = reader.accessor;
  const { rows } = await getPool().query<{ version: number; values: ValueRow[] }>({
    name: 'accord-read-preferences-as',
    text: `WITH r AS (SELECT $1::uuid AS app_id, $2::jsonb AS field_purposes, $3::text AS accessor_type,
        $4::text AS accessor_id, $5::text AS accessor_name, $6::text AS reason),
      ok AS MATERIALIZED (
        SELECT v.visible ->> 'preferences' AS purpose
        FROM r, LATERAL (SELECT accord_visible_fields($7::uuid, r.app_id, r.field_purposes) AS visible) v
        WHERE v.visible ? 'preferences'
      ),
      -- Joined below: the log is written whenever something is returned.
      logged AS (
        SELECT accord_record_access(ARRAY[ROW($7::uuid, r.accessor_type, r.accessor_id, r.accessor_name,
          ARRAY['preferences'], ARRAY[ok.purpose], r.reason)::accord_data_access]) AS n
        FROM ok, r
      )
      SELECT
        coalesce((SELECT s.preferences_version FROM personalization_states s WHERE s.customer_id = $7::uuid), 0) AS version,
        coalesce((
          SELECT jsonb_agg(jsonb_build_object('name', p.name, 'value', p.value, 'channel', p.channel,
            -- Stored as UTC without a zone (Prisma's convention).
            'setAt', to_char(p.set_at, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')) ORDER BY p.name, p.set_at, p.value)
          FROM customer_preferences p WHERE p.customer_id = $7::uuid
        ), '[]'::jsonb) AS values
      FROM ok CROSS JOIN logged`,
    values: [
      reader.appId,
      JSON.stringify(reader.fieldPurposes),
      a.type,
      a.id,
      a.name,
      reader.reason ?? null,
      customerId,
    ],
  });
  const row = rows[0];
  if (!row) return null;
  const of = (name: string) => row.values.filter((v) => v.name === name);
  const single = <K extends string>(name: string, key: K) => {
    const v = of(name)[0];
    return v ? ({ [key]: v.value, source: v.channel, setAt: v.setAt } as Record<K, string> & Provenance) : null;
  };
  return {
    customerId,
    version: row.version,
    interests: of('interest').map((v) => ({ category: v.value, source: v.channel, setAt: v.setAt })),
    favouriteStore: single('favouriteStore', 'store'),
    sizes: { clothing: single('size.clothing', 'size'), shoes: single('size.shoes', 'size') },
    // The write path admits only CHANNELS (lib/validation/preferences.ts).
    channels: of('channel').map((v) => ({ channel: v.value as Channel, source: v.channel, setAt: v.setAt })),
  };
}

type Provenance = { source: string; setAt: string };

/** GET /api/v1/customers/{id}/preferences (scope customers:read). */
export async function getCustomerPreferences(request: Request, id: string): Promise<Response> {
  const auth = await authenticateApp(request, 'customers:read');
  if (!auth.ok) return auth.response;
  if (!isCustomerId(id)) return notFound(request);
  const preferences = await readPreferencesAs(appReader(auth.app), id.toLowerCase());
  if (!preferences) return notFound(request);
  return json(preferences, { headers: { ETag: etag(preferences.version) } });
}
