-- AlterTable
ALTER TABLE "ModelVersion" ADD COLUMN     "memoryLayout" TEXT,
ADD COLUMN     "registrationShare" DOUBLE PRECISION;
