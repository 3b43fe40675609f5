-- AlterTable
ALTER TABLE "ModelVersion" ADD COLUMN "memoryLayout" TEXT;
ALTER TABLE "ModelVersion" ADD COLUMN "registrationShare" REAL;
