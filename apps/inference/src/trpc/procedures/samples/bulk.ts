import { SampleBulkInputSchema } from "@bdi/core/dashboard/samples";
import { engineerProcedure } from "../../trpc.ts";
import { sampleDto } from "../../dto.ts";
import { services, who } from "../../helpers.ts";
import { bulkSamples } from "../../../services/dataset.ts";

/** Relabel / delete / restore many samples at once, all or nothing (one audit event per changed sample). */
export const bulk = engineerProcedure.input(SampleBulkInputSchema).mutation(async ({ ctx, input }) => {
  const items = await bulkSamples(services(ctx), input, who(ctx, input.reason));
  return { count: items.length, items: items.map(sampleDto) };
});
