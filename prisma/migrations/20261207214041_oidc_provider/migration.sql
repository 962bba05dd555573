-- AlterTable
ALTER TABLE "apps" ADD COLUMN     "backchannel_logout_uri" VARCHAR(500),
ADD COLUMN     "client_type" VARCHAR(16) NOT NULL DEFAULT 'confidential',
ADD COLUMN     "oidc_scopes" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "optional_claims" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "post_logout_redirect_uris" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "redirect_uris" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "required_claims" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- CreateTable
CREATE TABLE "oidc_payloads" (
    "model" VARCHAR(32) NOT NULL,
    "id" VARCHAR(255) NOT NULL,
    "payload" JSONB NOT NULL,
    "grant_id" VARCHAR(255),
    "user_code" VARCHAR(255),
    "uid" VARCHAR(255),
    "account_id" UUID,
    "client_id" VARCHAR(64),
    "expires_at" TIMESTAMP(3),
    "consumed_at" TIMESTAMP(3),

    CONSTRAINT "oidc_payloads_pkey" PRIMARY KEY ("model","id")
);

-- CreateTable
CREATE TABLE "oidc_signing_keys" (
    "kid" VARCHAR(64) NOT NULL,
    "alg" VARCHAR(16) NOT NULL,
    "private_jwk" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "retired_at" TIMESTAMP(3),

    CONSTRAINT "oidc_signing_keys_pkey" PRIMARY KEY ("kid")
);

-- CreateTable
CREATE TABLE "oidc_consent_choices" (
    "uid" VARCHAR(255) NOT NULL,
    "customer_id" UUID NOT NULL,
    "approved" BOOLEAN NOT NULL,
    "granted" TEXT[],
    "refused" TEXT[],
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "oidc_consent_choices_pkey" PRIMARY KEY ("uid")
);

-- CreateIndex
CREATE INDEX "oidc_payloads_model_grant_id_idx" ON "oidc_payloads"("model", "grant_id");

-- CreateIndex
CREATE INDEX "oidc_payloads_model_uid_idx" ON "oidc_payloads"("model", "uid");

-- CreateIndex
CREATE INDEX "oidc_payloads_account_id_client_id_idx" ON "oidc_payloads"("account_id", "client_id");

-- CreateIndex
CREATE INDEX "oidc_payloads_expires_at_idx" ON "oidc_payloads"("expires_at");

-- CreateIndex
CREATE INDEX "oidc_consent_choices_customer_id_idx" ON "oidc_consent_choices"("customer_id");

-- AddForeignKey
ALTER TABLE "oidc_payloads" ADD CONSTRAINT "oidc_payloads_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "customers"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "oidc_consent_choices" ADD CONSTRAINT "oidc_consent_choices_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE CASCADE ON UPDATE CASCADE;
