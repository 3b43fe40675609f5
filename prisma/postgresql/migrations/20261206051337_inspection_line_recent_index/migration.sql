-- CreateIndex
CREATE INDEX "Inspection_calibrationId_source_createdAt_idx" ON "Inspection"("calibrationId", "source", "createdAt");
