import { AuditListInputSchema } from "@bdi/core/dashboard/audit";
import { viewerProcedure } from "../../trpc.ts";
import { auditDto } from "../../dto.ts";
import { services } from "../../helpers.ts";
import { auditPage } from "../../../services/audit.ts";

/** Audit events newest first, filtered by actor / action (or prefix) / entity / ROI / request / date, each with its ROI; cursor pagination. */
export const list = viewerProcedure.input(AuditListInputSchema).query(async ({ ctx, input }) => {
  const { cursor, limit, ...filter } = input;
  const page = await auditPage(services(ctx), { ...filter, cursor: cursor ?? null, limit });
  return { items: page.items.map((e) => ({ ...auditDto(e), roiId: e.roiId })), nextCursor: page.nextCursor };
});
