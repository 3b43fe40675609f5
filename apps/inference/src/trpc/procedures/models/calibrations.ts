import { getModelVersion, listCalibrations } from "@bdi/db";
import { ModelCalibrationsInputSchema } from "@bdi/core/dashboard/models";
import { publicProcedure } from "../../trpc.ts";
import { calibrationDto } from "../../dto.ts";

/** Calibrations of a version, newest first (threshold, rule, rates, who and why). */
export const calibrations = publicProcedure.input(ModelCalibrationsInputSchema).query(async ({ ctx, input }) => {
  const db = ctx.svc.db.prisma;
  await getModelVersion(db, input.modelVersionId);
  return (await listCalibrations(db, { modelVersionId: input.modelVersionId })).map(calibrationDto);
});
