import { test } from "node:test";
import assert from "node:assert/strict";
import { AuditCsvQuerySchema, AuditListInputSchema } from "@bdi/core/dashboard/audit";
import { auditCsvUrl, auditFilterInput, EMPTY_AUDIT_FILTER, nextDay } from "./audit.ts";

test("only set fields are sent; the 'to' day is included", () => {
  assert.deepEqual(auditFilterInput(EMPTY_AUDIT_FILTER), {});
  const f = { ...EMPTY_AUDIT_FILTER, actor: " anna ", action: "model_version.activate", to: "2026-12-31", from: "bad" };
  assert.deepEqual(auditFilterInput(f), { actor: "anna", action: "model_version.activate", to: "2027-01-01" });
  assert.equal(nextDay("2028-02-28"), "2028-02-29");
});

test("the CSV link carries the same filter, and the service's schemas accept both", () => {
  const f = { ...EMPTY_AUDIT_FILTER, actionPrefix: "sample.", from: "2026-01-01" };
  const url = auditCsvUrl("http://svc:8000", f);
  assert.equal(url, "http://svc:8000/api/audit.csv?actionPrefix=sample.&from=2026-01-01");
  assert.equal(auditCsvUrl("http://svc:8000", EMPTY_AUDIT_FILTER), "http://svc:8000/api/audit.csv");
  const q = Object.fromEntries(new URL(url).searchParams);
  assert.ok(AuditCsvQuerySchema.safeParse(q).success);
  assert.ok(AuditListInputSchema.safeParse({ ...auditFilterInput(f), limit: 50 }).success);
});
