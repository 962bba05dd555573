-- What an app still sees of a customer who withdrew it or who deleted the
-- account (issue 11, item 9). docs/attack-protection.md, "What a withdrawn app
-- still sees". Hand-written: Prisma does not model functions, views or other schemas.

-- 1. A withdrawn app no longer gets the customer's row from shared.customers.
--    Until now it got the id with every other column NULL: it could still tell
--    the customer existed, and when the withdrawal was undone. visible_fields
--    now answers NULL for a withdrawn customer, which record_read turns into
--    "row not returned", as for a role that is no enabled app's. Same
--    signature: CREATE OR REPLACE keeps the owner and the app roles' EXECUTE;
--    its settings are restated.
CREATE OR REPLACE FUNCTION shared_internal.visible_fields(p_customer uuid) RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
SET TimeZone = 'UTC'
AS $$
DECLARE
  v_app record;
BEGIN
  SELECT a.id, a.field_purposes INTO v_app
  FROM public.apps a
  WHERE a.db_role = session_user AND a.disabled_at IS NULL;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  IF EXISTS (SELECT 1 FROM public.app_access_withdrawals w WHERE w.customer_id = p_customer AND w.app_id = v_app.id) THEN
    RETURN NULL;
  END IF;
  RETURN public.accord_visible_fields(p_customer, v_app.id, v_app.field_purposes);
END
$$;

REVOKE ALL ON FUNCTION shared_internal.visible_fields(uuid) FROM PUBLIC;

COMMENT ON VIEW shared.customers IS
  'The customers as the reading app may see them: one row per customer who has not withdrawn the app; a column is NULL unless the customer allows this app the field it belongs to (listed in visible_fields); version and updated_at are NULL when it may see nothing. Every row the view passes to the query is written to the customer''s access log. docs/decisions/017-consent-enforcing-database-views.md';
COMMENT ON COLUMN shared.customers.visible_fields IS 'The fields this app may see of this customer now: name, email, phone, postalAddress, locale. Empty when the customer allows none of its purposes; a customer who withdrew the app has no row.';

-- 2. Apps reading in SQL learn of deletions, as webhook apps do from
--    customer.deleted. One row per customer deleted since the app was
--    registered, for as long as the outbox keeps the customer.deleted event
--    (OUTBOX_RETENTION_DAYS, 30 by default). The id is not shown: customer_ref
--    is the SHA-256 of "<the app's client id>:<customer id>" in hex, which an
--    app computes for the ids it holds, while the list alone names nobody and
--    two apps' lists cannot be joined.
CREATE VIEW shared.deleted_customers WITH (security_barrier) AS
SELECT
  encode(sha256(convert_to(a.client_id || ':' || o.customer_id::text, 'UTF8')), 'hex') AS customer_ref,
  o.occurred_at AT TIME ZONE 'UTC' AS deleted_at
FROM public.outbox_events o
JOIN public.apps a ON a.db_role = session_user AND a.disabled_at IS NULL
WHERE o.type = 'customer.deleted' AND o.customer_id IS NOT NULL AND o.occurred_at >= a.created_at;

REVOKE ALL ON shared.deleted_customers FROM PUBLIC;

COMMENT ON VIEW shared.deleted_customers IS
  'Customers who deleted their account since this app was registered, for OUTBOX_RETENTION_DAYS: erase what you hold of them. customer_ref = encode(sha256(convert_to(''<your client id>:'' || id, ''UTF8'')), ''hex'') for the customer id you know. docs/attack-protection.md';
COMMENT ON COLUMN shared.deleted_customers.customer_ref IS 'SHA-256, in hex, of "<your client id>:<customer id>".';
COMMENT ON COLUMN shared.deleted_customers.deleted_at IS 'When the account was deleted (timestamptz).';

-- The roles of `npm run apps -- grant-db` (which grants every view of shared) read it too.
DO $$
DECLARE
  r record;
BEGIN
  FOR r IN SELECT a.db_role FROM public.apps a JOIN pg_roles pr ON pr.rolname = a.db_role WHERE a.db_role IS NOT NULL LOOP
    EXECUTE format('GRANT SELECT ON shared.deleted_customers TO %I', r.db_role);
  END LOOP;
END
$$;

-- 3. Deletion now removes the customer's earlier outbox events and their
--    deliveries (server/customers/account.ts deleteCustomer): kept, their
--    instants would tie the pseudonymous consent receipts back to the id.
--    The same for the customers deleted before this migration.
DELETE FROM outbox_events o
WHERE o.customer_id IS NOT NULL
  AND o.type <> 'customer.deleted'
  AND NOT EXISTS (SELECT 1 FROM customers c WHERE c.id = o.customer_id);
