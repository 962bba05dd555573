-- AlterTable
ALTER TABLE "webauthn_challenges" ADD COLUMN     "staff_id" UUID;

-- CreateTable
CREATE TABLE "staff_members" (
    "id" UUID NOT NULL,
    "email" VARCHAR(254) NOT NULL,
    "display_name" VARCHAR(100) NOT NULL,
    "roles" TEXT[],
    "locale" VARCHAR(8) NOT NULL DEFAULT 'en',
    "activated_at" TIMESTAMP(3),
    "disabled_at" TIMESTAMP(3),
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "staff_members_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "staff_passkeys" (
    "id" UUID NOT NULL,
    "staff_id" UUID NOT NULL,
    "credential_id" VARCHAR(1024) NOT NULL,
    "public_key" BYTEA NOT NULL,
    "counter" BIGINT NOT NULL DEFAULT 0,
    "transports" TEXT[],
    "device_type" VARCHAR(32) NOT NULL,
    "backed_up" BOOLEAN NOT NULL,
    "name" VARCHAR(100) NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMP(3),

    CONSTRAINT "staff_passkeys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "staff_sessions" (
    "id" UUID NOT NULL,
    "token_hash" CHAR(64) NOT NULL,
    "staff_id" UUID NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMP(3) NOT NULL,
    "last_active_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "authenticated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "user_agent" VARCHAR(512),
    "ip_prefix" VARCHAR(64),

    CONSTRAINT "staff_sessions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "staff_invitations" (
    "id" UUID NOT NULL,
    "token_hash" CHAR(64) NOT NULL,
    "staff_id" UUID NOT NULL,
    "invited_by" UUID,
    "expires_at" TIMESTAMP(3) NOT NULL,
    "used_at" TIMESTAMP(3),
    "revoked_at" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "staff_invitations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_log" (
    "id" BIGSERIAL NOT NULL,
    "occurred_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor_type" VARCHAR(8) NOT NULL,
    "actor_staff_id" UUID,
    "actor_label" VARCHAR(200) NOT NULL,
    "action" VARCHAR(64) NOT NULL,
    "object_type" VARCHAR(32),
    "object_id" VARCHAR(128),
    "customer_id" UUID,
    "subject_pseudonym" CHAR(64),
    "reason" VARCHAR(500),
    "request_id" VARCHAR(64),
    "details" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "audit_log_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "staff_members_email_key" ON "staff_members"("email");

-- CreateIndex
CREATE UNIQUE INDEX "staff_passkeys_credential_id_key" ON "staff_passkeys"("credential_id");

-- CreateIndex
CREATE INDEX "staff_passkeys_staff_id_idx" ON "staff_passkeys"("staff_id");

-- CreateIndex
CREATE UNIQUE INDEX "staff_sessions_token_hash_key" ON "staff_sessions"("token_hash");

-- CreateIndex
CREATE INDEX "staff_sessions_staff_id_idx" ON "staff_sessions"("staff_id");

-- CreateIndex
CREATE UNIQUE INDEX "staff_invitations_token_hash_key" ON "staff_invitations"("token_hash");

-- CreateIndex
CREATE INDEX "staff_invitations_staff_id_idx" ON "staff_invitations"("staff_id");

-- CreateIndex
CREATE INDEX "audit_log_occurred_at_idx" ON "audit_log"("occurred_at");

-- CreateIndex
CREATE INDEX "audit_log_actor_staff_id_occurred_at_idx" ON "audit_log"("actor_staff_id", "occurred_at");

-- CreateIndex
CREATE INDEX "audit_log_customer_id_idx" ON "audit_log"("customer_id");

-- CreateIndex
CREATE INDEX "audit_log_action_occurred_at_idx" ON "audit_log"("action", "occurred_at");

-- CreateIndex
CREATE INDEX "audit_log_object_type_object_id_idx" ON "audit_log"("object_type", "object_id");

-- AddForeignKey
ALTER TABLE "staff_passkeys" ADD CONSTRAINT "staff_passkeys_staff_id_fkey" FOREIGN KEY ("staff_id") REFERENCES "staff_members"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "staff_sessions" ADD CONSTRAINT "staff_sessions_staff_id_fkey" FOREIGN KEY ("staff_id") REFERENCES "staff_members"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "staff_invitations" ADD CONSTRAINT "staff_invitations_staff_id_fkey" FOREIGN KEY ("staff_id") REFERENCES "staff_members"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "staff_invitations" ADD CONSTRAINT "staff_invitations_invited_by_fkey" FOREIGN KEY ("invited_by") REFERENCES "staff_members"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "audit_log" ADD CONSTRAINT "audit_log_actor_staff_id_fkey" FOREIGN KEY ("actor_staff_id") REFERENCES "staff_members"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "audit_log" ADD CONSTRAINT "audit_log_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- ── Hand-written: rules Prisma does not model (docs/decisions/033-staff-console.md) ──

-- Roles are code (server/staff/permissions.ts); the database refuses any other
-- and a member without one.
ALTER TABLE "staff_members" ADD CONSTRAINT "staff_members_roles_check"
  CHECK (cardinality("roles") > 0
         AND "roles" <@ ARRAY['administrator', 'marketer', 'support-agent', 'privacy-officer']::text[]);
ALTER TABLE "staff_members" ADD CONSTRAINT "staff_members_email_lower_check" CHECK ("email" = lower("email"));

-- One open invitation per member: a new one revokes the previous in the same transaction.
CREATE UNIQUE INDEX "staff_invitations_one_open_per_member"
  ON "staff_invitations" ("staff_id") WHERE "used_at" IS NULL AND "revoked_at" IS NULL;

-- A ceremony belongs to a customer or to a staff member, never both.
ALTER TABLE "webauthn_challenges" ADD CONSTRAINT "webauthn_challenges_one_owner_check"
  CHECK ("customer_id" IS NULL OR "staff_id" IS NULL);

ALTER TABLE "audit_log" ADD CONSTRAINT "audit_log_actor_check"
  CHECK (("actor_type" = 'staff' AND "actor_staff_id" IS NOT NULL)
         OR ("actor_type" = 'cli' AND "actor_staff_id" IS NULL));

-- The audit trail is append-only. The runtime role gets SELECT and INSERT only
-- (scripts/db/roles.ts); this trigger also stops the owner and superusers,
-- so nothing goes by mistake. The one change allowed: the customer-erasure
-- trigger below clearing customer_id (every other column unchanged), which only
-- runs nested in a DELETE on customers.
REVOKE ALL ON "audit_log" FROM PUBLIC;

CREATE FUNCTION accord_audit_guard() RETURNS trigger
LANGUAGE plpgsql
SET search_path = public, pg_temp
AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND pg_trigger_depth() > 1
     AND OLD.customer_id IS NOT NULL AND NEW.customer_id IS NULL
     AND (to_jsonb(NEW) - 'customer_id') = (to_jsonb(OLD) - 'customer_id') THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = '42501';
END
$$;

CREATE TRIGGER "audit_log_append_only" BEFORE UPDATE OR DELETE ON "audit_log"
  FOR EACH ROW EXECUTE FUNCTION accord_audit_guard();
CREATE TRIGGER "audit_log_no_truncate" BEFORE TRUNCATE ON "audit_log"
  FOR EACH STATEMENT EXECUTE FUNCTION accord_audit_guard();

-- Erasing a customer pseudonymizes their audit rows, never deletes them: the
-- rows keep subject_pseudonym and lose customer_id, before the customer row
-- goes (the foreign key is RESTRICT, so an erasure that skipped this fails).
-- SECURITY DEFINER: it runs as the owner, the only role with UPDATE on audit_log.
CREATE FUNCTION accord_audit_forget_customer() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
BEGIN
  UPDATE audit_log SET customer_id = NULL WHERE customer_id = OLD.id;
  RETURN OLD;
END
$$;

CREATE TRIGGER "customers_forget_audit_rows" BEFORE DELETE ON "customers"
  FOR EACH ROW EXECUTE FUNCTION accord_audit_forget_customer();
