// The audit log as the dashboard reads it: filtered pages, the filters' facets, CSV export.
import { auditFacets, exportAuditCsv, listAuditEvents, roisOfAuditEvents, type AuditFilter, type PageArgs } from "@bdi/db";
import type { Services } from "./index.ts";

/** A page of events, each with the ROI it is about (null when none: a recipe, a refused request…). */
export async function auditPage(svc: Services, filter: AuditFilter & PageArgs) {
  const page = await listAuditEvents(svc.ctx.db.prisma, filter);
  const rois = await roisOfAuditEvents(svc.ctx.db.prisma, page.items);
  return { ...page, items: page.items.map((e) => ({ ...e, roiId: rois.get(e.id) ?? null })) };
}

export function auditFilterFacets(svc: Services) {
  return auditFacets(svc.ctx.db.prisma);
}

export function auditCsv(svc: Services, filter: AuditFilter, maxRows?: number): Promise<string> {
  return exportAuditCsv(svc.ctx.db.prisma, filter, maxRows);
}
