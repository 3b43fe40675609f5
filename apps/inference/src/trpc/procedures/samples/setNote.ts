import { setSampleNote } from "@bdi/db";
import { SampleSetNoteInputSchema } from "@bdi/core/dashboard/samples";
import { publicProcedure } from "../../trpc.ts";
import { sampleDto } from "../../dto.ts";
import { who } from "../../helpers.ts";

/** Set or clear (null / "") a sample's note. */
export const setNote = publicProcedure.input(SampleSetNoteInputSchema).mutation(async ({ ctx, input }) => {
  const note = input.note ? input.note : null;
  return sampleDto(await setSampleNote(ctx.svc.db.prisma, { sampleId: input.id, note }, who(ctx)));
});
