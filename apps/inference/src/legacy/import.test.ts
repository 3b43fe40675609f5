// `npm run import-legacy -- DIR`: an original backend data folder (contract §4.1 layouts) into the tracked store,
// idempotently, with a report.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createDb, parseJson } from "@bdi/db";
import { decodeDatasetDirName, importLegacy } from "../cli/import-legacy.ts";
import { okCrops } from "./test-support.ts";

const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64url");

describe("import-legacy", () => {
  it("decodes <b64(role)>__<b64(roi)> folder names (the contract's examples)", () => {
    assert.equal(b64("Inspection"), "SW5zcGVjdGlvbg");
    assert.equal(b64("inspection-1"), "aW5zcGVjdGlvbi0x");
    assert.deepEqual(decodeDatasetDirName("SW5zcGVjdGlvbg__aW5zcGVjdGlvbi0x"), { roleId: "Inspection", roiId: "inspection-1" });
    assert.equal(decodeDatasetDirName("not-base64"), null);
  });

  it("imports recipes (mm/px lock), v3 and v1.5 datasets with sidecars; a second run imports nothing", async () => {
    const src = mkdtempSync(path.join(tmpdir(), "bdi-legacy-src-"));
    const dataRoot = mkdtempSync(path.join(tmpdir(), "bdi-legacy-dst-"));
    try {
      const imgs = await okCrops(4);
      const rdir = path.join(src, "recipes", "layouta");
      mkdirSync(rdir, { recursive: true });
      writeFileSync(path.join(rdir, "recipe_meta.json"), JSON.stringify({ mm_per_px: 0.2, created_at_utc: "2026-01-12T10:00:00Z" }));
      const ds = path.join(rdir, "datasets", `${b64("Inspection")}__${b64("inspection-1")}`);
      mkdirSync(path.join(ds, "ok"), { recursive: true });
      mkdirSync(path.join(ds, "ng"), { recursive: true });
      const names = ["20260112-101500-000001.png", "20260112-101500-000002.png", "20260112-101500-000003.png"];
      names.forEach((n, i) => {
        writeFileSync(path.join(ds, "ok", n), imgs[i]!);
        writeFileSync(path.join(ds, "ok", n.replace(".png", ".json")), JSON.stringify({ role_id: "Inspection", roi_id: "inspection-1", label: "ok", filename: `sample_${i}.png`, mm_per_px: 0.2, shape_json: "{\"kind\":\"rect\"}" }));
      });
      writeFileSync(path.join(ds, "ng", "20260112-101600-000001.png"), Buffer.from("broken png"));
      const mdir = path.join(rdir, "inspection-1");
      mkdirSync(mdir, { recursive: true });
      writeFileSync(path.join(mdir, `${b64("Inspection")}__${b64("inspection-1")}_calib.json`), JSON.stringify({ threshold: 0.38, score_percentile: 99, area_mm2_thr: 1.0 }));
      writeFileSync(path.join(mdir, `${b64("Inspection")}__${b64("inspection-1")}.npz`), Buffer.from("npz"));
      // v1.5 layout → recipe default
      mkdirSync(path.join(src, "datasets", "Inspection", "inspection-2", "ok"), { recursive: true });
      writeFileSync(path.join(src, "datasets", "Inspection", "inspection-2", "ok", "20251103-090000-000001.png"), imgs[3]!);

      const r1 = await importLegacy(src, { dataRoot });
      assert.deepEqual(r1.recipes.map((r) => [r.id, r.status]), [["layouta", "locked"]]);
      assert.deepEqual(r1.samples, { imported: 4, skippedDuplicate: 0, failed: 1 });
      assert.equal(r1.failures.length, 1);
      assert.match(r1.failures[0]!.error, /could not be decoded/);
      assert.equal(r1.calibrations.length, 1);
      assert.equal(r1.calibrations[0]!.threshold, 0.38);
      assert.equal(r1.memories.length, 1);

      const r2 = await importLegacy(src, { dataRoot });
      assert.equal(r2.samples.imported, 0);
      assert.equal(r2.samples.skippedDuplicate, 4);

      const db = await createDb({ dataRoot, migrate: false });
      try {
        const samples = await db.prisma.sample.findMany({ orderBy: { createdAt: "asc" }, include: { roi: true } });
        assert.equal(samples.length, 4);
        assert.deepEqual(samples.slice(0, 3).map((s) => s.fileName), names);
        assert.ok(samples.every((s) => s.source === "import"));
        assert.equal(parseJson<Record<string, unknown>>(samples[0]!.clientMetaJson)!.filename, "sample_0.png");
        assert.equal(samples[3]!.roi.recipeId, "default");
        const recipe = await db.prisma.recipe.findUnique({ where: { id: "layouta" } });
        assert.equal(recipe?.mmPerPx, 0.2);
        assert.ok((await db.prisma.auditEvent.count({ where: { actor: "import-legacy" } })) > 0);
      } finally {
        await db.close();
      }
    } finally {
      rmSync(src, { recursive: true, force: true });
      rmSync(dataRoot, { recursive: true, force: true });
    }
  });
});
