-- CreateTable
CREATE TABLE "support_codes" (
    "id" UUID NOT NULL,
    "customer_id" UUID NOT NULL,
    "session_id" UUID NOT NULL,
    "code_hash" CHAR(64) NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMP(3) NOT NULL,
    "used_at" TIMESTAMP(3),

    CONSTRAINT "support_codes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "support_cases" (
    "id" UUID NOT NULL,
    "customer_id" UUID NOT NULL,
    "agent_id" UUID NOT NULL,
    "opened_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "closed_at" TIMESTAMP(3),
    "verification_method" VARCHAR(16) NOT NULL,
    "verified_at" TIMESTAMP(3) NOT NULL,
    "verified_session_id" UUID,
    "verified_session_label" VARCHAR(200),
    "version" INTEGER NOT NULL DEFAULT 1,

    CONSTRAINT "support_cases_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "support_case_notes" (
    "id" BIGSERIAL NOT NULL,
    "case_id" UUID NOT NULL,
    "author_id" UUID NOT NULL,
    "body" VARCHAR(2000) NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "support_case_notes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "support_verification_requests" (
    "id" UUID NOT NULL,
    "customer_id" UUID NOT NULL,
    "agent_id" UUID NOT NULL,
    "number" CHAR(2) NOT NULL,
    "status" VARCHAR(12) NOT NULL DEFAULT 'pending',
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMP(3) NOT NULL,
    "decided_at" TIMESTAMP(3),
    "decided_session_id" UUID,
    "case_id" UUID,

    CONSTRAINT "support_verification_requests_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "support_reveals" (
    "id" BIGSERIAL NOT NULL,
    "case_id" UUID NOT NULL,
    "customer_id" UUID NOT NULL,
    "agent_id" UUID NOT NULL,
    "field" VARCHAR(32) NOT NULL,
    "reason" VARCHAR(32) NOT NULL,
    "ticket_ref" VARCHAR(100) NOT NULL,
    "revealed_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "support_reveals_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "support_codes_session_id_key" ON "support_codes"("session_id");

-- CreateIndex
CREATE INDEX "support_codes_customer_id_idx" ON "support_codes"("customer_id");

-- CreateIndex
CREATE INDEX "support_cases_agent_id_closed_at_idx" ON "support_cases"("agent_id", "closed_at");

-- CreateIndex
CREATE INDEX "support_cases_customer_id_opened_at_idx" ON "support_cases"("customer_id", "opened_at");

-- CreateIndex
CREATE INDEX "support_case_notes_case_id_created_at_idx" ON "support_case_notes"("case_id", "created_at");

-- CreateIndex
CREATE INDEX "support_verification_requests_customer_id_status_idx" ON "support_verification_requests"("customer_id", "status");

-- CreateIndex
CREATE INDEX "support_verification_requests_agent_id_created_at_idx" ON "support_verification_requests"("agent_id", "created_at");

-- CreateIndex
CREATE INDEX "support_reveals_case_id_field_expires_at_idx" ON "support_reveals"("case_id", "field", "expires_at");

-- CreateIndex
CREATE INDEX "support_reveals_customer_id_revealed_at_idx" ON "support_reveals"("customer_id", "revealed_at");

-- AddForeignKey
ALTER TABLE "support_codes" ADD CONSTRAINT "support_codes_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "support_codes" ADD CONSTRAINT "support_codes_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "sessions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "support_cases" ADD CONSTRAINT "support_cases_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "support_cases" ADD CONSTRAINT "support_cases_agent_id_fkey" FOREIGN KEY ("agent_id") REFERENCES "staff_members"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "support_case_notes" ADD CONSTRAINT "support_case_notes_case_id_fkey" FOREIGN KEY ("case_id") REFERENCES "support_cases"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "support_case_notes" ADD CONSTRAINT "support_case_notes_author_id_fkey" FOREIGN KEY ("author_id") REFERENCES "staff_members"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "support_verification_requests" ADD CONSTRAINT "support_verification_requests_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "support_verification_requests" ADD CONSTRAINT "support_verification_requests_agent_id_fkey" FOREIGN KEY ("agent_id") REFERENCES "staff_members"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "support_reveals" ADD CONSTRAINT "support_reveals_case_id_fkey" FOREIGN KEY ("case_id") REFERENCES "support_cases"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "support_reveals" ADD CONSTRAINT "support_reveals_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "support_reveals" ADD CONSTRAINT "support_reveals_agent_id_fkey" FOREIGN KEY ("agent_id") REFERENCES "staff_members"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- The closed vocabularies, enforced where every writer meets them.
ALTER TABLE "support_cases" ADD CONSTRAINT "support_cases_verification_method_check"
  CHECK ("verification_method" IN ('support-code', 'portal-approval'));
ALTER TABLE "support_verification_requests" ADD CONSTRAINT "support_verification_requests_status_check"
  CHECK ("status" IN ('pending', 'approved', 'refused', 'expired'));
ALTER TABLE "support_verification_requests" ADD CONSTRAINT "support_verification_requests_number_check"
  CHECK ("number" ~ '^[0-9]{2}$');
ALTER TABLE "support_codes" ADD CONSTRAINT "support_codes_attempts_check" CHECK ("attempts" >= 0);
