// The audit filter as the page keeps it (text fields, "" = unset), turned into tRPC input and into the query
// string of the service's CSV export (GET /api/audit.csv takes the same filter).

export type AuditFilterState = { actor: string; action: string; actionPrefix: string; entityType: string; from: string; to: string };

export const EMPTY_AUDIT_FILTER: AuditFilterState = { actor: "", action: "", actionPrefix: "", entityType: "", from: "", to: "" };

/** Only the fields that are set; dates as YYYY-MM-DD (`to` is exclusive on the service, so the day after is sent). */
export function auditFilterInput(f: AuditFilterState): Partial<Record<keyof AuditFilterState, string>> {
  const out: Partial<Record<keyof AuditFilterState, string>> = {};
  for (const k of ["actor", "action", "actionPrefix", "entityType"] as const) if (f[k].trim()) out[k] = f[k].trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(f.from)) out.from = f.from;
  if (/^\d{4}-\d{2}-\d{2}$/.test(f.to)) out.to = nextDay(f.to);
  return out;
}

/** "2026-03-31" → "2026-04-01" (UTC calendar). */
export function nextDay(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/** The CSV export's URL under a service base (the dashboard's `/svc` proxy in the browser). */
export function auditCsvUrl(serviceUrl: string, f: AuditFilterState, roiId?: string | null): string {
  const qs = new URLSearchParams({ ...(auditFilterInput(f) as Record<string, string>), ...(roiId ? { roiId } : {}) }).toString();
  return `${serviceUrl}/api/audit.csv${qs ? `?${qs}` : ""}`;
}
