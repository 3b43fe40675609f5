-- CreateTable
CREATE TABLE "LineWatch" (
    "calibrationId" TEXT NOT NULL PRIMARY KEY,
    "promise" TEXT,
    "promiseSince" DATETIME,
    "shift" TEXT,
    "shiftSince" DATETIME,
    CONSTRAINT "LineWatch_calibrationId_fkey" FOREIGN KEY ("calibrationId") REFERENCES "Calibration" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
