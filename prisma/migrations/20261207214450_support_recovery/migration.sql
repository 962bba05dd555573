-- CreateTable
CREATE TABLE "support_recoveries" (
    "id" UUID NOT NULL,
    "customer_id" UUID NOT NULL,
    "agent_id" UUID NOT NULL,
    "case_id" UUID NOT NULL,
    "new_email" VARCHAR(254) NOT NULL,
    "proofs" VARCHAR(16)[],
    "session_proved_at" TIMESTAMP(3),
    "phone_code_hash" CHAR(64),
    "phone_code_expires_at" TIMESTAMP(3),
    "failed_attempts" INTEGER NOT NULL DEFAULT 0,
    "phone_proved_at" TIMESTAMP(3),
    "status" VARCHAR(12) NOT NULL DEFAULT 'proving',
    "hold_until" TIMESTAMP(3),
    "cancel_token_hash" CHAR(64),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "cancelled_at" TIMESTAMP(3),
    "cancelled_by" VARCHAR(20),
    "finished_at" TIMESTAMP(3),

    CONSTRAINT "support_recoveries_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "support_recoveries_cancel_token_hash_key" ON "support_recoveries"("cancel_token_hash");

-- CreateIndex
CREATE INDEX "support_recoveries_customer_id_idx" ON "support_recoveries"("customer_id");

-- CreateIndex
CREATE INDEX "support_recoveries_status_hold_until_idx" ON "support_recoveries"("status", "hold_until");

-- AddForeignKey
ALTER TABLE "support_recoveries" ADD CONSTRAINT "support_recoveries_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "support_recoveries" ADD CONSTRAINT "support_recoveries_agent_id_fkey" FOREIGN KEY ("agent_id") REFERENCES "staff_members"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
