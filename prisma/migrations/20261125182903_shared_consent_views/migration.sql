-- ── Consent-enforcing views for apps that read the shared store in SQL ──
-- `npm run apps -- grant-db <app>` (server/db-roles.ts) gives an app a login
-- role that may SELECT from the views of schema "shared" and nothing else.
-- The views apply the consent policy of accord_visible_fields (migration
-- 20261125181838_apps_webhooks), the very function the API and the webhooks
-- use, and write every returned row to data_access_log in the reading
-- statement. docs/decisions/017-consent-enforcing-database-views.md
--
-- Hand-written: Prisma does not model schemas other than public, views or
-- functions, so none of this shows in schema.prisma or in `npm run db:check`.
-- IF NOT EXISTS / OR REPLACE because a `db:reset` drops the public schema
-- only: the views go with the tables they read, the schemas stay.

-- What the apps see. Nobody but the roles grant-db creates gets anything here.
CREATE SCHEMA IF NOT EXISTS shared;
REVOKE ALL ON SCHEMA shared FROM PUBLIC;
COMMENT ON SCHEMA shared IS
  'Consent-enforcing views for the brand''s apps: a column is NULL where the customer has not allowed the reading app to see it, and every row returned is written to the customer''s access log. docs/decisions/017-consent-enforcing-database-views.md';

-- The functions the views call. App roles get EXECUTE on them (a view's
-- functions are checked against the reader) but no USAGE on this schema, so
-- they cannot name them: only the views call them, with the arguments the
-- views pass.
CREATE SCHEMA IF NOT EXISTS shared_internal;
REVOKE ALL ON SCHEMA shared_internal FROM PUBLIC;

-- The reading app's fields and the purpose allowing each, for one customer
-- ({} when nothing is visible), or NULL when the login role is no enabled
-- app's. The app is the one whose db_role is the session user: inside a
-- SECURITY DEFINER function current_user is the function's owner, while
-- session_user stays the role that logged in (only a superuser can change it).
-- STABLE: it reads with the snapshot of the query on the view, so the
-- decision and the values it gates are of the same instant.
CREATE OR REPLACE FUNCTION shared_internal.visible_fields(p_customer uuid) RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
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
  RETURN public.accord_visible_fields(p_customer, v_app.id, v_app.field_purposes);
END
$$;

-- Writes the read of one customer's row to the access log, as readCustomers
-- (server/consent-policy.ts) writes an API read: accessor = the app's client
-- id and name, fields = the visible fields, purpose = the purposes that
-- allowed them. Nothing is logged when nothing was visible. Returns whether
-- the row may be returned at all (false for a role that is no enabled app's).
-- VOLATILE, and expensive for the planner, so it runs after the query's own
-- conditions and only for the rows the query keeps.
CREATE OR REPLACE FUNCTION shared_internal.record_read(p_customer uuid, p_visible jsonb) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER COST 10000
SET search_path = public, pg_temp
AS $$
DECLARE
  v_app record;
BEGIN
  IF p_visible IS NULL THEN
    RETURN false;
  END IF;
  IF p_visible = '{}'::jsonb THEN
    RETURN true;
  END IF;
  SELECT a.client_id, a.name INTO v_app
  FROM public.apps a
  WHERE a.db_role = session_user AND a.disabled_at IS NULL;
  IF NOT FOUND THEN
    RETURN false;
  END IF;
  INSERT INTO public.data_access_log (customer_id, accessor_type, accessor_id, accessor_name, fields, purpose, reason)
  VALUES (
    p_customer, 'app', left(v_app.client_id, 128), left(v_app.name, 200),
    ARRAY(SELECT jsonb_object_keys(p_visible) ORDER BY 1),
    left((SELECT string_agg(DISTINCT e.purpose, ',' ORDER BY e.purpose) FROM jsonb_each_text(p_visible) AS e(field, purpose)), 64),
    'database view'
  );
  RETURN true;
END
$$;

REVOKE ALL ON FUNCTION shared_internal.visible_fields(uuid) FROM PUBLIC;
REVOKE ALL ON FUNCTION shared_internal.record_read(uuid, jsonb) FROM PUBLIC;

-- One row per customer. id, version and updated_at are always there (the
-- API shows them too); every other column is NULL unless the customer allows
-- the reading app the field it belongs to (visible_fields lists those, so a
-- NULL that is "not allowed" can be told from a NULL that is "empty").
-- Addresses are flat columns per kind, so that SQL can select and filter them.
--
-- The view is not a security barrier on purpose: conditions on id, version
-- and updated_at reach the customers table (an index scan for WHERE id = $1,
-- ORDER BY id LIMIT n reads n rows), and the query's conditions on the gated
-- columns run before record_read (its cost), so only the rows a query returns
-- are logged. Those conditions only ever see the gated values.
CREATE OR REPLACE VIEW shared.customers AS
SELECT
  c.id,
  c.version,
  c.updated_at,
  ARRAY(SELECT jsonb_object_keys(d.visible) ORDER BY 1) AS visible_fields,
  CASE WHEN d.visible ? 'name' THEN c.first_name END AS first_name,
  CASE WHEN d.visible ? 'name' THEN c.last_name END AS last_name,
  CASE WHEN d.visible ? 'email' THEN c.email END AS email,
  CASE WHEN d.visible ? 'email' THEN c.email_verified IS NOT NULL END AS email_verified,
  CASE WHEN d.visible ? 'phone' THEN p.e164 END AS phone,
  CASE WHEN d.visible ? 'locale' THEN c.locale END AS locale,
  CASE WHEN d.visible ? 'postalAddress' THEN home.line1 END AS home_line1,
  CASE WHEN d.visible ? 'postalAddress' THEN home.line2 END AS home_line2,
  CASE WHEN d.visible ? 'postalAddress' THEN home.postal_code END AS home_postal_code,
  CASE WHEN d.visible ? 'postalAddress' THEN home.city END AS home_city,
  CASE WHEN d.visible ? 'postalAddress' THEN home.country END AS home_country,
  CASE WHEN d.visible ? 'postalAddress' THEN billing.line1 END AS billing_line1,
  CASE WHEN d.visible ? 'postalAddress' THEN billing.line2 END AS billing_line2,
  CASE WHEN d.visible ? 'postalAddress' THEN billing.postal_code END AS billing_postal_code,
  CASE WHEN d.visible ? 'postalAddress' THEN billing.city END AS billing_city,
  CASE WHEN d.visible ? 'postalAddress' THEN billing.country END AS billing_country,
  CASE WHEN d.visible ? 'postalAddress' THEN shipping.line1 END AS shipping_line1,
  CASE WHEN d.visible ? 'postalAddress' THEN shipping.line2 END AS shipping_line2,
  CASE WHEN d.visible ? 'postalAddress' THEN shipping.postal_code END AS shipping_postal_code,
  CASE WHEN d.visible ? 'postalAddress' THEN shipping.city END AS shipping_city,
  CASE WHEN d.visible ? 'postalAddress' THEN shipping.country END AS shipping_country
FROM public.customers c
CROSS JOIN LATERAL shared_internal.visible_fields(c.id) AS d(visible)
LEFT JOIN public.customer_phones p ON p.customer_id = c.id
LEFT JOIN public.addresses home ON home.customer_id = c.id AND home.kind = 'home'
LEFT JOIN public.addresses billing ON billing.customer_id = c.id AND billing.kind = 'billing'
LEFT JOIN public.addresses shipping ON shipping.customer_id = c.id AND shipping.kind = 'shipping'
-- Evaluated once per query, before any row is read: a role that is no enabled
-- app's reads nothing at all.
WHERE EXISTS (SELECT 1 FROM public.apps a WHERE a.db_role = session_user AND a.disabled_at IS NULL)
  AND shared_internal.record_read(c.id, d.visible);

REVOKE ALL ON shared.customers FROM PUBLIC;

COMMENT ON VIEW shared.customers IS
  'The customers as the reading app may see them: one row per customer; a column is NULL unless the customer allows this app the field it belongs to (listed in visible_fields). Every row returned is written to the customer''s access log. docs/decisions/017-consent-enforcing-database-views.md';
COMMENT ON COLUMN shared.customers.id IS 'The customer id, as in the API and the webhooks.';
COMMENT ON COLUMN shared.customers.version IS 'Increases with every change of the customer; the API''s ETag.';
COMMENT ON COLUMN shared.customers.updated_at IS 'Last change of the customer (UTC).';
COMMENT ON COLUMN shared.customers.visible_fields IS 'The fields this app may see of this customer now: name, email, phone, postalAddress, locale. Empty when the customer withdrew the app or allows none of its purposes.';
COMMENT ON COLUMN shared.customers.first_name IS 'Field name.';
COMMENT ON COLUMN shared.customers.last_name IS 'Field name.';
COMMENT ON COLUMN shared.customers.email IS 'Field email: the sign-in address, lower-case.';
COMMENT ON COLUMN shared.customers.email_verified IS 'Field email: whether the address was proven by the customer.';
COMMENT ON COLUMN shared.customers.phone IS 'Field phone, in E.164 (+33612345678).';
COMMENT ON COLUMN shared.customers.locale IS 'Field locale: en or fr.';
COMMENT ON COLUMN shared.customers.home_line1 IS 'Field postalAddress: the home address (home_*), NULL when none.';
COMMENT ON COLUMN shared.customers.home_country IS 'Field postalAddress: ISO 3166-1 alpha-2.';
COMMENT ON COLUMN shared.customers.billing_line1 IS 'Field postalAddress: the billing address (billing_*), NULL when none.';
COMMENT ON COLUMN shared.customers.shipping_line1 IS 'Field postalAddress: the shipping address (shipping_*), NULL when none.';
