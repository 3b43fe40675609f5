-- AlterTable
ALTER TABLE "Inspection" ADD COLUMN "evidenceExpiredAt" DATETIME;
