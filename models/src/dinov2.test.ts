// importDinov2 on a small synthetic ViT-shaped ONNX with HF-style tensor names (no real weights needed to test
// the I/O checks, the block lookup, the protobuf append and the local manifest entry).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DataType, GraphBuilder, encodeModel, valueInfo, summarizeModel } from "./onnx.ts";
import { importDinov2, ImportError, pullDinov2 } from "./dinov2.ts";
import { getBackboneEntry, readBackboneFile, sha256 } from "./manifest.ts";

function fakeHfDinov2(): Uint8Array {
  const g = new GraphBuilder("fake");
  const w = new Float32Array(384 * 3 * 14 * 14).map((_, i) => ((i % 13) - 6) / 100);
  const conv = g.op("Conv", ["pixel_values", g.constF32([384, 3, 14, 14], w)], { kernel_shape: [14, 14], strides: [14, 14] });
  const flat = g.op("Reshape", [conv, g.constI64([1, 384, -1])]);
  const tok = g.op("Transpose", [flat], { perm: [0, 2, 1] });
  let x = g.op("Concat", [g.constF32([1, 1, 384], new Float32Array(384)), tok], { axis: 1 }, "/embeddings/Concat_output_0");
  for (let i = 0; i < 12; i++) {
    const a = g.op("Add", [x, g.constF32([384], new Float32Array(384).fill(i / 10))], {}, `/encoder/layer.${i}/Add_output_0`);
    x = g.op("Add", [a, g.constF32([], [0.01])], {}, `/encoder/layer.${i}/Add_1_output_0`);
  }
  g.op("LayerNormalization", [x, g.constF32([384], new Float32Array(384).fill(1)), g.constF32([384], new Float32Array(384))], { axis: -1 }, "last_hidden_state");
  return encodeModel(g.build(
    [valueInfo("pixel_values", DataType.FLOAT, ["batch", 3, "height", "width"])],
    [valueInfo("last_hidden_state", DataType.FLOAT, ["batch", "seq", 384])],
  ));
}

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
