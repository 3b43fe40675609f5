// The audit log as the dashboard reads it: filtered pages, the filters' facets, CSV export.
import { auditFacets, exportAuditCsv, listAuditEvents, type AuditFilter, type PageArgs } from "@bdi/db";
import type { Services } from "./index.ts";

export function auditPage(svc: Services, filter: AuditFilter & PageArgs) {
  return listAuditEvents(svc.ctx.db.prisma, filter);
}

export function auditFilterFacets(svc: Services) {
  return auditFacets(svc.ctx.db.prisma);
}

export function auditCsv(svc: Services, filter: AuditFilter, maxRows?: number): Promise<string> {
  return exportAuditCsv(svc.ctx.db.prisma, filter, maxRows);
}
