-- AlterTable
ALTER TABLE "apps" ADD COLUMN     "webhook_secret_previous" VARCHAR(100),
ADD COLUMN     "webhook_secret_previous_until" TIMESTAMP(3);
