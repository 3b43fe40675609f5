-- CreateIndex
CREATE INDEX "Inspection_calibrationId_source_decision_reviewStatus_idx" ON "Inspection"("calibrationId", "source", "decision", "reviewStatus");
