// importDinov2 on a small synthetic ViT-shaped ONNX with HF-style tensor names (no real weights needed to test
// the I/O checks, the block lookup, the protobuf append and the local manifest entry).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { summarizeModel } from "./onnx.ts";
import { fakeHfDinov2 } from "./testing.ts";
import { importDinov2, ImportError, pullDinov2 } from "./dinov2.ts";
import { getBackboneEntry, readBackboneFile, sha256 } from "./manifest.ts";

test("importDinov2: finds blocks 9-11, appends them as outputs, records sha256 in the local manifest", async () => {
  const dir = mkdtempSync(join(tmpdir(), "bdi-dino-"));
  try {
    const src = join(dir, "model.onnx");
    writeFileSync(src, fakeHfDinov2());
    const r = await importDinov2(src, { dir });
    assert.deepEqual(r.tensors, { block9: "/encoder/layer.9/Add_1_output_0", block10: "/encoder/layer.10/Add_1_output_0", block11: "/encoder/layer.11/Add_1_output_0" });
    assert.equal(r.prefixTokens, 1);
    assert.deepEqual(r.outputShapes.block9, [1, 1025, 384]);
    const e = getBackboneEntry("dinov2-vits14", dir);
    assert.equal(e.sha256, r.sha256);
    assert.equal(e.features.prefixTokens, 1);
    const f = readBackboneFile(e, dir);
    assert.equal(sha256(f.bytes), r.sha256);
    const outs = summarizeModel(f.bytes).outputs.map((o) => o.name);
    assert.deepEqual(outs, ["last_hidden_state", ...Object.values(r.tensors)]);
    // a file that is not DINOv2 is refused with a clear message
    const bad = join(dir, "bad.onnx");
    writeFileSync(bad, Buffer.from("not onnx at all"));
    await assert.rejects(importDinov2(bad, { dir }), ImportError);
    await assert.rejects(importDinov2(join(dir, "missing.onnx"), { dir }), /not found/);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test("pullDinov2 offline: one clear error line, nothing left behind", async () => {
  const dir = mkdtempSync(join(tmpdir(), "bdi-pull-"));
  try {
    await assert.rejects(pullDinov2({ dir, url: "http://127.0.0.1:9/model.onnx", log: () => {} }), (e: Error) => {
      assert.ok(e instanceof ImportError);
      assert.ok(!e.message.includes("\n") && /cannot download/.test(e.message), e.message);
      return true;
    });
    assert.ok(!existsSync(join(dir, "dinov2-vits14.onnx")));
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
