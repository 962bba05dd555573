-- Customers' current consent state as a set (docs/decisions/035-personalization.md §3): the
-- audience estimate counts every customer whose personalization grant is in effect in one
-- statement. accord_current_consents(p) now reads this view, so there is still one definition of
-- "the latest answer" (ADR 019); the customer's id reaches the receipts index through the view
-- (it is a DISTINCT ON column, so PostgreSQL pushes the condition down; an EXPLAIN test keeps it),
-- and so does a purpose (the estimate's). Columns are the table's own, uncast: a cast would become
-- the sort key and lose the index order.
-- Hand-written: Prisma does not model views or functions.
CREATE VIEW accord_current_consent_rows AS
SELECT DISTINCT ON (r.customer_id, r.purpose_key)
  r.customer_id, r.purpose_key, r.purpose_version, r.granted,
  r.created_at AS answered_at, r.id AS receipt_id
FROM public.consent_receipts r
WHERE r.customer_id IS NOT NULL
ORDER BY r.customer_id, r.purpose_key, r.created_at DESC, r.id DESC;

-- Same signature and result as in migration 20261207090000_one_access_log_writer; still one
-- SELECT in SQL, STABLE, without SET: inlined into the calling query.
CREATE OR REPLACE FUNCTION accord_current_consents(p_customer uuid)
RETURNS TABLE (purpose_key text, purpose_version integer, granted boolean, answered_at timestamp)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT v.purpose_key::text, v.purpose_version, v.granted, v.answered_at
  FROM public.accord_current_consent_rows v
  WHERE v.customer_id = p_customer
$$;
