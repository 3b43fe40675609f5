// `npm run bench [-- --json] [--backbone ID[,ID]] [--threads N] [--fit-crops 50] [--runs 20] [--input-size N] [--knn exact|int8] [--models-dir DIR] [--scale 100,400]`
// Per available backbone: backbone-only forward ms, end-to-end infer p50/p95 on a 448×448 crop (decode → heatmap →
// regions) against the bank of a 50-crop fit, 1-NN ms against 1k/5k/10k/20k-vector banks, coreset seconds for the
// 50 crops, fit seconds per crop, peak RSS, and end-to-end / backbone-only; and the backbone + head of a 512×208
// crop from the whole square input and from the crop's window; and, where the dev set is present, a registered ROI's
// path (real 512×208 crops, the positional memory): /infer p50 against the backbone alone on the crop's window.
// `--scale 100,400`: the service's own fit (self-calibrating k-fold pass, the backbone's default coreset rate, bank
// cap) of each number of distinct 448×448 crops, each in a process of its own as in the service, with fit seconds,
// bank size, /infer p50 against that bank and the process's peak RSS, so that cost against training-set size is read
// from one run (each fit is also compared with its floor: crops × backbone-only time).
import "./hugepages.ts"; // first: may start this command again with the huge-page tunable
import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { promisify } from "node:util";
import { cpus } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import sharp from "sharp";
import { loadManifest } from "@bdi/models";
import ort from "onnxruntime-node";
import { createSession, loadBackbone, resolveBackbone, type Backbone } from "../engine/backbone.ts";
import { buildInt8ProductModel, DEFAULT_KNN_SEARCH, INT8_MIN_BANK, int8QueryChunk, KNN_SEARCHES, makeIndex, nearestDistances, quantizeBank, releaseIndex, type KnnSearch } from "../engine/knn.ts";
import { searchDims } from "../engine/search-basis.ts";
import { bankIndex, extractImage, isPositionalIndex, scoreImage, type ScoreResult } from "../engine/pipeline.ts";
import { bankInputMode, type MemoryBank } from "../engine/artifacts.ts";
import { inputWindowSpec } from "../engine/features.ts";
import { fitBank, fitWithOutOfSample } from "../engine/fit.ts";
import { defaultCoresetRate } from "../engine/coreset.ts";
import { preprocess } from "../engine/preprocess.ts";
import { INPUT_MODES, legacyThreshold, type InputMode } from "@bdi/core";
import { HUGEPAGE_TUNABLE } from "../compute/malloc-tunables.ts";

const args = process.argv.slice(2);
const flag = (n: string) => { const i = args.indexOf(n); return i >= 0 ? args[i + 1] : undefined; };
const JSON_OUT = args.includes("--json");
const THREADS = flag("--threads") ? Number(flag("--threads")) : undefined;
const FIT_CROPS = Number(flag("--fit-crops") ?? 50);
const RUNS = Number(flag("--runs") ?? 20);
const KNN = (flag("--knn") ?? process.env.BDI_KNN ?? DEFAULT_KNN_SEARCH) as KnnSearch;
if (!KNN_SEARCHES.includes(KNN)) throw new Error(`--knn must be one of ${KNN_SEARCHES.join(", ")}`);
const INPUT_SIZE = flag("--input-size") ? Number(flag("--input-size")) : undefined;
const SCALE = flag("--scale") ? flag("--scale")!.split(",").map(Number) : [];
if (SCALE.some((n) => !(Number.isInteger(n) && n >= 3))) throw new Error("--scale takes crop counts ≥ 3, e.g. 100,400");
/** set in the child process of one `--scale` point (scalePointInChild) */
const SCALE_POINT = flag("--scale-point") ? Number(flag("--scale-point")) : undefined;
const MODELS_DIR = flag("--models-dir") ? resolve(process.env.INIT_CWD ?? process.cwd(), flag("--models-dir")!) : undefined;
const log = (s: string) => { if (!JSON_OUT) console.log(s); else process.stderr.write(s + "\n"); };

const here = dirname(fileURLToPath(import.meta.url));
const DATA = resolve(here, "../../../../../shared/datasets/bsdata_pitting");

/**
 * 448×448 PNG crops: real surface images from the dev set when present (stretched; train, then test images, then
 * the same mirrored, so up to 640 are distinct), else seeded textures.
 */
async function makeCrops(n: number): Promise<Buffer[]> {
  const out: Buffer[] = [];
  const files = ["train/good", "test/good", "test/pitting"].map((d) => join(DATA, d))
    .flatMap((d) => (existsSync(d) ? readdirSync(d).sort().map((f) => join(d, f)) : []));
  for (let i = 0; i < n; i++) {
    if (files.length) {
      const img = sharp(readFileSync(files[i % files.length]!)).resize(448, 448, { fit: "fill" });
      out.push(await (Math.floor(i / files.length) % 2 ? img.flop() : img).png().toBuffer());
    } else {
      const raw = Buffer.alloc(448 * 448 * 3);
      let s = 12345 + i;
      for (let k = 0; k < raw.length; k++) { s = (Math.imul(s, 1103515245) + 12345) >>> 0; raw[k] = 96 + ((s >>> 24) & 63); }
      out.push(await sharp(raw, { raw: { width: 448, height: 448, channels: 3 } }).blur(1.5).png().toBuffer());
    }
  }
  return out;
}

const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]; };
const r1 = (x: number) => Math.round(x * 10) / 10;
const r3 = (x: number) => Math.round(x * 1000) / 1000;

async function benchBackbone(b: Backbone, crops: Buffer[]) {
  if (b.entry.randomWeights) log(`\n(${b.id} has RANDOM weights: timings only)`);
  log(`\n== ${b.id} (input ${b.inputSize}, grid ${b.grid}×${b.grid}, dim ${b.dim}, ${b.device}${b.deviceReason ? `: ${b.deviceReason}` : ""})`);
  const pre = await preprocess(crops[0], b);
  for (let i = 0; i < 3; i++) await b.forwardRaw(pre.input);
  // backbone-only runs: these first, then one before each end-to-end run (interleavedInfer)
  const bt: number[] = [];
  const timeBackbone = async () => { const t = performance.now(); await b.forwardRaw(pre.input); bt.push(performance.now() - t); };
  for (let i = 0; i < Math.min(RUNS, 5); i++) await timeBackbone();

  const tf = performance.now();
  const bank = await fitBank(b, crops.slice(0, FIT_CROPS), { coresetRate: 0.1 });
  const fitBackboneMs = pct(bt, 50);
  const fitS = (performance.now() - tf) / 1000;
  const coreset_s_50 = (bank.coreset.projectMs + bank.coreset.selectMs) / 1000;
  log(`fit ${FIT_CROPS} crops: ${r1(fitS)} s (${r3(fitS / FIT_CROPS)} s/crop; backbone ${r1(bank.timings.extractMs / 1000)} s, coreset ${r3(coreset_s_50)} s: ${bank.n} of ${bank.coreset.candidates} patches)`);

  const probe = crops[crops.length - 1];
  const thr = (await scoreImage(b, bank, probe, { knn: KNN })).score * 0.98; // some regions, like a borderline NG
  for (let i = 0; i < 3; i++) await scoreImage(b, bank, probe, { threshold: thr, includeHeatmap: true, knn: KNN });
  const { it, parts } = await interleavedInfer(() => b.forwardRaw(pre.input), () => scoreImage(b, bank, probe, { threshold: thr, includeHeatmap: true, mmPerPx: 0.2, knn: KNN }), bt);
  const infer_p50_ms = pct(it, 50), infer_p95_ms = pct(it, 95);
  const backbone_ms = pct(bt, 50);
  log(`backbone-only forward: p50 ${r1(backbone_ms)} ms (${bt.length} runs, alternating with the end-to-end runs)`);
  log(`end-to-end infer (448×448 crop, bank ${bank.n}): p50 ${r1(infer_p50_ms)} ms, p95 ${r1(infer_p95_ms)} ms  ${breakdown(parts)}`);

  const product = await int8ProductCost(b, bank, probe);
  if (product) log(`the 1-NN's int8 candidate product alone (no top-K, no re-rank; search basis: ${product.dims} ${product.basis === "projection" ? "principal directions" : "channels"} of ${b.dim}), same bank and queries: ${product.ms} ms; backbone-only + it = ${r1(backbone_ms + product.ms)} ms (${((backbone_ms + product.ms) / backbone_ms).toFixed(2)}× backbone)`);
  const wide_crop_ms = await wideCropCost(b, crops[0]!);

  const knn_ms: Record<string, number> = {};
  const knn_exact_ms: Record<string, number> = {};
  const nq = b.grid * b.grid;
  const q = new Float32Array(nq * b.dim);
  let s = 1;
  const rnd = () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 4294967296 - 0.5; };
  for (let i = 0; i < q.length; i++) q[i] = rnd();
  for (const size of [1000, 5000, 10000, 20000]) {
    const v = new Float32Array(size * b.dim);
    for (let i = 0; i < v.length; i++) v[i] = rnd();
    for (const search of KNN === "exact" ? ["exact" as const] : [KNN, "exact" as const]) {
      const idx = makeIndex(v, size, b.dim, search);
      await nearestDistances(idx, q, nq); // builds the int8 session once per bank
      const ts: number[] = [];
      for (let i = 0; i < Math.max(3, Math.min(RUNS, 10)); i++) { const t = performance.now(); await nearestDistances(idx, q, nq); ts.push(performance.now() - t); }
      (search === KNN ? knn_ms : knn_exact_ms)[String(size)] = r1(pct(ts, 50));
      await releaseIndex(idx); // its int8 session's native memory now, not at some later GC (the peak RSS below)
    }
  }
  log(`1-NN (${KNN}) of ${nq} query patches × ${b.dim} dims: ${Object.entries(knn_ms).map(([k, v]) => `${Number(k) / 1000}k ${v} ms`).join(", ")}`);
  if (KNN !== "exact") log(`1-NN (exact, for comparison): ${Object.entries(knn_exact_ms).map(([k, v]) => `${Number(k) / 1000}k ${v} ms`).join(", ")}`);
  const ratio = infer_p50_ms / backbone_ms;
  // the peak RSS of the phases above, read before the --scale fits (each in a process of its own) and the registered
  // ROI's phase, whose positional memory and the search's copy of it (~0.35 GB) would come on top of them
  const peak_rss_mb = Math.round(process.resourceUsage().maxRSS / 1024);
  const scale = [];
  for (const n of SCALE) {
    const row = { ...(await scalePointInChild(b.id, n, thr)), floor_s: r1((n * backbone_ms) / 1000) };
    scale.push(row);
    log(`fit of ${n} crops (service fit: k-fold pass, rate ${row.requested_rate}; in a process of its own, as the service's fit worker): ${row.fit_s} s (floor ${n} × backbone-only = ${row.floor_s} s; feature extraction ${row.fit_parts_s.extract} s in both passes, coreset ${row.fit_parts_s.coreset} s, out-of-sample pass over ${row.oos_crops} crops ${row.fit_parts_s.out_of_sample} s), bank ${row.bank_size} (effective rate ${row.coreset_rate}), /infer p50 ${row.infer_p50_ms} ms, the process's peak RSS ${row.peak_rss_mb} MiB`);
  }
  if (scale.length > 1) log(`/infer p50 at ${scale.at(-1)!.crops} crops / at ${scale[0]!.crops} crops: ${(scale.at(-1)!.infer_p50_ms / scale[0]!.infer_p50_ms).toFixed(2)}`);
  log(`ratio end-to-end / backbone-only: ${ratio.toFixed(2)}; 1-NN 10k / backbone: ${(knn_ms["10000"] / backbone_ms).toFixed(2)}`);
  const registered = await registeredCost(b);
  return {
    backbone: b.id, ...(b.entry.randomWeights ? { random_weights: true } : {}), device: b.device, input_size: b.inputSize, grid: b.grid, dim: b.dim, bank_size: bank.n,
    backbone_ms: r1(backbone_ms), infer_p50_ms: r1(infer_p50_ms), infer_p95_ms: r1(infer_p95_ms), knn: KNN, knn_ms,
    ...(KNN !== "exact" ? { knn_exact_ms } : {}),
    coreset_s_50: r3(coreset_s_50), fit_s_per_image: r3(fitS / FIT_CROPS),
    fit_ratio_vs_backbone: r3(fitS / ((FIT_CROPS * fitBackboneMs) / 1000)),
    peak_rss_mb,
    ratio_infer_backbone: r3(ratio),
    ...(scale.length ? { scale, fit_peak_rss_mb: Math.max(...scale.map((r) => r.peak_rss_mb)) } : {}),
    ...(wide_crop_ms ? { wide_crop_ms } : {}),
    ...(registered ? { registered } : {}),
    infer_breakdown_ms: parts,
    ...(product ? { knn_int8_product_ms: product.ms, knn_search_basis: { kind: product.basis, dims: product.dims } } : {}),
  };
}

/**
 * The int8 1-NN's candidate product alone (buildInt8ProductModel: the int8 product and one minimum, no top-K, no exact
 * re-rank), p50 over the probe crop's queries against the bench's bank, chunked as the search chunks them: the part of
 * the 1-NN this method cannot shed, printed beside `/infer` with the search basis it ran in (null where the bank is
 * searched otherwise).
 */
async function int8ProductCost(b: Backbone, bank: MemoryBank, probe: Buffer): Promise<{ ms: number; basis: string; dims: number } | null> {
  const index = bankIndex(bank, KNN);
  if (isPositionalIndex(index) || index.search !== "int8" || index.n < INT8_MIN_BANK) return null;
  const f = await extractImage(b, probe, bankInputMode(bank.backbone));
  const quantized = await quantizeBank(index, THREADS);
  const { session } = await createSession(buildInt8ProductModel(quantized), b.device, THREADS);
  const chunk = int8QueryChunk(index.n, f.nValid), d = b.dim;
  const ts: number[] = [];
  for (let i = 0; i < Math.max(5, Math.min(RUNS, 10)) + 1; i++) {
    const t = performance.now();
    for (let q0 = 0; q0 < f.nValid; q0 += chunk) {
      const m = Math.min(chunk, f.nValid - q0);
      await session.run({ Q: new ort.Tensor("float32", f.feats.subarray(q0 * d, (q0 + m) * d), [m, d]) });
    }
    if (i > 0) ts.push(performance.now() - t); // the first run warms the session
  }
  await session.release();
  return { ms: r1(pct(ts, 50)), basis: quantized.basis.kind, dims: searchDims(quantized.basis) };
}

/**
 * Backbone + head of a 512 × 208 crop (the dev sets' 2.5:1 shape) from the whole square input and from the crop's
 * window (the fit's default where the backbone has one), p50 of interleaved runs: the square crops above are the
 * worst case, where the two are the same.
 */
async function wideCropCost(b: Backbone, square: Buffer) {
  if (!inputWindowSpec(b.entry)) return null;
  const crop = await sharp(square).resize(512, 208, { fit: "fill" }).png().toBuffer();
  const ts: Record<InputMode, number[]> = { square: [], crop: [] };
  for (let i = 0; i < Math.max(5, Math.min(RUNS, 10)); i++) {
    for (const mode of INPUT_MODES) ts[mode].push((await extractImage(b, crop, mode)).extractMs);
  }
  const out = { square: r1(pct(ts.square, 50)), crop_window: r1(pct(ts.crop, 50)) };
  log(`backbone + head of a 512×208 crop: whole square ${out.square} ms, the crop's window ${out.crop_window} ms (${(out.square / out.crop_window).toFixed(2)}×)`);
  return out;
}

/**
 * RUNS end-to-end scorings, each right after one backbone-only forward (timed into `bt`), so that both medians see the
 * same machine state (on a shared 2-core VM, two separate series drift apart by 5–10 %): the scorings' times and
 * their mean parts.
 */
async function interleavedInfer(forward: () => Promise<void>, infer: () => Promise<ScoreResult>, bt: number[]) {
  const it: number[] = [];
  const sum = { decode: 0, backbone: 0, knn: 0, post: 0 };
  for (let i = 0; i < RUNS; i++) {
    let t = performance.now();
    await forward();
    bt.push(performance.now() - t);
    t = performance.now();
    const { timings } = await infer();
    it.push(performance.now() - t);
    sum.decode += timings.decodeMs; sum.backbone += timings.extractMs; sum.knn += timings.knnMs; sum.post += timings.postMs;
  }
  const parts = { decode: r1(sum.decode / RUNS), backbone_head: r1(sum.backbone / RUNS), knn: r1(sum.knn / RUNS), post: r1(sum.post / RUNS) };
  return { it, parts };
}

const breakdown = (p: { decode: number; backbone_head: number; knn: number; post: number }) =>
  `[decode+letterbox ${p.decode}, backbone+head ${p.backbone_head}, 1-NN ${p.knn}, map/blur/score/regions/png ${p.post}]`;

/** Training crops of the registered-ROI measurement (every 5th of bsdata's, so all 15 camera positions). */
const REGISTERED_CROPS = 32;

/**
 * The product's path for a registered ROI, end to end: the service's fit (its registration probe keeps the positional
 * memory) of REGISTERED_CROPS real 512 × 208 crops of the dev set, then `/infer` of a pitted test crop, its p50
 * interleaved with the backbone alone on that crop's window (what this path runs the network on). The square crops
 * above are the global layout's worst case; this is what a line's registered ROIs cost. Null without the dev set, or
 * for a backbone without a crop window. Its `peak_rss_mb_after` is the process's peak after it.
 */
async function registeredCost(b: Backbone) {
  const dir = join(DATA, "train/good"), probeFile = join(DATA, "test/pitting/000.png");
  if (!inputWindowSpec(b.entry) || !existsSync(dir) || !existsSync(probeFile)) return null;
  const train = readdirSync(dir).sort().filter((_, i) => i % 5 === 0).slice(0, REGISTERED_CROPS).map((f) => readFileSync(join(dir, f)));
  const t = performance.now();
  const { bank, oos } = await fitWithOutOfSample(b, train, { knn: KNN });
  const fit_s = r1((performance.now() - t) / 1000);
  const probe = readFileSync(probeFile);
  const pre = await preprocess(probe, b, "crop");
  const opts = { threshold: legacyThreshold({ okScores: oos.scores }).threshold, includeHeatmap: true, mmPerPx: 0.2, knn: KNN };
  for (let i = 0; i < 3; i++) { await b.forwardRaw(pre.input, pre.window); await scoreImage(b, bank, probe, opts); } // the first builds the search's layout
  const bt: number[] = [];
  const { it, parts } = await interleavedInfer(() => b.forwardRaw(pre.input, pre.window), () => scoreImage(b, bank, probe, opts), bt);
  const out = {
    crops: train.length, layout: bank.layout ?? "global", bank_size: bank.n, fit_s, backbone_window_ms: r1(pct(bt, 50)), infer_p50_ms: r1(pct(it, 50)),
    ratio_infer_backbone: r3(pct(it, 50) / pct(bt, 50)),
    peak_rss_mb_after: Math.round(process.resourceUsage().maxRSS / 1024),
    infer_breakdown_ms: parts,
  };
  log(`registered ROI (${out.crops} real 512×208 crops, ${out.layout} memory of ${out.bank_size}, fit ${fit_s} s): backbone alone on the crop's window p50 ${out.backbone_window_ms} ms, /infer p50 ${out.infer_p50_ms} ms (${out.ratio_infer_backbone.toFixed(2)}×)  ${breakdown(parts)}`);
  return out;
}

/** The probe crop of the end-to-end runs: the last of the first fit's crops. */
async function probeCrop(): Promise<Buffer> {
  return (await makeCrops(Math.max(FIT_CROPS, 2))).at(-1)!;
}

/**
 * One `--scale` point: the service's fit of `n` crops, then /infer of the probe crop against its bank. Run by
 * scalePointInChild in a process of its own, as the service fits in its compute worker: its peak RSS is the fit's
 * own, not whatever the bench's earlier phases left behind (in one process the same code read 1,939–2,105 MiB from
 * run to run, with the GC's timing).
 */
async function scalePoint(b: Backbone, n: number, thr: number) {
  const probe = await probeCrop();
  const crops = await makeCrops(n);
  const t = performance.now();
  const { bank: big, oos } = await fitWithOutOfSample(b, crops, { coresetRate: defaultCoresetRate(b.entry, undefined), knn: KNN });
  const fit_s = (performance.now() - t) / 1000;
  const fit_parts_s = { extract: r1(big.timings.extractMs / 1000), coreset: r1(big.timings.coresetMs / 1000), out_of_sample: r1((oos.ms - big.timings.totalMs) / 1000) };
  const ts: number[] = [];
  for (let i = 0; i < Math.max(5, Math.min(RUNS, 10)); i++) {
    const t1 = performance.now();
    await scoreImage(b, big, probe, { threshold: thr, includeHeatmap: true, mmPerPx: 0.2, knn: KNN });
    ts.push(performance.now() - t1);
  }
  return {
    crops: n, fit_s: r1(fit_s), fit_parts_s, oos_crops: oos.scored.length, bank_size: big.n, requested_rate: big.coreset.requestedRate,
    coreset_rate: r3(big.coreset.rate), infer_p50_ms: r1(pct(ts, 50)), peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}

/** scalePoint in a child process (this command again, with `--scale-point N`); its result is its stdout's last line. */
async function scalePointInChild(id: string, n: number, thr: number): Promise<Awaited<ReturnType<typeof scalePoint>>> {
  const passOn = ["--threads", "--fit-crops", "--runs", "--knn", "--input-size", "--models-dir"].flatMap((f) => (flag(f) !== undefined ? [f, flag(f)!] : []));
  const argv = [...process.execArgv, fileURLToPath(import.meta.url), "--backbone", id, "--scale-point", String(n), "--probe-threshold", String(thr), ...passOn];
  const { stdout } = await promisify(execFile)(process.execPath, argv, { env: process.env, maxBuffer: 16 * 1024 * 1024 });
  return JSON.parse(stdout.trim().split("\n").at(-1)!);
}

/**
 * The CPU, for comparing runs: its model and the int8 kernel class onnxruntime picks on it ("vnni": AVX-512 VNNI or
 * AVX-VNNI; "avx2": byte products added in pairs (VPMADDUBSW), the int8 search's product about twice as slow; null
 * where /proc/cpuinfo cannot tell). Timings of the int8 search compare only within one class.
 */
function cpuInfo(): { model: string; cores: number; int8_kernel: "vnni" | "avx2" | null } {
  let flags: string[] = [];
  try { flags = readFileSync("/proc/cpuinfo", "utf8").match(/^flags\s*:(.*)$/m)?.[1]?.trim().split(/\s+/) ?? []; } catch { /* not Linux */ }
  const int8_kernel = flags.some((f) => f === "avx512_vnni" || f === "avx_vnni") ? "vnni" : flags.includes("avx2") ? "avx2" : null;
  return { model: cpus()[0]?.model ?? "unknown", cores: cpus().length, int8_kernel };
}

async function main() {
  if (SCALE_POINT !== undefined) {
    const b = await loadBackbone({ backbone: flag("--backbone")!, modelsDir: MODELS_DIR, threads: THREADS, inputSize: INPUT_SIZE, device: process.env.BDI_DEVICE ?? "cpu" });
    console.log(JSON.stringify(await scalePoint(b, SCALE_POINT, Number(flag("--probe-threshold")))));
    return;
  }
  const requested = flag("--backbone");
  let ids: string[];
  if (requested) ids = requested.split(",");
  else {
    ids = [];
    for (const e of Object.values(loadManifest().backbones)) {
      try { resolveBackbone(e.id, MODELS_DIR); ids.push(e.id); } catch { /* not available here */ }
    }
  }
  const cpu = cpuInfo();
  log(`cpu: ${cpu.model}, ${cpu.cores} cores, int8 kernel ${cpu.int8_kernel ?? "unknown"}`);
  const crops = await makeCrops(Math.max(FIT_CROPS, 2));
  const results = [];
  for (const id of ids) {
    const b = await loadBackbone({ backbone: id, modelsDir: MODELS_DIR, threads: THREADS, inputSize: INPUT_SIZE, device: process.env.BDI_DEVICE ?? "cpu" });
    results.push(await benchBackbone(b, crops));
    await b.release();
  }
  if (JSON_OUT) {
    const [first, ...rest] = results;
    // each backbone's peak_rss_mb is read before its registered-ROI phase (benchBackbone); the last backbone's is the
    // whole run's up to that point
    // malloc_hugepages: whether this run had glibc's huge-page tunable (hugepages.ts; BDI_MALLOC_HUGEPAGES=0 runs without)
    const malloc_hugepages = (process.env.GLIBC_TUNABLES ?? "").split(":").includes(HUGEPAGE_TUNABLE);
    console.log(JSON.stringify({ ...first, peak_rss_mb: Math.max(...results.map((r) => r.peak_rss_mb)), malloc_hugepages, cpu, ...(rest.length ? { others: rest } : {}) }));
  }
}

main().catch((e) => { console.error(`error: ${(e as Error).message}`); process.exit(1); });
