import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ort from "onnxruntime-node";
import { buildBundled, buildBundledBytes, bundledIds } from "./build.ts";
import { convertInceptionV3Features } from "./convert-inception.ts";
import { getBackboneEntry, loadManifest, sha256 } from "./manifest.ts";
import { DataType, GraphBuilder, appendToModel, encodeModel, keepGraphOutputs, summarizeModel, valueInfo } from "./onnx.ts";
import { findBlockTensor } from "./dinov2.ts";

const bundledId = () => loadManifest().default;

test("converter regenerates the bundled backbone byte for byte (sha256 = manifest)", () => {
  const e = getBackboneEntry(bundledId());
  const a = buildBundledBytes();
  const b = buildBundledBytes();
  assert.equal(sha256(a), sha256(b), "deterministic");
  assert.equal(sha256(a), e.sha256);
  assert.equal(a.length, e.bytes);
});

test("buildBundled writes the file atomically into a models dir", () => {
  const dir = mkdtempSync(join(tmpdir(), "bdi-models-"));
  try {
    const r = buildBundled({ dir });
    assert.ok(r.matchesManifest && !r.skipped);
    assert.equal(sha256(readFileSync(r.path)), r.sha256);
    assert.ok(buildBundled({ dir }).skipped, "second build is a no-op");
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test("bundled backbone loads in onnxruntime-node and gives stride-8/16 maps", async () => {
  const e = getBackboneEntry(bundledId());
  const s = await ort.InferenceSession.create(buildBundledBytes(), { intraOpNumThreads: 2 });
  assert.deepEqual(s.inputNames, ["input"]);
  for (const o of e.features.outputs) assert.ok(s.outputNames.includes(o), o);
  const S = 224;
  const x = new Float32Array(3 * S * S);
  for (let i = 0; i < x.length; i++) x[i] = ((i * 7919) % 255) / 255;
  const r = await s.run({ input: new ort.Tensor("float32", x, [1, 3, S, S]) });
  for (const [name, spec] of Object.entries(e.outputs!)) {
    assert.deepEqual(r[name].dims, [1, spec.channels, S / spec.stride, S / spec.stride], name);
    const d = r[name].data as Float32Array;
    let finite = true, nonzero = 0;
    for (const v of d) { if (!Number.isFinite(v)) finite = false; if (v !== 0) nonzero++; }
    assert.ok(finite && nonzero > d.length / 10, `${name} has real activations`);
  }
  // Relu6 outputs are clipped to [0, 6]
  const ex = r.s8_expand.data as Float32Array;
  assert.ok(Math.max(...ex.subarray(0, 10000)) <= 6 && Math.min(...ex.subarray(0, 10000)) >= 0);
  await s.release();
});

test("ONNX writer: a small graph and an appended output run in onnxruntime", async () => {
  const g = new GraphBuilder("t");
  const y = g.op("Add", ["X", g.constF32([2], [1, 2])], {}, "Y");
  g.op("Mul", [y, g.constF32([], [3])], {}, "Z");
  const bytes = encodeModel(g.build([valueInfo("X", DataType.FLOAT, ["n", 2])], [valueInfo("Z", DataType.FLOAT, ["n", 2])]));
  const more = appendToModel(bytes, { output: [valueInfo("Y", DataType.FLOAT)] });
  const sm = summarizeModel(more);
  assert.deepEqual(sm.outputs.map((o) => o.name), ["Z", "Y"]);
  const s = await ort.InferenceSession.create(more);
  const r = await s.run({ X: new ort.Tensor("float32", new Float32Array([1, 1, 2, 2]), [2, 2]) });
  assert.deepEqual([...(r.Y.data as Float32Array)], [2, 3, 3, 4]);
  assert.deepEqual([...(r.Z.data as Float32Array)], [6, 9, 9, 12]);
  // the outputs cut to one, from both graph occurrences (the original's and the appended one), the rest unchanged
  for (const keep of [["Y"], ["Z"]]) {
    const cut = keepGraphOutputs(more, keep);
    const sc = summarizeModel(cut);
    assert.deepEqual(sc.outputs.map((o) => o.name), keep);
    assert.equal(sc.nodeCount, sm.nodeCount);
    assert.deepEqual(sc.inputs, sm.inputs);
    const r2 = await (await ort.InferenceSession.create(cut)).run({ X: new ort.Tensor("float32", new Float32Array([1, 1, 2, 2]), [2, 2]) });
    assert.deepEqual(Object.keys(r2), keep);
    assert.deepEqual(r2[keep[0]!]!.data, r[keep[0]!]!.data);
  }
  assert.deepEqual(keepGraphOutputs(more, ["Z", "Y"]), more, "keeping every output changes no byte");
  assert.throws(() => keepGraphOutputs(more, ["W"]), /no output W/);
  assert.throws(() => keepGraphOutputs(more.subarray(0, more.length - 3), ["Y"]), /truncated/);
});

test("DINOv2 block tensor lookup (HF export names, own export names)", () => {
  const hf = ["/embeddings/Add_output_0", "/encoder/layer.9/attention/Add_output_0", "/encoder/layer.9/Add_output_0", "/encoder/layer.9/Add_1_output_0", "/encoder/layer.10/Add_1_output_0"];
  assert.equal(findBlockTensor(hf, ["last_hidden_state"], 9), "/encoder/layer.9/Add_1_output_0");
  assert.equal(findBlockTensor(hf, [], 11), undefined);
  assert.equal(findBlockTensor(["/blocks.10/Add_1_output_0"], [], 10), "/blocks.10/Add_1_output_0");
  assert.equal(findBlockTensor([], ["block9", "block10"], 9), "block9");
});

test("InceptionV3 converter: every bundled backbone regenerates byte for byte; Keras padding matches tfjs value for value", async () => {
  for (const id of bundledIds()) assert.equal(sha256(buildBundledBytes(id)), getBackboneEntry(id).sha256, id);
  // Reference: tfjs 4.22.0 running nsfwjs's own Keras model on the same input (fixture's note); the product's SAME
  // padding moves the stem by a pixel, so the check converts with Keras's padding and compares value for value.
  const ref = JSON.parse(readFileSync(new URL("./__fixtures__/inception-v3-tfjs.json", import.meta.url), "utf8")) as {
    input: number; outputs: Record<string, { shape: number[]; mean: number; points: Array<[number, number, number, number]> }>;
  };
  const names = Object.keys(ref.outputs);
  const s = await ort.InferenceSession.create(convertInceptionV3Features(names, { kerasPadding: true }), { intraOpNumThreads: 2 });
  const S = ref.input;
  const x = Float32Array.from({ length: 3 * S * S }, (_, i) => ((i * 7919) % 255) / 255);
  const r = await s.run({ input: new ort.Tensor("float32", x, [1, 3, S, S]) });
  for (const name of names) {
    const want = ref.outputs[name];
    assert.deepEqual(r[name].dims, [1, ...want.shape], name);
    const d = r[name].data as Float32Array;
    const [, H, W] = want.shape;
    assert.ok(Math.abs(d.reduce((a, v) => a + v, 0) / d.length - want.mean) < 1e-4, `${name} mean`);
    for (const [c, h, w, v] of want.points) assert.ok(Math.abs(d[(c * H + h) * W + w] - v) < 1e-3, `${name}[${c},${h},${w}] = ${d[(c * H + h) * W + w]}, tfjs ${v}`);
  }
  await s.release();
  // the product's padding: grids of exactly input ÷ 8 and ÷ 16, as the feature head expects
  const e = getBackboneEntry("inceptionv3-mid");
  const p = await ort.InferenceSession.create(buildBundledBytes(e.id), { intraOpNumThreads: 2 });
  const r2 = await p.run({ input: new ort.Tensor("float32", x.subarray(0, 3 * 224 * 224), [1, 3, 224, 224]) });
  for (const [name, spec] of Object.entries(e.outputs!)) assert.deepEqual(r2[name].dims, [1, spec.channels, 224 / spec.stride, 224 / spec.stride], name);
  await p.release();
});
