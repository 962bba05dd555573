-- AlterTable
ALTER TABLE "email_change_requests" ADD COLUMN     "revert_closed_at" TIMESTAMP(3);
