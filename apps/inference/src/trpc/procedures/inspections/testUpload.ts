import { getInspection, getRoi } from "@bdi/db";
import { InspectionTestUploadSchema } from "@bdi/core/dashboard/inspections";
import { publicProcedure } from "../../trpc.ts";
import { inspectionDto } from "../../dto.ts";
import { services, who } from "../../helpers.ts";
import { testInference } from "../../../services/dashboard-inspections.ts";

/**
 * Runs an inference from the dashboard (FormData: roiId, file, mmPerPx?, useRoiShape?) with the ROI's active
 * version and threshold; the result is an Inspection with source "dashboard-test" (it appears in the review queue).
 */
export const testUpload = publicProcedure.input(InspectionTestUploadSchema).mutation(async ({ ctx, input }) => {
  const roi = await getRoi(ctx.svc.db.prisma, input.roiId);
  const image = Buffer.from(await input.file.arrayBuffer());
  const r = await testInference(services(ctx), { roi, image, fileName: input.file.name, mmPerPx: input.mmPerPx, useRoiShape: input.useRoiShape }, who(ctx));
  return inspectionDto(await getInspection(ctx.svc.db.prisma, r.inspectionId));
});
