import { test } from "node:test";
import assert from "node:assert/strict";
import { createTestDb } from "../testing.ts";
import { appendAudit, auditEventsToCsv, exportAuditCsv, listAuditEvents } from "./audit.ts";

test("audit: append, filter by actor / action / entity / request / dates, paginate", async () => {
  const t = await createTestDb();
  try {
    for (let i = 0; i < 7; i++) {
      await appendAudit(
        t.prisma,
        { action: i % 2 ? "sample.relabel" : "model_version.activate", entityType: i % 2 ? "Sample" : "ModelVersion", entityId: `e${i % 3}`, before: { i }, after: { i: i + 1 } },
        { actor: i < 4 ? "alice" : "bob", requestId: `r${i}` },
      );
    }
    const all = await listAuditEvents(t.prisma, { limit: 100 });
    assert.equal(all.items.length, 7);
    assert.deepEqual(JSON.parse(all.items[0]!.beforeJson!), { i: 6 }, "newest first");
    assert.equal((await listAuditEvents(t.prisma, { actor: "bob" })).items.length, 3);
    assert.equal((await listAuditEvents(t.prisma, { action: "sample.relabel" })).items.length, 3);
    assert.equal((await listAuditEvents(t.prisma, { actionPrefix: "model_version." })).items.length, 4);
    assert.equal((await listAuditEvents(t.prisma, { entityType: "Sample", entityId: "e1" })).items.length, 1);
    assert.equal((await listAuditEvents(t.prisma, { requestId: "r3" })).items[0]!.actor, "alice");
    assert.equal((await listAuditEvents(t.prisma, { to: new Date(0) })).items.length, 0);
    assert.equal((await listAuditEvents(t.prisma, { from: new Date(0), to: new Date(Date.now() + 1000) })).items.length, 7);

    const p1 = await listAuditEvents(t.prisma, { limit: 4 });
    const p2 = await listAuditEvents(t.prisma, { limit: 4, cursor: p1.nextCursor });
    assert.equal(p2.nextCursor, null);
    assert.deepEqual([...p1.items, ...p2.items].map((e) => e.id), all.items.map((e) => e.id));

    const csv = await exportAuditCsv(t.prisma, { actor: "alice" });
    const lines = csv.trimEnd().split("\r\n");
    assert.equal(lines[0], "at,actor,action,entityType,entityId,requestId,reason,beforeJson,afterJson");
    assert.equal(lines.length, 1 + 4);
  } finally {
    await t.cleanup();
  }
});

test("auditEventsToCsv quotes per RFC 4180 and defuses spreadsheet formulas", () => {
  const at = new Date("2026-01-02T03:04:05.006Z");
  const csv = auditEventsToCsv([
    { id: "1", at, actor: "=HYPERLINK(1)", action: "a,b", entityType: "T", entityId: "x", beforeJson: '{"k":"v"}', afterJson: null, requestId: null, reason: "line1\nline2" },
  ]);
  const row = csv.split("\r\n")[1]!;
  assert.equal(row, `2026-01-02T03:04:05.006Z,'=HYPERLINK(1),"a,b",T,x,,"line1\nline2","{""k"":""v""}",`);
});
