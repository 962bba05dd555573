-- Personalization data in the consent-enforcing views (ADR 017), for apps that
-- read in SQL: docs/decisions/035-personalization.md §1, "Shared views".
-- Hand-written: Prisma does not model views or other schemas.

-- 1. shared.customers is a profile read: preferences and signals, now fields an
--    app may declare, are listed in visible_fields but not logged as read there
--    (their own views log them). Same columns: CREATE OR REPLACE keeps the
--    owner and the app roles' grants; the barrier is restated.
CREATE OR REPLACE VIEW shared.customers WITH (security_barrier) AS
SELECT
  c.id,
  CASE WHEN d.visible <> '{}'::jsonb THEN c.version END AS version,
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
WHERE EXISTS (SELECT 1 FROM public.apps a WHERE a.db_role = session_user AND a.disabled_at IS NULL)
  AND shared_internal.record_read(c.id, d.visible - '{preferences,signals}'::text[]);

COMMENT ON COLUMN shared.customers.visible_fields IS 'The fields this app may see of this customer now: name, email, phone, postalAddress, locale, preferences, signals (the last two are read in shared.customer_preferences and shared.customer_signals). Empty when the customer allows none of its purposes; a customer who withdrew the app has no row.';

-- 2. One row per customer whose preferences this app may see now, each row
--    logged as a read of the field preferences (and of nothing else).
CREATE VIEW shared.customer_preferences WITH (security_barrier) AS
SELECT
  c.id AS customer_id,
  coalesce(s.preferences_version, 0) AS version,
  ARRAY(SELECT v.value FROM public.customer_preferences v
        WHERE v.customer_id = c.id AND v.name = 'interest' ORDER BY v.value)::text[] AS interests,
  (SELECT v.value FROM public.customer_preferences v
   WHERE v.customer_id = c.id AND v.name = 'favouriteStore')::text AS favourite_store,
  (SELECT v.value FROM public.customer_preferences v
   WHERE v.customer_id = c.id AND v.name = 'size.clothing')::text AS size_clothing,
  (SELECT v.value FROM public.customer_preferences v
   WHERE v.customer_id = c.id AND v.name = 'size.shoes')::text AS size_shoes,
  ARRAY(SELECT v.value FROM public.customer_preferences v
        WHERE v.customer_id = c.id AND v.name = 'channel' ORDER BY v.value)::text[] AS channels,
  coalesce((SELECT jsonb_agg(jsonb_build_object('name', v.name, 'value', v.value, 'source', v.channel,
              'setAt', to_char(v.set_at, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')) ORDER BY v.name, v.value)
            FROM public.customer_preferences v WHERE v.customer_id = c.id), '[]'::jsonb) AS sources
FROM public.customers c
CROSS JOIN LATERAL shared_internal.visible_fields(c.id) AS d(visible)
LEFT JOIN public.personalization_states s ON s.customer_id = c.id
WHERE EXISTS (SELECT 1 FROM public.apps a WHERE a.db_role = session_user AND a.disabled_at IS NULL)
  -- CASE fixes the order: the read is logged only for a row that is returned
  -- (the planner orders plain AND-ed conditions as it likes).
  AND CASE WHEN d.visible ? 'preferences'
    THEN shared_internal.record_read(c.id, jsonb_build_object('preferences', d.visible -> 'preferences'))
    ELSE false END;

-- 3. One row per signal that counts (its app not withdrawn by the customer) of
--    a customer whose signals this app may see now, each logged as a read of
--    the field signals. Signals past SIGNAL_RETENTION_DAYS are deleted by
--    housekeeping (a variable of the application, which SQL does not see).
CREATE VIEW shared.customer_signals WITH (security_barrier) AS
SELECT
  g.id,
  g.customer_id,
  CASE g.kind
    WHEN 'viewed' THEN 'category.viewed'
    WHEN 'cart-added' THEN 'cart.item_added'
    WHEN 'cart-removed' THEN 'cart.item_removed'
    WHEN 'purchased' THEN 'order.purchased'
  END::text AS type,
  g.category::text AS category,
  g.item::text AS item,
  g.occurred_at AT TIME ZONE 'UTC' AS occurred_at,
  coalesce(src.name, 'portal')::text AS source
FROM public.customer_signals g
CROSS JOIN LATERAL shared_internal.visible_fields(g.customer_id) AS d(visible)
LEFT JOIN public.apps src ON src.id = g.app_id
WHERE EXISTS (SELECT 1 FROM public.apps a WHERE a.db_role = session_user AND a.disabled_at IS NULL)
  AND CASE WHEN d.visible ? 'signals' AND NOT EXISTS (
      SELECT 1 FROM public.app_access_withdrawals w WHERE w.customer_id = g.customer_id AND w.app_id = g.app_id
    )
    THEN shared_internal.record_read(g.customer_id, jsonb_build_object('signals', d.visible -> 'signals'))
    ELSE false END;

-- 4. Reference data, no customer in it: not logged.
CREATE VIEW shared.categories AS
SELECT key::text, parent_key::text, label_en::text, label_fr::text, sort_order, retired_at AT TIME ZONE 'UTC' AS retired_at
FROM public.categories;

CREATE VIEW shared.stores AS
SELECT key::text, name::text, city::text, country::text, sort_order, retired_at AT TIME ZONE 'UTC' AS retired_at
FROM public.stores;

REVOKE ALL ON shared.customer_preferences, shared.customer_signals, shared.categories, shared.stores FROM PUBLIC;

-- The roles of `npm run apps -- grant-db` read the new views (grant-db grants
-- every view of shared to the roles it makes later).
DO $$
DECLARE
  r record;
BEGIN
  FOR r IN SELECT a.db_role FROM public.apps a JOIN pg_roles pr ON pr.rolname = a.db_role WHERE a.db_role IS NOT NULL LOOP
    EXECUTE format('GRANT SELECT ON shared.customer_preferences, shared.customer_signals, shared.categories, shared.stores TO %I', r.db_role);
  END LOOP;
END
$$;

COMMENT ON VIEW shared.customer_preferences IS
  'One row per customer whose preferences this app may see now (the field preferences, declared like any field). Every row the view passes to the query is written to the customer''s access log as a read of preferences. docs/decisions/035-personalization.md';
COMMENT ON COLUMN shared.customer_preferences.version IS 'Increases with every change of the preferences; the API''s ETag. 0 when never set.';
COMMENT ON COLUMN shared.customer_preferences.interests IS 'Category keys (shared.categories).';
COMMENT ON COLUMN shared.customer_preferences.favourite_store IS 'A store key (shared.stores), NULL when none.';
COMMENT ON COLUMN shared.customer_preferences.sources IS 'Each value with who set it ("portal" or an app''s name) and when: [{name, value, source, setAt}].';
COMMENT ON VIEW shared.customer_signals IS
  'One row per behaviour signal that counts (within the retention, its app not withdrawn by the customer) of a customer whose signals this app may see now. Every row the view passes to the query is written to the customer''s access log as a read of signals. docs/decisions/035-personalization.md';
COMMENT ON COLUMN shared.customer_signals.type IS 'category.viewed, cart.item_added, cart.item_removed or order.purchased, as in the API.';
COMMENT ON COLUMN shared.customer_signals.source IS 'The app that sent it, or "portal".';
COMMENT ON VIEW shared.categories IS 'The categories (reference data); retired_at set when no longer offered.';
COMMENT ON VIEW shared.stores IS 'The stores (reference data); retired_at set when no longer offered.';
