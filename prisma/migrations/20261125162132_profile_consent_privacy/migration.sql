-- CreateTable
CREATE TABLE "customer_phones" (
    "customer_id" UUID NOT NULL,
    "e164" VARCHAR(16) NOT NULL,
    "verified_at" TIMESTAMP(3),
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "customer_phones_pkey" PRIMARY KEY ("customer_id")
);

-- CreateTable
CREATE TABLE "profile_changes" (
    "id" BIGSERIAL NOT NULL,
    "customer_id" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "attribute" VARCHAR(32) NOT NULL,
    "old_value" JSONB,
    "new_value" JSONB,
    "channel" VARCHAR(64) NOT NULL,
    "verified" BOOLEAN NOT NULL DEFAULT false,
    "changed_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "profile_changes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "email_change_requests" (
    "id" UUID NOT NULL,
    "customer_id" UUID NOT NULL,
    "old_email" VARCHAR(254) NOT NULL,
    "new_email" VARCHAR(254) NOT NULL,
    "link_token_hash" CHAR(64) NOT NULL,
    "code_hash" CHAR(64) NOT NULL,
    "failed_attempts" INTEGER NOT NULL DEFAULT 0,
    "expires_at" TIMESTAMP(3) NOT NULL,
    "verified_at" TIMESTAMP(3),
    "revoked_at" TIMESTAMP(3),
    "revert_token_hash" CHAR(64),
    "revert_expires_at" TIMESTAMP(3),
    "reverted_at" TIMESTAMP(3),
    "channel" VARCHAR(64) NOT NULL,
    "locale" VARCHAR(8) NOT NULL DEFAULT 'en',
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "email_change_requests_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "privacy_opt_outs" (
    "customer_id" UUID NOT NULL,
    "kind" VARCHAR(32) NOT NULL,
    "source" VARCHAR(32) NOT NULL,
    "user_agent" VARCHAR(512),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "privacy_opt_outs_pkey" PRIMARY KEY ("customer_id","kind")
);

-- CreateTable
CREATE TABLE "data_access_log" (
    "id" BIGSERIAL NOT NULL,
    "customer_id" UUID NOT NULL,
    "accessor_type" VARCHAR(16) NOT NULL,
    "accessor_id" VARCHAR(128) NOT NULL,
    "accessor_name" VARCHAR(200) NOT NULL,
    "fields" TEXT[],
    "purpose" VARCHAR(64) NOT NULL,
    "reason" VARCHAR(500),
    "occurred_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "data_access_log_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "profile_changes_customer_id_version_idx" ON "profile_changes"("customer_id", "version");

-- CreateIndex
CREATE UNIQUE INDEX "email_change_requests_link_token_hash_key" ON "email_change_requests"("link_token_hash");

-- CreateIndex
CREATE UNIQUE INDEX "email_change_requests_revert_token_hash_key" ON "email_change_requests"("revert_token_hash");

-- CreateIndex
CREATE INDEX "email_change_requests_customer_id_created_at_idx" ON "email_change_requests"("customer_id", "created_at");

-- CreateIndex
CREATE INDEX "data_access_log_customer_id_occurred_at_idx" ON "data_access_log"("customer_id", "occurred_at");

-- AddForeignKey
ALTER TABLE "customer_phones" ADD CONSTRAINT "customer_phones_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "profile_changes" ADD CONSTRAINT "profile_changes_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "email_change_requests" ADD CONSTRAINT "email_change_requests_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "privacy_opt_outs" ADD CONSTRAINT "privacy_opt_outs_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "data_access_log" ADD CONSTRAINT "data_access_log_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE CASCADE ON UPDATE CASCADE;
