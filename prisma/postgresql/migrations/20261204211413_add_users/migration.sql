-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "Recipe" (
    "id" TEXT NOT NULL,
    "displayName" TEXT NOT NULL,
    "mmPerPx" DOUBLE PRECISION,
    "mmPerPxLockedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Recipe_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Role" (
    "recipeId" TEXT NOT NULL,
    "roleId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Role_pkey" PRIMARY KEY ("recipeId","roleId")
);

-- CreateTable
CREATE TABLE "Roi" (
    "id" TEXT NOT NULL,
    "recipeId" TEXT NOT NULL,
    "roleId" TEXT NOT NULL,
    "roiId" TEXT NOT NULL,
    "modelKey" TEXT NOT NULL,
    "shapeJson" TEXT,
    "mmPerPx" DOUBLE PRECISION,
    "activeModelVersionId" TEXT,
    "activeCalibrationId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Roi_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Sample" (
    "id" TEXT NOT NULL,
    "roiId" TEXT NOT NULL,
    "label" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "storedPath" TEXT NOT NULL,
    "fileName" TEXT NOT NULL,
    "originalFileName" TEXT,
    "sha256" TEXT NOT NULL,
    "width" INTEGER NOT NULL,
    "height" INTEGER NOT NULL,
    "mmPerPx" DOUBLE PRECISION,
    "shapeJson" TEXT,
    "clientMetaJson" TEXT,
    "note" TEXT,
    "ngRegionsJson" TEXT,
    "inspectionId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deletedAt" TIMESTAMP(3),

    CONSTRAINT "Sample_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ModelVersion" (
    "id" TEXT NOT NULL,
    "roiId" TEXT NOT NULL,
    "versionNumber" INTEGER NOT NULL,
    "status" TEXT NOT NULL,
    "backboneId" TEXT NOT NULL,
    "backboneSha256" TEXT NOT NULL,
    "inputSize" INTEGER NOT NULL,
    "featureLayers" TEXT NOT NULL,
    "coresetRateRequested" DOUBLE PRECISION NOT NULL,
    "coresetRateApplied" DOUBLE PRECISION,
    "nEmbeddings" INTEGER,
    "coresetSize" INTEGER,
    "tokenShapeJson" TEXT,
    "artifactPath" TEXT,
    "timingsJson" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "activatedAt" TIMESTAMP(3),
    "retiredAt" TIMESTAMP(3),
    "parentVersionId" TEXT,
    "actor" TEXT NOT NULL,
    "error" TEXT,

    CONSTRAINT "ModelVersion_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ModelVersionSample" (
    "modelVersionId" TEXT NOT NULL,
    "sampleId" TEXT NOT NULL,

    CONSTRAINT "ModelVersionSample_pkey" PRIMARY KEY ("modelVersionId","sampleId")
);

-- CreateTable
CREATE TABLE "Calibration" (
    "id" TEXT NOT NULL,
    "modelVersionId" TEXT NOT NULL,
    "roiId" TEXT NOT NULL,
    "threshold" DOUBLE PRECISION NOT NULL,
    "rule" TEXT NOT NULL,
    "scorePercentile" DOUBLE PRECISION NOT NULL,
    "areaMm2Thr" DOUBLE PRECISION NOT NULL,
    "mmPerPx" DOUBLE PRECISION,
    "okScoresJson" TEXT NOT NULL,
    "ngScoresJson" TEXT,
    "okStatsJson" TEXT,
    "ngStatsJson" TEXT,
    "outOfSample" BOOLEAN NOT NULL DEFAULT false,
    "expectedFalseRejectRate" DOUBLE PRECISION,
    "expectedMissRate" DOUBLE PRECISION,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "active" BOOLEAN NOT NULL DEFAULT false,
    "actor" TEXT NOT NULL,
    "reason" TEXT,

    CONSTRAINT "Calibration_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Inspection" (
    "id" TEXT NOT NULL,
    "roiId" TEXT NOT NULL,
    "modelVersionId" TEXT,
    "calibrationId" TEXT,
    "imageSha256" TEXT NOT NULL,
    "imagePath" TEXT,
    "width" INTEGER NOT NULL,
    "height" INTEGER NOT NULL,
    "mmPerPx" DOUBLE PRECISION,
    "score" DOUBLE PRECISION NOT NULL,
    "threshold" DOUBLE PRECISION,
    "decision" TEXT NOT NULL,
    "regionsJson" TEXT,
    "heatmapPath" TEXT,
    "heatmapLow" DOUBLE PRECISION,
    "heatmapHigh" DOUBLE PRECISION,
    "timingsJson" TEXT,
    "requestId" TEXT,
    "source" TEXT NOT NULL,
    "reviewStatus" TEXT NOT NULL DEFAULT 'pending',
    "reviewNote" TEXT,
    "reviewer" TEXT,
    "reviewedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Inspection_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditEvent" (
    "id" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "entityType" TEXT NOT NULL,
    "entityId" TEXT NOT NULL,
    "beforeJson" TEXT,
    "afterJson" TEXT,
    "requestId" TEXT,
    "reason" TEXT,

    CONSTRAINT "AuditEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "User" (
    "id" TEXT NOT NULL,
    "username" TEXT NOT NULL,
    "displayName" TEXT,
    "role" TEXT NOT NULL,
    "passwordHash" TEXT,
    "oidcIssuer" TEXT,
    "oidcSubject" TEXT,
    "disabled" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "lastSignInAt" TIMESTAMP(3),

    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Roi_activeModelVersionId_key" ON "Roi"("activeModelVersionId");

-- CreateIndex
CREATE UNIQUE INDEX "Roi_activeCalibrationId_key" ON "Roi"("activeCalibrationId");

-- CreateIndex
CREATE UNIQUE INDEX "Roi_recipeId_roleId_roiId_key" ON "Roi"("recipeId", "roleId", "roiId");

-- CreateIndex
CREATE INDEX "Sample_roiId_label_deletedAt_createdAt_idx" ON "Sample"("roiId", "label", "deletedAt", "createdAt");

-- CreateIndex
CREATE INDEX "Sample_roiId_sha256_idx" ON "Sample"("roiId", "sha256");

-- CreateIndex
CREATE INDEX "Sample_roiId_fileName_idx" ON "Sample"("roiId", "fileName");

-- CreateIndex
CREATE INDEX "Sample_inspectionId_idx" ON "Sample"("inspectionId");

-- CreateIndex
CREATE INDEX "ModelVersion_roiId_status_idx" ON "ModelVersion"("roiId", "status");

-- CreateIndex
CREATE UNIQUE INDEX "ModelVersion_roiId_versionNumber_key" ON "ModelVersion"("roiId", "versionNumber");

-- CreateIndex
CREATE INDEX "ModelVersionSample_sampleId_idx" ON "ModelVersionSample"("sampleId");

-- CreateIndex
CREATE INDEX "Calibration_roiId_createdAt_idx" ON "Calibration"("roiId", "createdAt");

-- CreateIndex
CREATE INDEX "Calibration_modelVersionId_idx" ON "Calibration"("modelVersionId");

-- CreateIndex
CREATE INDEX "Inspection_roiId_createdAt_idx" ON "Inspection"("roiId", "createdAt");

-- CreateIndex
CREATE INDEX "Inspection_decision_createdAt_idx" ON "Inspection"("decision", "createdAt");

-- CreateIndex
CREATE INDEX "Inspection_reviewStatus_createdAt_idx" ON "Inspection"("reviewStatus", "createdAt");

-- CreateIndex
CREATE INDEX "Inspection_requestId_idx" ON "Inspection"("requestId");

-- CreateIndex
CREATE INDEX "AuditEvent_entityType_entityId_at_idx" ON "AuditEvent"("entityType", "entityId", "at");

-- CreateIndex
CREATE INDEX "AuditEvent_at_idx" ON "AuditEvent"("at");

-- CreateIndex
CREATE INDEX "AuditEvent_action_at_idx" ON "AuditEvent"("action", "at");

-- CreateIndex
CREATE UNIQUE INDEX "User_username_key" ON "User"("username");

-- CreateIndex
CREATE UNIQUE INDEX "User_oidcIssuer_oidcSubject_key" ON "User"("oidcIssuer", "oidcSubject");

-- AddForeignKey
ALTER TABLE "Role" ADD CONSTRAINT "Role_recipeId_fkey" FOREIGN KEY ("recipeId") REFERENCES "Recipe"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Roi" ADD CONSTRAINT "Roi_recipeId_fkey" FOREIGN KEY ("recipeId") REFERENCES "Recipe"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Roi" ADD CONSTRAINT "Roi_recipeId_roleId_fkey" FOREIGN KEY ("recipeId", "roleId") REFERENCES "Role"("recipeId", "roleId") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Roi" ADD CONSTRAINT "Roi_activeModelVersionId_fkey" FOREIGN KEY ("activeModelVersionId") REFERENCES "ModelVersion"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Roi" ADD CONSTRAINT "Roi_activeCalibrationId_fkey" FOREIGN KEY ("activeCalibrationId") REFERENCES "Calibration"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Sample" ADD CONSTRAINT "Sample_roiId_fkey" FOREIGN KEY ("roiId") REFERENCES "Roi"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Sample" ADD CONSTRAINT "Sample_inspectionId_fkey" FOREIGN KEY ("inspectionId") REFERENCES "Inspection"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ModelVersion" ADD CONSTRAINT "ModelVersion_roiId_fkey" FOREIGN KEY ("roiId") REFERENCES "Roi"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ModelVersion" ADD CONSTRAINT "ModelVersion_parentVersionId_fkey" FOREIGN KEY ("parentVersionId") REFERENCES "ModelVersion"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ModelVersionSample" ADD CONSTRAINT "ModelVersionSample_modelVersionId_fkey" FOREIGN KEY ("modelVersionId") REFERENCES "ModelVersion"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ModelVersionSample" ADD CONSTRAINT "ModelVersionSample_sampleId_fkey" FOREIGN KEY ("sampleId") REFERENCES "Sample"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Calibration" ADD CONSTRAINT "Calibration_modelVersionId_fkey" FOREIGN KEY ("modelVersionId") REFERENCES "ModelVersion"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Calibration" ADD CONSTRAINT "Calibration_roiId_fkey" FOREIGN KEY ("roiId") REFERENCES "Roi"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Inspection" ADD CONSTRAINT "Inspection_roiId_fkey" FOREIGN KEY ("roiId") REFERENCES "Roi"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Inspection" ADD CONSTRAINT "Inspection_modelVersionId_fkey" FOREIGN KEY ("modelVersionId") REFERENCES "ModelVersion"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Inspection" ADD CONSTRAINT "Inspection_calibrationId_fkey" FOREIGN KEY ("calibrationId") REFERENCES "Calibration"("id") ON DELETE SET NULL ON UPDATE CASCADE;
