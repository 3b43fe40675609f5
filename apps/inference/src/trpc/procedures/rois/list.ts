import { z } from "zod";
import { viewerProcedure } from "../../trpc.ts";
import { roiBrief } from "../../dto.ts";
import { services } from "../../helpers.ts";
import { listAllRois } from "../../../services/overview.ts";

/** Every ROI (for pickers): ids, names, sample counts, whether a model is active. */
export const list = viewerProcedure
  .input(z.object({ recipeId: z.string().trim().min(1).max(64).optional() }).default({}))
  .query(async ({ ctx, input }) => {
    const rois = await listAllRois(services(ctx), { recipeId: input.recipeId });
    return rois.map((r) => ({
      ...roiBrief(r),
      label: `${r.recipeId} / ${r.roleId} / ${r.roiId}`,
      counts: r.counts,
      activeVersionNumber: r.activeModelVersion?.versionNumber ?? null,
      threshold: r.activeCalibration?.threshold ?? null,
    }));
  });
