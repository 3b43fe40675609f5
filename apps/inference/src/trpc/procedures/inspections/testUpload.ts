import { InspectionTestUploadSchema } from "@bdi/core/dashboard/inspections";
import { engineerProcedure } from "../../trpc.ts";
import { inspectionDto } from "../../dto.ts";
import { services, who } from "../../helpers.ts";
import { inferImage } from "../../../services/infer.ts";
import { findRoiById } from "../../../services/model-versions.ts";
import { findInspectionById } from "../../../services/review.ts";

/**
 * Runs an inference from the dashboard (FormData: roiId, file, mmPerPx?, useRoiShape?) with the ROI's active
 * version and threshold: the same inference as the legacy /infer, recorded with source "dashboard-test" (it appears
 * in the review queue).
 */
export const testUpload = engineerProcedure.input(InspectionTestUploadSchema).mutation(async ({ ctx, input }) => {
  const svc = services(ctx);
  const roi = await findRoiById(svc, input.roiId);
  const { actor, requestId } = who(ctx);
  const out = await inferImage(svc, {
    roi, image: Buffer.from(await input.file.arrayBuffer()), fileName: input.file.name, mmPerPx: input.mmPerPx,
    shape: input.useRoiShape ? roi.shapeJson : null, requireCalibration: true, source: "dashboard-test", requestId: requestId ?? undefined, actor,
  });
  return inspectionDto(await findInspectionById(svc, out.inspectionId));
});
