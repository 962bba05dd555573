-- CreateIndex
CREATE INDEX "accounts_user_id_idx" ON "accounts"("user_id");
