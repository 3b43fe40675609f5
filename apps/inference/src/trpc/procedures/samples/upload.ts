import { SampleUploadFormSchema } from "@bdi/core/dashboard/samples";
import { engineerProcedure } from "../../trpc.ts";
import { roiBrief, sampleDto } from "../../dto.ts";
import { services, who } from "../../helpers.ts";
import { dashboardUpload } from "../../../services/dataset.ts";

/**
 * Multi-upload (FormData: roiId | recipeId+roleId+roiName, label, mmPerPx?, note?, files…), all or nothing:
 * every image is validated before anything is written. Send it through the non-batching httpLink.
 */
export const upload = engineerProcedure.input(SampleUploadFormSchema).mutation(async ({ ctx, input }) => {
  const { roi, samples } = await dashboardUpload(services(ctx), input, who(ctx));
  return { roi: roiBrief(roi), samples: samples.map(sampleDto) };
});
