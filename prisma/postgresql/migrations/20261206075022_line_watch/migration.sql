-- CreateTable
CREATE TABLE "LineWatch" (
    "calibrationId" TEXT NOT NULL,
    "promise" TEXT,
    "promiseSince" TIMESTAMP(3),
    "shift" TEXT,
    "shiftSince" TIMESTAMP(3),

    CONSTRAINT "LineWatch_pkey" PRIMARY KEY ("calibrationId")
);

-- AddForeignKey
ALTER TABLE "LineWatch" ADD CONSTRAINT "LineWatch_calibrationId_fkey" FOREIGN KEY ("calibrationId") REFERENCES "Calibration"("id") ON DELETE CASCADE ON UPDATE CASCADE;
