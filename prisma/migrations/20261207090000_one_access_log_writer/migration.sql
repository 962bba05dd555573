-- One writer of the access log and one definition of a customer's current
-- consents (issue 9). docs/decisions/019-one-access-log-writer.md
--
-- Until now data_access_log was written by readCustomers' statement, by
-- recordDataAccess (Prisma) and by shared_internal.record_read, each with its
-- own copy of the limits, and "the latest answer per purpose" was computed in
-- accord_purposes_in_effect, twice in server/consent/consent.ts and in the
-- API's consents read. Each is now one SQL function that every path calls.
-- Hand-written: Prisma does not model functions.

-- The customer's current consent state: their latest answer for each purpose
-- they ever answered (the newest receipt; the id breaks a tie of instants).
-- A single SELECT in SQL, STABLE, not SECURITY DEFINER and without SET: the
-- planner inlines it into the calling query, where customer_id = p_customer
-- reaches the index on consent_receipts.
CREATE FUNCTION accord_current_consents(p_customer uuid)
RETURNS TABLE (purpose_key text, purpose_version integer, granted boolean, answered_at timestamp)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT DISTINCT ON (r.purpose_key) r.purpose_key::text, r.purpose_version, r.granted, r.created_at
  FROM public.consent_receipts r
  WHERE r.customer_id = p_customer
  ORDER BY r.purpose_key, r.created_at DESC, r.id DESC
$$;

-- Same signature and result as in migration 20261125181838_apps_webhooks;
-- accord_visible_fields calls it.
CREATE OR REPLACE FUNCTION accord_purposes_in_effect(p_customer uuid) RETURNS text[]
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(c.purpose_key ORDER BY c.purpose_key), '{}')
  FROM public.accord_current_consents(p_customer) c
  WHERE c.granted
$$;

-- One read of one customer's data, as the log's writer takes it: who read
-- (accessor type, id, name), which fields, for which purposes, and the
-- reader's free-text reason.
CREATE TYPE accord_data_access AS (
  customer_id uuid,
  accessor_type text,
  accessor_id text,
  accessor_name text,
  fields text[],
  purposes text[],
  reason text
);

-- The one writer of the access log: one row per read, for any number of reads
-- in one statement (a page of the API). The limits of the columns are applied
-- here, for every path alike: fields deduplicated and sorted, purposes
-- deduplicated, sorted and comma-joined, each text cut to its column's length
-- (but the accessor type, one of a few codes: a wrong one fails). Sorted
-- byte-wise (COLLATE "C"), as JavaScript sorts, whatever the database's
-- collation. occurred_at is the transaction's instant in UTC, whatever the
-- calling session's TimeZone (the column is a UTC timestamp, Prisma's
-- convention). Returns how many rows it wrote. plpgsql: its INSERT is planned
-- once per connection, not on every call.
CREATE FUNCTION accord_record_access(p_reads accord_data_access[]) RETURNS integer
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_written integer;
BEGIN
  INSERT INTO public.data_access_log
    (customer_id, accessor_type, accessor_id, accessor_name, fields, purpose, reason, occurred_at)
  SELECT
    r.customer_id,
    r.accessor_type,
    left(r.accessor_id, 128),
    left(r.accessor_name, 200),
    ARRAY(SELECT DISTINCT f COLLATE "C" FROM unnest(r.fields) AS f ORDER BY 1),
    left((SELECT string_agg(DISTINCT p COLLATE "C", ',' ORDER BY p COLLATE "C") FROM unnest(r.purposes) AS p), 64),
    left(r.reason, 500),
    now() AT TIME ZONE 'UTC'
  FROM unnest(p_reads) AS r;
  GET DIAGNOSTICS v_written = ROW_COUNT;
  RETURN v_written;
END
$$;

-- Only Accord's own connections (the functions' owner) and the views'
-- SECURITY DEFINER functions write the log; app roles could not insert
-- anyway (the function runs with its caller's rights).
REVOKE ALL ON FUNCTION accord_record_access(accord_data_access[]) FROM PUBLIC;

-- The views' writer, as in migration 20261125194500_shared_view_hardening
-- (false for a role that is no enabled app's: the row is not returned; true
-- and nothing logged when nothing is visible), now through
-- accord_record_access. CREATE OR REPLACE keeps its owner and its grants (app
-- roles' EXECUTE) but not its settings: all are restated.
CREATE OR REPLACE FUNCTION shared_internal.record_read(p_customer uuid, p_visible jsonb) RETURNS boolean
LANGUAGE sql VOLATILE SECURITY DEFINER COST 10000
SET search_path = public, pg_temp
SET TimeZone = 'UTC'
AS $$
  SELECT CASE
    WHEN p_visible IS NULL THEN false
    WHEN p_visible = '{}'::jsonb THEN true
    ELSE coalesce((
      SELECT public.accord_record_access(ARRAY[ROW(
        p_customer, 'app', a.client_id, a.name,
        ARRAY(SELECT jsonb_object_keys(p_visible)),
        ARRAY(SELECT e.purpose FROM jsonb_each_text(p_visible) AS e(field, purpose)),
        'database view')::public.accord_data_access]) = 1
      FROM public.apps a
      WHERE a.db_role = session_user AND a.disabled_at IS NULL
    ), false)
  END
$$;

REVOKE ALL ON FUNCTION shared_internal.record_read(uuid, jsonb) FROM PUBLIC;
