-- CreateTable
CREATE TABLE "mail_queue" (
    "id" UUID NOT NULL,
    "idempotency_key" VARCHAR(200) NOT NULL,
    "purpose" VARCHAR(40) NOT NULL,
    "payload" BYTEA,
    "status" VARCHAR(16) NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMP(3),
    "last_error" VARCHAR(500),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMP(3),

    CONSTRAINT "mail_queue_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "mail_queue_idempotency_key_key" ON "mail_queue"("idempotency_key");

-- CreateIndex
CREATE INDEX "mail_queue_status_next_attempt_at_idx" ON "mail_queue"("status", "next_attempt_at");
