-- AlterTable
ALTER TABLE "Inspection" ADD COLUMN "heatmapHigh" REAL;
ALTER TABLE "Inspection" ADD COLUMN "heatmapLow" REAL;
