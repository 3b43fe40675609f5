// Hardening (issue 12), over real HTTP against a real service (temp data root, real SQLite, the real bundled backbone):
// ids and fields no client sends are refused at every door with a 400 that names them, tiny images and unknown shape
// kinds are refused, DELETE /datasets/file refuses names that cannot exist, /calibrate_ng bounds its lists, storage
// faults answer 507 / 503 with a sentence and no server path, and /infer answers when only its evidence cannot be kept.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import sharp from "sharp";
import { createDb } from "@bdi/db";
import { call, okCrops, startService, uploadParts, type NetPart, type TestService } from "./test-support.ts";
import { importLegacy } from "../cli/import-legacy.ts";

const text = (name: string, value: string): NetPart => ({ kind: "text", name, value });
const file = (name: string, data: Buffer, filename = "roi_20260112101500123.png"): NetPart => ({ kind: "file", name, filename, data });

function roiParts(roiId: string, extra: NetPart[] = [], roleId = "Inspection"): NetPart[] {
  return [text("role_id", roleId), text("roi_id", roiId), text("mm_per_px", "0.2"), text("model_key", roiId), ...extra];
}

const BAD_IDS: Array<[string, string]> = [
  ["traversal", "../../etc"],
  ["absolute path", "/etc/passwd"],
  ["backslash", "a\\b"],
  ["NUL byte", "a\u0000b"],
  ["10 kB of text", "x".repeat(10_000)],
  ["space", "inspection 1"],
];

describe("hardening: refuse what no client sends (real HTTP)", () => {
  let s: TestService;
  let ok: Buffer[];
  before(async () => {
    s = await startService({ BDI_MIN_OK_SAMPLES: "3" });
    ok = await okCrops(6);
    // one fitted + calibrated ROI (3 uploaded crops: self-calibrated out of sample)
    const f = await call(s.base, "POST", "/fit_ok", { multipart: roiParts("fitted", ok.slice(0, 3).map((d, i) => file("images", d, `ok_${i}.png`))) });
    assert.equal(f.status, 200, f.text);
  });
  after(async () => {
    await s?.close();
  });

  describe("the id rule at every door", () => {
    for (const [what, id] of BAD_IDS) {
      it(`a ${what} as roi_id / role_id / model_key: 400 naming the field on upload, /fit_ok, /infer, /state, /calibrate_ng`, async () => {
        const up = await call(s.base, "POST", "/datasets/ok/upload", { multipart: uploadParts("ok", ok[0]!, 1, { roiId: id }) });
        assert.equal(up.status, 400, up.text);
        assert.match(up.json.detail, /invalid roi_id .*letters, digits/);
        const fit = await call(s.base, "POST", "/fit_ok", { multipart: roiParts("fitted", [text("use_dataset", "true")], id) });
        assert.equal(fit.status, 400, fit.text);
        assert.match(fit.json.error, /invalid role_id/);
        const inf = await call(s.base, "POST", "/infer", { multipart: [...roiParts("fitted").filter((p) => p.name !== "model_key"), text("model_key", id), file("image", ok[4]!)] });
        assert.equal(inf.status, 400, inf.text);
        assert.match(inf.json.error, /invalid model_key/);
        const st = await call(s.base, "GET", `/state?role_id=Inspection&roi_id=${encodeURIComponent(id)}`);
        assert.equal(st.status, 400, st.text);
        assert.match(st.json.detail, /invalid roi_id/);
        const cal = await call(s.base, "POST", "/calibrate_ng", { json: { role_id: id, roi_id: "fitted", ok_scores: [1, 2, 3] } });
        assert.equal(cal.status, 400, cal.text);
        assert.match(cal.json.error, /invalid role_id/);
      });
    }

    it("nothing was stored under a bad id (no ROI row, no sample)", async () => {
      const db = await createDb({ dataRoot: s.dataRoot, migrate: false });
      try {
        const rois = await db.prisma.roi.findMany({ select: { roleId: true, roiId: true, modelKey: true } });
        assert.deepEqual(rois.map((r) => [r.roleId, r.roiId, r.modelKey]), [["Inspection", "fitted", "fitted"]]);
      } finally {
        await db.close();
      }
    });

    it("what the WPF client sends passes: Inspection / Master1 / inspection-1…4, Inspection_1", async () => {
      for (const [role, roi] of [["Inspection", "inspection-1"], ["Inspection", "inspection-4"], ["Master1", "master1-pattern"], ["Inspection", "Inspection_1"]]) {
        const st = await call(s.base, "GET", `/state?role_id=${role}&roi_id=${roi}&model_key=${roi}`);
        assert.equal(st.status, 200, st.text);
      }
      const up = await call(s.base, "POST", "/datasets/ok/upload", { multipart: uploadParts("ok", ok[0]!, 1) });
      assert.equal(up.status, 200, up.text);
    });

    it("tRPC: samples.upload with a new role / ROI name outside the rule is BAD_REQUEST", async () => {
      const fd = new FormData();
      fd.set("recipeId", "default");
      fd.set("roleId", "../evil");
      fd.set("roiName", "inspection-1");
      fd.set("label", "ok");
      fd.append("files", new Blob([new Uint8Array(ok[0]!)], { type: "image/png" }), "a.png");
      const r = await fetch(`${s.base}/trpc/samples.upload`, { method: "POST", body: fd, headers: { "x-actor": "tester" } });
      const body = await r.text();
      assert.ok(r.status === 400 || r.status === 401 || r.status === 403, body);
      if (r.status === 400) assert.match(body, /letters, digits/);
    });

    it("import: a legacy dataset folder whose role decodes to a path is reported and not imported", async () => {
      const src = mkdtempSync(path.join(tmpdir(), "bdi-legacy-bad-"));
      const dst = mkdtempSync(path.join(tmpdir(), "bdi-legacy-bad-dst-"));
      try {
        const b64 = (v: string) => Buffer.from(v, "utf8").toString("base64url");
        const ds = path.join(src, "recipes", "layouta", "datasets", `${b64("../evil")}__${b64("inspection-1")}`, "ok");
        mkdirSync(ds, { recursive: true });
        writeFileSync(path.join(ds, "20260112-101500-000001.png"), ok[0]!);
        const r = await importLegacy(src, { dataRoot: dst });
        assert.equal(r.samples.imported, 0);
        assert.ok(r.failures.some((f) => /invalid role_id "\.\.\/evil"/.test(f.error)), JSON.stringify(r.failures));
      } finally {
        rmSync(src, { recursive: true, force: true });
        rmSync(dst, { recursive: true, force: true });
      }
    });
  });

  describe("ambiguous forms", () => {
    it("mm_per_px twice with different values: 400 naming mm_per_px", async () => {
      const r = await call(s.base, "POST", "/infer", { multipart: [...roiParts("fitted"), text("mm_per_px", "0.3"), file("image", ok[4]!)] });
      assert.equal(r.status, 400, r.text);
      assert.match(r.json.error, /field 'mm_per_px' was sent 2 times/);
    });
    it("roi_id twice on an upload, role_id twice in a query: 400 naming the field", async () => {
      const up = await call(s.base, "POST", "/datasets/ok/upload", { multipart: [...uploadParts("ok", ok[0]!, 2), text("roi_id", "inspection-2")] });
      assert.equal(up.status, 400, up.text);
      assert.match(up.json.detail, /field 'roi_id' was sent 2 times/);
      const st = await call(s.base, "GET", "/state?role_id=Inspection&role_id=Master1&roi_id=inspection-1");
      assert.equal(st.status, 400, st.text);
      assert.match(st.json.detail, /field 'role_id'/);
    });
  });

  describe("shapes and images", () => {
    it("/infer with an unknown shape kind: 400 naming the kinds", async () => {
      const r = await call(s.base, "POST", "/infer", { multipart: [...roiParts("fitted"), text("shape", '{"kind":"polygon","points":[]}'), file("image", ok[4]!)] });
      assert.equal(r.status, 400, r.text);
      assert.match(r.json.error, /unknown shape kind: must be one of rect, circle, annulus \(got "polygon"\)/);
    });
    it("an upload whose shape_json has an unknown kind: 400 naming the kinds", async () => {
      const parts = uploadParts("ok", ok[0]!, 3).map((p) => (p.name === "metas" && p.kind === "text"
        ? { ...p, value: JSON.stringify({ ...JSON.parse(p.value), shape_json: '{"kind":"ellipse"}' }) }
        : p));
      const r = await call(s.base, "POST", "/datasets/ok/upload", { multipart: parts });
      assert.equal(r.status, 400, r.text);
      assert.match(r.json.detail, /rect, circle, annulus \(got "ellipse"\)/);
    });
    it("a 1×1 px crop: 400 about the image on /infer (fitted or not) and on upload", async () => {
      const tiny = await sharp({ create: { width: 1, height: 1, channels: 4, background: "#808080" } }).png().toBuffer();
      for (const roi of ["fitted", "never-fitted"]) {
        const r = await call(s.base, "POST", "/infer", { multipart: [...roiParts(roi), file("image", tiny)] });
        assert.equal(r.status, 400, r.text);
        assert.match(r.json.error, /image is 1x1 px, under the minimum of 16 px per side/);
      }
      const up = await call(s.base, "POST", "/datasets/ok/upload", { multipart: uploadParts("ok", tiny, 4) });
      assert.equal(up.status, 400, up.text);
      assert.match(up.json.detail, /1x1 px/);
    });
  });

  describe("DELETE /datasets/file and /calibrate_ng limits", () => {
    it("a traversal, absolute, drive or NUL-byte name: 400; a well-formed absent name: 200 deleted:false", async () => {
      for (const name of ["../../etc/passwd", "/etc/passwd", "a\u0000b.png", "C:\\x.png", ".."]) {
        const r = await call(s.base, "DELETE", `/datasets/file?role_id=Inspection&roi_id=inspection-1&label=ok&filename=${encodeURIComponent(name)}`);
        assert.equal(r.status, 400, `${JSON.stringify(name)}: ${r.text}`);
        assert.match(r.json.detail, /plain file name/);
      }
      const absent = await call(s.base, "DELETE", "/datasets/file?role_id=Inspection&roi_id=inspection-1&label=ok&filename=20200101-000000-000000.png");
      assert.equal(absent.status, 200, absent.text);
      assert.equal(absent.json.deleted, false);
    });
    it("/calibrate_ng with 100,000 OK scores: 413 that says the limit; 5,000 pass", async () => {
      const big = await call(s.base, "POST", "/calibrate_ng", { json: { role_id: "Inspection", roi_id: "nothing", ok_scores: Array.from({ length: 100_000 }, (_, i) => i % 7) } });
      assert.equal(big.status, 413, big.text);
      assert.match(big.json.detail, /ok_scores has 100000 scores, over the limit of 5000/);
      const fine = await call(s.base, "POST", "/calibrate_ng", { json: { role_id: "Inspection", roi_id: "nothing", ok_scores: Array.from({ length: 5000 }, (_, i) => i % 7) } });
      assert.equal(fine.status, 200, fine.text);
    });
  });

  describe("storage faults", () => {
    it("the samples folder unusable: 503 with a sentence and no server path; nothing stored", async () => {
      const samples = path.join(s.dataRoot, "samples");
      const moved = `${samples}.moved`;
      rmSync(moved, { recursive: true, force: true });
      execFileSync("mv", [samples, moved]);
      writeFileSync(samples, "not a folder");
      try {
        const r = await call(s.base, "POST", "/datasets/ok/upload", { multipart: uploadParts("ok", ok[1]!, 5, { roiId: "inspection-3" }) });
        assert.equal(r.status, 503, r.text);
        assert.match(r.json.detail, /cannot write to its data folder/);
        assert.ok(!r.text.includes(s.dataRoot) && !r.text.includes("ENOTDIR"), r.text);
      } finally {
        rmSync(samples, { force: true });
        execFileSync("mv", [moved, samples]);
      }
    });

    it("a full disk: 507 with a sentence and no ENOSPC text or server path (tmpfs mount; skipped where mounts are not allowed)", async (t) => {
      const mnt = path.join(s.dataRoot, "samples", "default");
      mkdirSync(mnt, { recursive: true });
      try {
        execFileSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", mnt], { stdio: "ignore" });
      } catch {
        t.skip("cannot mount a small tmpfs here (needs root); the ENOTDIR case above covers the mapping path");
        return;
      }
      try {
        writeFileSync(path.join(mnt, "filler"), Buffer.alloc(60 * 1024)); // leave less than one crop
        const r = await call(s.base, "POST", "/datasets/ok/upload", { multipart: uploadParts("ok", ok[2]!, 6, { roiId: "inspection-3" }) });
        assert.equal(r.status, 507, r.text);
        assert.match(r.json.detail, /disk is full/);
        assert.ok(!r.text.includes(s.dataRoot) && !/ENOSPC/.test(r.text), r.text);
      } finally {
        execFileSync("umount", [mnt]);
      }
    });

    it("only the evidence cannot be stored: /infer still answers, records it, and raises the metric", async () => {
      const insp = path.join(s.dataRoot, "inspections");
      rmSync(insp, { recursive: true, force: true });
      writeFileSync(insp, "not a folder");
      try {
        const r = await call(s.base, "POST", "/infer", { multipart: [...roiParts("fitted"), file("image", ok[5]!)] });
        assert.equal(r.status, 200, r.text);
        assert.ok(r.json.decision === "ok" || r.json.decision === "ng");
        assert.equal(r.json.evidence_stored, false);
        const m = await call(s.base, "GET", "/metrics");
        assert.match(m.text, /bdi_evidence_not_stored_total\{reason="storage_unavailable",replica="[^"]+"\} [1-9]/);
        const db = await createDb({ dataRoot: s.dataRoot, migrate: false });
        try {
          const row = await db.prisma.inspection.findUnique({ where: { id: r.json.inspection_id } });
          assert.deepEqual([row?.imagePath, row?.heatmapPath], [null, null]);
          const ev = await db.prisma.auditEvent.findFirst({ where: { entityId: r.json.inspection_id, action: "inspection.create" } });
          assert.match(ev?.reason ?? "", /evidence not stored/);
        } finally {
          await db.close();
        }
      } finally {
        rmSync(insp, { force: true });
      }
    });
  });

  it("README and code agree on where model artifacts live", async () => {
    const readme = readFileSync(path.resolve(import.meta.dirname, "../../../../README.md"), "utf8");
    assert.match(readme, /`models\/<recipe>\/<role>__<roi>\/v<NNNN>-<version id>\/`/);
    assert.doesNotMatch(readme, /`versions\/`/);
    const db = await createDb({ dataRoot: s.dataRoot, migrate: false });
    try {
      const v = await db.prisma.modelVersion.findFirst({ where: { status: "ready" } });
      assert.match(v?.artifactPath ?? "", /^models\/default\/Inspection__fitted\/v\d{4}-[a-z0-9]+$/);
    } finally {
      await db.close();
    }
  });
});
