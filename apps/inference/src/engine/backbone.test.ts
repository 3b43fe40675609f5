import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ort from "onnxruntime-node";
import { importDinov2 } from "@bdi/models";
import { fakeHfDinov2 } from "@bdi/models/testing";
import { createSession, loadBackbone, resolveBackbone } from "./backbone.ts";
import { buildKnnModel } from "./knn.ts";
import { BackboneUnavailableError } from "./errors.ts";

test("cuda on a machine without CUDA falls back to CPU with a reason", async () => {
  const r = await createSession(buildKnnModel(), "cuda:0");
  if (r.device.startsWith("cuda")) return; // a real GPU machine: nothing to fall back from
  assert.equal(r.device, "cpu");
  assert.match(r.reason ?? "", /^cuda_not_available: /);
  await r.session.release();
});

test("backbone selection: auto falls back to the bundled backbone; unknown ids are typed errors", () => {
  const dir = "/nonexistent-models-dir";
  const auto = resolveBackbone("auto", dir);
  assert.ok(auto.entry.bundled || auto.entry.kind === "dinov2");
  assert.throws(() => resolveBackbone("resnet-9000", dir), BackboneUnavailableError);
});

test("the bundled backbone loads once (shared session) and returns L2-normalised features of the declared shape", async () => {
  const a = await loadBackbone({ backbone: "mobilenetv2-1.4-mid", threads: 2, inputSize: 224 });
  const b = await loadBackbone({ backbone: "mobilenetv2-1.4-mid", threads: 2, inputSize: 224 });
  assert.equal(a, b, "one session per backbone configuration");
  assert.deepEqual([a.grid, a.dim, a.device], [28, 1104, "cpu"]);
  const x = new Float32Array(3 * 224 * 224);
  for (let i = 0; i < x.length; i++) x[i] = ((i * 2654435761) >>> 0) / 4294967296;
  const f = await a.extract(x);
  assert.equal(f.length, 28 * 28 * 1104);
  for (const cell of [0, 405, 783]) {
    let s = 0;
    for (let k = 0; k < 1104; k++) s += f[cell * 1104 + k] ** 2;
    assert.ok(Math.abs(s - 1) < 1e-4, `cell ${cell} norm² ${s}`);
  }
  await assert.rejects(a.extract(new Float32Array(10)), /3×224×224/);
  // a rectangle of cells: the same floats as those cells of the whole grid (the head cuts them before it normalises)
  const part = await a.extract(x, undefined, { row: 3, col: 5, rows: 4, cols: 7 });
  assert.equal(part.length, 4 * 7 * 1104);
  for (let r = 0; r < 4; r++) {
    for (let c = 0; c < 7; c++) {
      const at = ((3 + r) * 28 + 5 + c) * 1104;
      assert.deepEqual(part.subarray((r * 7 + c) * 1104, (r * 7 + c + 1) * 1104), f.subarray(at, at + 1104), `cell ${r},${c}`);
    }
  }
  await assert.rejects(a.extract(x, undefined, { row: 25, col: 0, rows: 4, cols: 1 }), /not a rectangle of the 28×28 grid/);
  await assert.rejects(a.extract(x, undefined, { row: 0, col: 0, rows: 0, cols: 1 }), /not a rectangle/);
});

test("the bundled InceptionV3 and MobileNetV2 + InceptionV3 go through the same CNN feature head (grid input ÷ 8)", async () => {
  for (const [id, kind, dim] of [["inceptionv3-mid", "inceptionv3", 1056], ["mobilenetv2-inceptionv3-mid", "mobilenetv2+inceptionv3", 2160]] as const) {
    const a = await loadBackbone({ backbone: id, threads: 2, inputSize: 224 });
    assert.deepEqual([a.kind, a.grid, a.dim, a.stride], [kind, 28, dim, 8]);
    const x = new Float32Array(3 * 224 * 224);
    for (let i = 0; i < x.length; i++) x[i] = ((i * 2654435761) >>> 0) / 4294967296;
    const f = await a.extract(x);
    assert.equal(f.length, 28 * 28 * dim);
    let s = 0;
    for (let k = 0; k < dim; k++) s += f[405 * dim + k] ** 2;
    assert.ok(Math.abs(s - 1) < 1e-4, `${id} norm² ${s}`);
    await a.release();
  }
});

test("l2: false leaves the patch features unnormalised (a separate shared session)", async () => {
  const a = await loadBackbone({ backbone: "mobilenetv2-1.4-mid", threads: 2, inputSize: 224 });
  const u = await loadBackbone({ backbone: "mobilenetv2-1.4-mid", threads: 2, inputSize: 224, l2: false });
  assert.notEqual(a, u);
  assert.equal(u.l2, false);
  const x = new Float32Array(3 * 224 * 224);
  for (let i = 0; i < x.length; i++) x[i] = ((i * 2654435761) >>> 0) / 4294967296;
  const fa = await a.extract(x);
  const fu = await u.extract(x);
  for (const cell of [0, 405]) {
    let s = 0;
    for (let k = 0; k < 1104; k++) s += fu[cell * 1104 + k] ** 2;
    const norm = Math.sqrt(s);
    assert.ok(Math.abs(norm - 1) > 1e-2, `cell ${cell} norm ${norm}`);
    for (const k of [0, 17, 1103]) assert.ok(Math.abs(fu[cell * 1104 + k] / (norm + 1e-8) - fa[cell * 1104 + k]) < 1e-5);
  }
});

test("a DINOv2 file's feature head: blocks 9–11 without the class token, concatenated and L2-normalised per patch, the head's session fetching nothing else", async () => {
  const dir = mkdtempSync(join(tmpdir(), "bdi-dino-head-"));
  try {
    const src = join(dir, "model.onnx");
    writeFileSync(src, fakeHfDinov2());
    const imported = await importDinov2(src, { dir });
    const b = await loadBackbone({ backbone: "dinov2-vits14", modelsDir: dir, threads: 2 });
    assert.deepEqual([b.kind, b.grid, b.dim, b.inputSize], ["dinov2", 32, 1152, 448]);
    const x = new Float32Array(3 * 448 * 448);
    for (let i = 0; i < x.length; i++) x[i] = ((i * 2654435761) >>> 0) / 4294967296;
    const f = await b.extract(x);
    assert.equal(f.length, 32 * 32 * 1152);
    // the blocks as the imported file outputs them, normalised here
    const raw = await ort.InferenceSession.create(readFileSync(imported.path));
    const names = Object.values(imported.tensors);
    const out = await raw.run({ pixel_values: new ort.Tensor("float32", x, [1, 3, 448, 448]) }, names);
    for (const cell of [0, 517, 1023]) {
      const row = names.flatMap((n) => [...(out[n]!.data as Float32Array).subarray((cell + 1) * 384, (cell + 2) * 384)]);
      const norm = Math.sqrt(row.reduce((a, v) => a + v * v, 0));
      for (const k of [0, 383, 384, 1151]) assert.ok(Math.abs(f[cell * 1152 + k]! - row[k]! / norm) < 1e-5, `cell ${cell} channel ${k}`);
    }
    await b.release();
    await raw.release();
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
