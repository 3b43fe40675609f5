-- AlterTable
ALTER TABLE "Inspection" ADD COLUMN     "evidenceExpiredAt" TIMESTAMP(3);
