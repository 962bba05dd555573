-- Hardening of the consent-enforcing views after a security review (issue 5).
-- docs/decisions/017-consent-enforcing-database-views.md, "Hardening".
--
-- 1. shared.customers becomes a security barrier: an app's own conditions run
--    after the row is logged, so neither a function of its own (it could print
--    the values and return false) nor an error message (first_name::int = 0)
--    can read a value without the read being logged. Conditions on id and
--    updated_at still reach the index (their operators are leakproof).
-- 2. version and updated_at are NULL for a customer the app may see nothing
--    of: it no longer follows the activity of a customer who withdrew it.
-- 3. updated_at is a timestamptz (the stored UTC instant), right in every
--    client time zone; the access log is written in UTC whatever the reading
--    session's TimeZone.
-- 4. Nobody may create temporary objects by default (the app roles had it
--    through PUBLIC); the migrating user keeps it.

DROP VIEW shared.customers;

CREATE VIEW shared.customers WITH (security_barrier) AS
SELECT
  c.id,
  -- NULL too when the app may see nothing of this customer: no activity to follow.
  CASE WHEN d.visible <> '{}'::jsonb THEN c.version END AS version,
  -- timestamptz: Accord stores UTC in a timestamp column; a client in any time zone reads it right.
  CASE WHEN d.visible <> '{}'::jsonb THEN c.updated_at AT TIME ZONE 'UTC' END AS updated_at,
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

-- The roles of `npm run apps -- grant-db` read the new view as they read the old one.
DO $$
DECLARE
  r record;
BEGIN
  FOR r IN SELECT a.db_role FROM public.apps a JOIN pg_roles pr ON pr.rolname = a.db_role WHERE a.db_role IS NOT NULL LOOP
    EXECUTE format('GRANT SELECT ON shared.customers TO %I', r.db_role);
  END LOOP;
END
$$;

COMMENT ON VIEW shared.customers IS
  'The customers as the reading app may see them: one row per customer; a column is NULL unless the customer allows this app the field it belongs to (listed in visible_fields); version and updated_at are NULL when it may see nothing. Every row the view passes to the query is written to the customer''s access log. docs/decisions/017-consent-enforcing-database-views.md';
COMMENT ON COLUMN shared.customers.id IS 'The customer id, as in the API and the webhooks.';
COMMENT ON COLUMN shared.customers.version IS 'Increases with every change of the customer; the API''s ETag. NULL when the app may see nothing of the customer.';
COMMENT ON COLUMN shared.customers.updated_at IS 'Last change of the customer (timestamptz). NULL when the app may see nothing of the customer.';
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

-- The access log's occurred_at (DEFAULT CURRENT_TIMESTAMP into a timestamp
-- column) is converted with the session's TimeZone, which an app sets as it likes.
ALTER FUNCTION shared_internal.record_read(uuid, jsonb) SET TimeZone = 'UTC';
ALTER FUNCTION shared_internal.visible_fields(uuid) SET TimeZone = 'UTC';

DO $$
BEGIN
  EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
  EXECUTE format('GRANT TEMPORARY ON DATABASE %I TO %I', current_database(), current_user);
END
$$;
