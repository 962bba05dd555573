-- CreateTable
CREATE TABLE "categories" (
    "key" VARCHAR(32) NOT NULL,
    "parent_key" VARCHAR(32),
    "label_en" VARCHAR(100) NOT NULL,
    "label_fr" VARCHAR(100) NOT NULL,
    "sort_order" INTEGER NOT NULL,
    "retired_at" TIMESTAMP(3),

    CONSTRAINT "categories_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "stores" (
    "key" VARCHAR(32) NOT NULL,
    "name" VARCHAR(100) NOT NULL,
    "city" VARCHAR(100) NOT NULL,
    "country" CHAR(2) NOT NULL,
    "sort_order" INTEGER NOT NULL,
    "retired_at" TIMESTAMP(3),

    CONSTRAINT "stores_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "customer_preferences" (
    "customer_id" UUID NOT NULL,
    "name" VARCHAR(32) NOT NULL,
    "value" VARCHAR(64) NOT NULL,
    "channel" VARCHAR(64) NOT NULL,
    "app_id" UUID,
    "set_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "customer_preferences_pkey" PRIMARY KEY ("customer_id","name","value")
);

-- CreateTable
CREATE TABLE "preference_changes" (
    "id" BIGSERIAL NOT NULL,
    "customer_id" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "name" VARCHAR(32) NOT NULL,
    "old_value" VARCHAR(64),
    "new_value" VARCHAR(64),
    "channel" VARCHAR(64) NOT NULL,
    "changed_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "preference_changes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "customer_signals" (
    "id" BIGSERIAL NOT NULL,
    "customer_id" UUID NOT NULL,
    "app_id" UUID,
    "kind" VARCHAR(16) NOT NULL,
    "category" VARCHAR(32) NOT NULL,
    "item" VARCHAR(64),
    "occurred_at" TIMESTAMP(3) NOT NULL,
    "received_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "customer_signals_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "personalization_states" (
    "customer_id" UUID NOT NULL,
    "preferences_version" INTEGER NOT NULL DEFAULT 0,
    "signals_version" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "personalization_states_pkey" PRIMARY KEY ("customer_id")
);

-- CreateTable
CREATE TABLE "api_idempotency_keys" (
    "app_id" UUID NOT NULL,
    "key" VARCHAR(255) NOT NULL,
    "customer_id" UUID,
    "fingerprint" CHAR(64) NOT NULL,
    "status" INTEGER NOT NULL,
    "body" JSONB,
    "headers" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "api_idempotency_keys_pkey" PRIMARY KEY ("app_id","key")
);

-- CreateTable
CREATE TABLE "content_objects" (
    "id" UUID NOT NULL,
    "type" VARCHAR(16) NOT NULL,
    "key" VARCHAR(64) NOT NULL,
    "slot" VARCHAR(32),
    "live_revision_id" UUID,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "content_objects_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "content_revisions" (
    "id" UUID NOT NULL,
    "object_id" UUID NOT NULL,
    "number" INTEGER NOT NULL,
    "body" JSONB NOT NULL,
    "author_staff_id" UUID,
    "author_label" VARCHAR(200) NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "content_revisions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "content_publications" (
    "id" BIGSERIAL NOT NULL,
    "object_id" UUID NOT NULL,
    "from_revision_id" UUID,
    "to_revision_id" UUID,
    "action" VARCHAR(16) NOT NULL,
    "status" VARCHAR(16) NOT NULL,
    "requested_by_staff_id" UUID,
    "requested_by_label" VARCHAR(200) NOT NULL,
    "decided_by_staff_id" UUID,
    "decided_by_label" VARCHAR(200),
    "requested_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "decided_at" TIMESTAMP(3),
    "note" VARCHAR(500),

    CONSTRAINT "content_publications_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "content_state" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "version" INTEGER NOT NULL DEFAULT 1,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "content_state_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "content_images" (
    "id" UUID NOT NULL,
    "sha256" CHAR(64) NOT NULL,
    "width" INTEGER NOT NULL,
    "height" INTEGER NOT NULL,
    "size" INTEGER NOT NULL,
    "bytes" BYTEA NOT NULL,
    "uploaded_by" VARCHAR(200) NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "content_images_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "content_stats" (
    "day" DATE NOT NULL,
    "revision_id" UUID NOT NULL,
    "slot" VARCHAR(32) NOT NULL,
    "channel" VARCHAR(64) NOT NULL,
    "group" VARCHAR(16) NOT NULL,
    "impressions" BIGINT NOT NULL DEFAULT 0,
    "clicks" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "content_stats_pkey" PRIMARY KEY ("day","revision_id","slot","channel","group")
);

-- CreateIndex
CREATE INDEX "customer_preferences_name_value_idx" ON "customer_preferences"("name", "value");

-- CreateIndex
CREATE INDEX "preference_changes_customer_id_version_idx" ON "preference_changes"("customer_id", "version");

-- CreateIndex
CREATE INDEX "customer_signals_customer_id_kind_category_occurred_at_idx" ON "customer_signals"("customer_id", "kind", "category", "occurred_at");

-- CreateIndex
CREATE INDEX "customer_signals_category_kind_occurred_at_idx" ON "customer_signals"("category", "kind", "occurred_at");

-- CreateIndex
CREATE INDEX "api_idempotency_keys_expires_at_idx" ON "api_idempotency_keys"("expires_at");

-- CreateIndex
CREATE INDEX "api_idempotency_keys_customer_id_idx" ON "api_idempotency_keys"("customer_id");

-- CreateIndex
CREATE UNIQUE INDEX "content_objects_live_revision_id_key" ON "content_objects"("live_revision_id");

-- CreateIndex
CREATE UNIQUE INDEX "content_objects_type_key_key" ON "content_objects"("type", "key");

-- CreateIndex
CREATE UNIQUE INDEX "content_revisions_object_id_number_key" ON "content_revisions"("object_id", "number");

-- CreateIndex
CREATE INDEX "content_publications_object_id_requested_at_idx" ON "content_publications"("object_id", "requested_at");

-- CreateIndex
CREATE INDEX "content_publications_status_idx" ON "content_publications"("status");

-- CreateIndex
CREATE UNIQUE INDEX "content_images_sha256_key" ON "content_images"("sha256");

-- AddForeignKey
ALTER TABLE "customer_preferences" ADD CONSTRAINT "customer_preferences_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "customer_preferences" ADD CONSTRAINT "customer_preferences_app_id_fkey" FOREIGN KEY ("app_id") REFERENCES "apps"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "preference_changes" ADD CONSTRAINT "preference_changes_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "customer_signals" ADD CONSTRAINT "customer_signals_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "customer_signals" ADD CONSTRAINT "customer_signals_app_id_fkey" FOREIGN KEY ("app_id") REFERENCES "apps"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "customer_signals" ADD CONSTRAINT "customer_signals_category_fkey" FOREIGN KEY ("category") REFERENCES "categories"("key") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "personalization_states" ADD CONSTRAINT "personalization_states_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "api_idempotency_keys" ADD CONSTRAINT "api_idempotency_keys_app_id_fkey" FOREIGN KEY ("app_id") REFERENCES "apps"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "api_idempotency_keys" ADD CONSTRAINT "api_idempotency_keys_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "content_objects" ADD CONSTRAINT "content_objects_live_revision_id_fkey" FOREIGN KEY ("live_revision_id") REFERENCES "content_revisions"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "content_revisions" ADD CONSTRAINT "content_revisions_object_id_fkey" FOREIGN KEY ("object_id") REFERENCES "content_objects"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "content_revisions" ADD CONSTRAINT "content_revisions_author_staff_id_fkey" FOREIGN KEY ("author_staff_id") REFERENCES "staff_members"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "content_publications" ADD CONSTRAINT "content_publications_object_id_fkey" FOREIGN KEY ("object_id") REFERENCES "content_objects"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "content_publications" ADD CONSTRAINT "content_publications_from_revision_id_fkey" FOREIGN KEY ("from_revision_id") REFERENCES "content_revisions"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "content_publications" ADD CONSTRAINT "content_publications_to_revision_id_fkey" FOREIGN KEY ("to_revision_id") REFERENCES "content_revisions"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "content_stats" ADD CONSTRAINT "content_stats_revision_id_fkey" FOREIGN KEY ("revision_id") REFERENCES "content_revisions"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- ─── Hand-written (docs/decisions/035-personalization.md) ───────────────────

ALTER TABLE "customer_preferences" ADD CONSTRAINT "customer_preferences_name_check"
  CHECK ("name" IN ('interest', 'favouriteStore', 'channel', 'size.clothing', 'size.shoes'));
-- Single-valued names: at most one value per customer.
CREATE UNIQUE INDEX "customer_preferences_single_value_key" ON "customer_preferences" ("customer_id", "name")
  WHERE "name" IN ('favouriteStore', 'size.clothing', 'size.shoes');
ALTER TABLE "customer_signals" ADD CONSTRAINT "customer_signals_kind_check"
  CHECK ("kind" IN ('viewed', 'cart-added', 'cart-removed', 'purchased'));
ALTER TABLE "content_objects" ADD CONSTRAINT "content_objects_type_check"
  CHECK ("type" IN ('block', 'segment', 'settings'));
ALTER TABLE "content_objects" ADD CONSTRAINT "content_objects_slot_check"
  CHECK (("type" = 'block') = ("slot" IS NOT NULL));
ALTER TABLE "content_publications" ADD CONSTRAINT "content_publications_action_check"
  CHECK ("action" IN ('publish', 'unpublish', 'revert'));
ALTER TABLE "content_publications" ADD CONSTRAINT "content_publications_status_check"
  CHECK ("status" IN ('pending', 'applied', 'rejected', 'stale'));
-- A second person approves (CONTENT_APPROVAL=second-person): never the requester.
ALTER TABLE "content_publications" ADD CONSTRAINT "content_publications_second_person_check"
  CHECK ("decided_by_staff_id" IS NULL OR "requested_by_staff_id" IS NULL
         OR "decided_by_staff_id" <> "requested_by_staff_id" OR "status" <> 'applied' OR "action" <> 'publish');
ALTER TABLE "content_state" ADD CONSTRAINT "content_state_one_row_check" CHECK ("id" = 1);
INSERT INTO "content_state" ("id", "version") VALUES (1, 1);

-- Revisions are append-only: history, diff and revert rest on them.
CREATE FUNCTION accord_content_revisions_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'content_revisions is append-only' USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER "content_revisions_append_only" BEFORE UPDATE OR DELETE ON "content_revisions"
  FOR EACH ROW EXECUTE FUNCTION accord_content_revisions_append_only();
CREATE TRIGGER "content_revisions_no_truncate" BEFORE TRUNCATE ON "content_revisions"
  FOR EACH STATEMENT EXECUTE FUNCTION accord_content_revisions_append_only();

-- Withdrawing personalization deletes the customer's signals in the withdrawal's
-- own transaction: consent/ may not import personalization/, and no path may forget it.
-- Preferences stay (the customer set or sees them), unused while not granted.
CREATE FUNCTION accord_forget_signals_on_refusal() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.customer_id IS NOT NULL THEN
    DELETE FROM customer_signals WHERE customer_id = NEW.customer_id;
    IF FOUND THEN
      INSERT INTO personalization_states (customer_id, signals_version) VALUES (NEW.customer_id, 1)
      ON CONFLICT (customer_id) DO UPDATE SET signals_version = personalization_states.signals_version + 1;
    END IF;
  END IF;
  RETURN NULL;
END;
$$;
CREATE TRIGGER "consent_receipts_forget_signals" AFTER INSERT ON "consent_receipts"
  FOR EACH ROW WHEN (NEW.purpose_key = 'personalization' AND NOT NEW.granted)
  EXECUTE FUNCTION accord_forget_signals_on_refusal();

-- The brand-wide holdout: a stable bucket 0–9999 per customer
-- (server/personalization/holdout.ts is its JavaScript twin, tested equal).
CREATE FUNCTION accord_holdout_bucket(customer_id uuid) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT (('x' || substr(encode(sha256(convert_to('accord-holdout:' || customer_id::text, 'UTF8')), 'hex'), 1, 8))::bit(32)::bigint % 10000)::integer
$$;
