-- CreateTable
CREATE TABLE "Job" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "kind" TEXT NOT NULL,
    "roiId" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "progress" REAL NOT NULL DEFAULT 0,
    "stage" TEXT NOT NULL,
    "message" TEXT,
    "actor" TEXT NOT NULL,
    "requestId" TEXT,
    "payloadJson" TEXT NOT NULL,
    "resultJson" TEXT,
    "error" TEXT,
    "cancelledBy" TEXT,
    "cancelReason" TEXT,
    "replicaId" TEXT,
    "attempt" INTEGER NOT NULL DEFAULT 0,
    "modelVersionId" TEXT,
    "heartbeatAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" DATETIME,
    "finishedAt" DATETIME
);

-- CreateIndex
CREATE INDEX "Job_status_roiId_createdAt_idx" ON "Job"("status", "roiId", "createdAt");

-- CreateIndex
CREATE INDEX "Job_createdAt_idx" ON "Job"("createdAt");
