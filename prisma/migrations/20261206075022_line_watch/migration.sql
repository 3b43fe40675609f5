-- CreateTable
CREATE TABLE "LineWatch" (
    "calibrationId" TEXT NOT NULL PRIMARY KEY,
    "promise" TEXT,
    "shift" TEXT,
    "changedAt" DATETIME NOT NULL,
    CONSTRAINT "LineWatch_calibrationId_fkey" FOREIGN KEY ("calibrationId") REFERENCES "Calibration" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
