/*
  Warnings:

  - A unique constraint covering the columns `[token_hash]` on the table `pending_identity_links` will be added. If there are existing duplicate values, this will fail.
  - Added the required column `token_hash` to the `pending_identity_links` table without a default value. This is not possible if the table is not empty.

*/
-- AlterTable
ALTER TABLE "pending_identity_links" ADD COLUMN     "token_hash" CHAR(64) NOT NULL;

-- CreateIndex
CREATE UNIQUE INDEX "pending_identity_links_token_hash_key" ON "pending_identity_links"("token_hash");

-- CreateIndex
CREATE INDEX "pending_identity_links_customer_id_idx" ON "pending_identity_links"("customer_id");

-- AddForeignKey
ALTER TABLE "pending_identity_links" ADD CONSTRAINT "pending_identity_links_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE CASCADE ON UPDATE CASCADE;
