-- AlterTable
ALTER TABLE "outbox_events" ADD COLUMN     "dispatched_at" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "apps" (
    "id" UUID NOT NULL,
    "name" VARCHAR(64) NOT NULL,
    "description" VARCHAR(500) NOT NULL DEFAULT '',
    "client_id" VARCHAR(64) NOT NULL,
    "client_secret_hash" CHAR(64) NOT NULL,
    "purposes" TEXT[],
    "field_purposes" JSONB NOT NULL,
    "scopes" TEXT[],
    "webhook_url" VARCHAR(500),
    "webhook_secret" VARCHAR(100),
    "rate_limit_per_minute" INTEGER NOT NULL DEFAULT 600,
    "tokens_valid_after" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "db_role" VARCHAR(63),
    "disabled_at" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "apps_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "app_access_withdrawals" (
    "customer_id" UUID NOT NULL,
    "app_id" UUID NOT NULL,
    "withdrawn_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "app_access_withdrawals_pkey" PRIMARY KEY ("customer_id","app_id")
);

-- CreateTable
CREATE TABLE "webhook_deliveries" (
    "id" BIGSERIAL NOT NULL,
    "outbox_id" BIGINT NOT NULL,
    "app_id" UUID NOT NULL,
    "status" VARCHAR(16) NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "locked_until" TIMESTAMP(3),
    "last_status" INTEGER,
    "last_error" VARCHAR(500),
    "delivered_at" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "webhook_deliveries_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "apps_name_key" ON "apps"("name");

-- CreateIndex
CREATE UNIQUE INDEX "apps_client_id_key" ON "apps"("client_id");

-- CreateIndex
CREATE UNIQUE INDEX "apps_db_role_key" ON "apps"("db_role");

-- CreateIndex
CREATE INDEX "app_access_withdrawals_app_id_idx" ON "app_access_withdrawals"("app_id");

-- CreateIndex
CREATE INDEX "webhook_deliveries_status_next_attempt_at_idx" ON "webhook_deliveries"("status", "next_attempt_at");

-- CreateIndex
CREATE INDEX "webhook_deliveries_app_id_id_idx" ON "webhook_deliveries"("app_id", "id");

-- CreateIndex
CREATE UNIQUE INDEX "webhook_deliveries_outbox_id_app_id_key" ON "webhook_deliveries"("outbox_id", "app_id");

-- CreateIndex
CREATE INDEX "outbox_events_dispatched_at_id_idx" ON "outbox_events"("dispatched_at", "id");

-- AddForeignKey
ALTER TABLE "app_access_withdrawals" ADD CONSTRAINT "app_access_withdrawals_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "app_access_withdrawals" ADD CONSTRAINT "app_access_withdrawals_app_id_fkey" FOREIGN KEY ("app_id") REFERENCES "apps"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_outbox_id_fkey" FOREIGN KEY ("outbox_id") REFERENCES "outbox_events"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_app_id_fkey" FOREIGN KEY ("app_id") REFERENCES "apps"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- ── The consent policy (server/consent-policy.ts) ──
-- One decision, in the database, so the API, the webhooks and the database
-- views cannot disagree. docs/decisions/016-apps-tokens-and-the-consent-policy.md

-- The purposes in effect for a customer now: those whose latest answer is a
-- grant (the contract, terms-of-service, is granted at onboarding). A consent
-- given for an older text stands until the customer answers the new one.
CREATE FUNCTION accord_purposes_in_effect(p_customer uuid) RETURNS text[]
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(latest.purpose_key), '{}')
  FROM (
    SELECT DISTINCT ON (purpose_key) purpose_key, granted
    FROM consent_receipts
    WHERE customer_id = p_customer
    ORDER BY purpose_key, created_at DESC, id DESC
  ) latest
  WHERE latest.granted
$$;

-- The fields a reader may see of a customer, each with the purpose that
-- allows it: {"name": "terms-of-service", "postalAddress": "terms-of-service"}.
-- p_field_purposes is the reader's declaration {"field": ["purpose", …]}: a
-- field is visible when one of the purposes the reader uses it for is in
-- effect. For an app (p_app not null), nothing is visible once the customer
-- withdrew that app's access.
CREATE FUNCTION accord_visible_fields(p_customer uuid, p_app uuid, p_field_purposes jsonb) RETURNS jsonb
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN p_app IS NOT NULL AND EXISTS (
      SELECT 1 FROM app_access_withdrawals w WHERE w.customer_id = p_customer AND w.app_id = p_app
    ) THEN '{}'::jsonb
    ELSE coalesce((
      SELECT jsonb_object_agg(f.key, allowed.purpose)
      FROM (SELECT accord_purposes_in_effect(p_customer) AS purposes) effect,
           jsonb_each(p_field_purposes) f,
           LATERAL (
             SELECT min(p) AS purpose FROM jsonb_array_elements_text(f.value) p
             WHERE p = ANY (effect.purposes)
           ) allowed
      WHERE allowed.purpose IS NOT NULL
    ), '{}'::jsonb)
  END
$$;
