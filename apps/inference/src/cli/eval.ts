// `npm run eval -- --data DIR --out OUT [--backbone ID] [--coreset-rate R] [--input-size N] [--threads N] [--limit-train N] [--l2 true|false] [--local-avg K] [--knn exact|int8] [--chunk-rows N] [--bank-cap N] [--norm true|false] [--score-rule tail-mean|percentile] [--input square|crop] [--layout auto|global|positional] [--baseline auto|none|crop-median] [--channel-weights auto|false] [--brightness auto|false] [--scale-floor auto|Q] [--seed N | --seeds 0,1,…] [--holdout K] [--view gain:G|blur:S] [--turn 90|180|270 | --turns 0,90,…] [--json]`
// Fits on DIR/train/good as the service does (k-fold out-of-sample pass: bank, per-position normalisation and the
// calibrated threshold = the legacy rule on the out-of-sample OK scores), scores every DIR/test/<type>/* image
// (MVTec-AD layout) and prints image AUROC, pixel AUROC, AUPRO (FPR ≤ 0.3), the operating points a line runs at
// (false-reject rate at 95 % / 99 % recall, recall at 1 % false-reject, recall by defect size at the calibrated
// threshold), the promised vs realised false-reject rate, 95 % bootstrap intervals of the image metrics over the
// test crops (what a test set of this size can tell apart), and per-stage timings. `--holdout K` keeps K evenly
// spaced good training crops out of the fit and counts their false rejects too. It also compares the good test crops
// with the out-of-sample OK scores as the dashboard compares a line's last crops (share above their median); `--view
// gain:G|blur:S` changes every test crop first (a lamp, the focus: view-change.ts); `--turn 90|180|270` turns the whole
// set, training crops and masks too (an orientation a backbone does not treat alike: view-change.ts), and `--turns
// 0,90,180,270` fits once per orientation (OUT/turn-T/…) with the spread of every metric, as `--seeds` does. Writes
// OUT/scores.csv (file,label,score), OUT/maps/<type>/<stem>.npy (float32, H×W, higher = more anomalous), OUT/oos.csv
// (file,score: the training crops' out-of-sample scores, which the calibrated threshold comes from) and OUT/metrics.json;
// `--json` prints the metrics JSON on stdout instead of the summary lines. `--seeds 0,1,…` fits once per coreset seed
// (OUT/seed-N/…) and adds the spread of every metric (OUT/metrics.json: seeds, spread, per_seed).
import "./hugepages.ts"; // first: may start this command again with the huge-page tunable
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, extname, join, resolve } from "node:path";
import { aupro, auroc, bootstrapInterval, expectedRates, okResampleInterval, rejectedAcross, scoreShift, frrAtRecall, legacyThreshold, percentileSources, recallAtFrr, spreadIndices, BANK_LAYOUT_CHOICES, cropKindOf, DEFAULT_SCORE_RULE, INPUT_MODES, MAP_BASELINES, SCORE_RULES, type BankLayoutChoice, type MapBaseline, type InputMode, type ScoreRule } from "@bdi/core";
import { loadBackbone } from "../engine/backbone.ts";
import { bankIndex, cropAdjust, defaultInputMode, extractImage, scoreFeatures } from "../engine/pipeline.ts";
import { fitBank, fitWithOutOfSample } from "../engine/fit.ts";
import { npyFloat32 } from "../engine/npy.ts";
import { defaultCoresetRate } from "../engine/coreset.ts";
import { DEFAULT_KNN_SEARCH, KNN_SEARCHES, type KnnSearch } from "../engine/knn.ts";
import { maskPathFor, readMask } from "./masks.ts";
import { applyViewChange, parseTurn, parseTurns, parseViewChange, turnImage, type Turn, type ViewChange } from "./view-change.ts";

const IMG = new Set([".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp"]);

function parseArgs(argv: string[]) {
  const a: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    if (argv[i].startsWith("--")) {
      const k = argv[i].slice(2);
      const v = argv[i + 1] && !argv[i + 1].startsWith("--") ? argv[++i] : "true";
      a[k] = v;
    }
  }
  return a;
}

function listImages(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => IMG.has(extname(f).toLowerCase())).sort().map((f) => join(dir, f));
}

export function progressBar(label: string, done: number, total: number, t0: number): void {
  if (!process.stderr.isTTY && done !== total && done % Math.max(1, Math.floor(total / 10)) !== 0) return;
  const w = 28;
  const f = total ? done / total : 1;
  const el = (performance.now() - t0) / 1000;
  const eta = done ? (el / done) * (total - done) : 0;
  const line = `${label.padEnd(6)} [${"#".repeat(Math.round(f * w)).padEnd(w, ".")}] ${done}/${total}  ${el.toFixed(1)}s elapsed, ETA ${eta.toFixed(0)}s`;
  process.stderr.write(process.stderr.isTTY ? `\r${line}${done === total ? "\n" : ""}` : `${line}\n`);
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const cwd = process.env.INIT_CWD ?? process.cwd();
  if (!args.data || !args.out) {
    console.error("usage: npm run eval -- --data DIR --out OUT [--backbone ID] [--coreset-rate R] [--input-size N] [--threads N] [--limit-train N] [--l2 true|false] [--local-avg K] [--knn exact|int8] [--chunk-rows N] [--bank-cap N] [--norm true|false] [--score-rule tail-mean|percentile] [--input square|crop] [--layout auto|global|positional] [--baseline auto|none|crop-median] [--channel-weights auto|false] [--brightness auto|false] [--scale-floor auto|Q] [--seed N | --seeds 0,1,…] [--holdout K] [--view gain:G|blur:S] [--turn 90|180|270 | --turns 0,90,…] [--json]");
    process.exit(2);
  }
  const data = resolve(cwd, args.data);
  const out = resolve(cwd, args.out);
  const allTrain = listImages(join(data, "train", "good")).slice(0, args["limit-train"] ? Number(args["limit-train"]) : undefined);
  const holdoutK = args.holdout ? Number(args.holdout) : 0;
  if (!(Number.isInteger(holdoutK) && holdoutK >= 0 && holdoutK < allTrain.length - 2)) { console.error("error: --holdout must be an integer from 0 to (training crops − 3)"); process.exit(2); }
  // evenly spaced, so the held-out crops span the set as new parts on the line would
  const held = new Set(spreadIndices(allTrain.length, holdoutK));
  const train = allTrain.filter((_, i) => !held.has(i));
  const holdout = allTrain.filter((_, i) => held.has(i));
  if (!train.length) { console.error(`error: no images under ${join(data, "train", "good")}`); process.exit(2); }
  const normalise = args.norm !== "false" && args.norm !== "0";
  // --score-rule percentile: the legacy p99 image score instead of the mean of the map's top 1 % (the default)
  const scoreRule = (args["score-rule"] ?? DEFAULT_SCORE_RULE) as ScoreRule;
  if (!SCORE_RULES.includes(scoreRule)) { console.error(`error: --score-rule must be one of ${SCORE_RULES.join(", ")}`); process.exit(2); }
  // --input square: letterbox into the whole square input, as every fit before session 8 did (default: the backbone's)
  const inputArg = args.input as InputMode | undefined;
  if (inputArg !== undefined && !INPUT_MODES.includes(inputArg)) { console.error(`error: --input must be one of ${INPUT_MODES.join(", ")}`); process.exit(2); }
  // --layout global|positional: the memory layout the fit would otherwise choose by its registration probe ("auto")
  const layout = (args.layout ?? "auto") as BankLayoutChoice;
  if (!BANK_LAYOUT_CHOICES.includes(layout)) { console.error(`error: --layout must be one of ${BANK_LAYOUT_CHOICES.join(", ")}`); process.exit(2); }
  // --baseline none|crop-median: the map's baseline the fit would otherwise choose by its registration probe ("auto")
  const baselineArg = args.baseline ?? "auto";
  if (baselineArg !== "auto" && !MAP_BASELINES.includes(baselineArg as MapBaseline)) { console.error(`error: --baseline must be auto or one of ${MAP_BASELINES.join(", ")}`); process.exit(2); }
  const baseline = baselineArg === "auto" ? undefined : (baselineArg as MapBaseline);
  // --channel-weights false: a registered ROI's features as the backbone gives them (before session 23); auto: the fit's
  const weightsArg = args["channel-weights"] ?? "auto";
  if (weightsArg !== "auto" && weightsArg !== "false") { console.error("error: --channel-weights must be auto or false"); process.exit(2); }
  const channelWeights = weightsArg === "false" ? null : undefined;
  // --brightness false: a registered ROI's crops as decoded (before session 24); auto: the fit's reference level
  const brightnessArg = args.brightness ?? "auto";
  if (brightnessArg !== "auto" && brightnessArg !== "false") { console.error("error: --brightness must be auto or false"); process.exit(2); }
  const brightness = brightnessArg === "false" ? null : undefined;
  // --scale-floor Q: the quantile of the crop cells' deviations the per-position scale is floored at; auto: the layout's
  // (@bdi/core scaleFloorQuantile; 0.5 was the documented floor before session 26)
  const floorArg = args["scale-floor"] ?? "auto";
  const scaleFloorQuantile = floorArg === "auto" ? undefined : Number(floorArg);
  if (scaleFloorQuantile !== undefined && !(scaleFloorQuantile >= 0 && scaleFloorQuantile <= 1)) { console.error("error: --scale-floor must be auto or a number from 0 to 1"); process.exit(2); }
  // --seed N: another seed for the coreset's random projection; --seeds 0,1,…: one fit per seed (OUT/seed-N) and the
  // spread of every metric, since the coreset alone moves bsdata's image AUROC by 0.003 (README, "The crop's window")
  if (args.seed && args.seeds) { console.error("error: give --seed or --seeds, not both"); process.exit(2); }
  const seeds = (args.seeds ?? args.seed ?? "0").split(",").map((x) => (x.trim() === "" ? NaN : Number(x)));
  if (seeds.some((x) => !Number.isInteger(x)) || new Set(seeds).size !== seeds.length) { console.error("error: --seed / --seeds take distinct integers, e.g. --seeds 0,1"); process.exit(2); }
  // --view gain:G|blur:S: every test crop as a changed view would show it (a lamp, the focus), the fit unchanged
  let view: ViewChange | null = null;
  try { view = args.view ? parseViewChange(args.view) : null; } catch (e) { console.error(`error: ${(e as Error).message}`); process.exit(2); }
  // --turn 90|180|270: every crop and mask of the set turned clockwise, the fit included; --turns 0,90,…: one fit per
  // orientation (OUT/turn-T) and the spread of every metric, as --seeds does for the coreset's seed
  if (args.turn && args.turns) { console.error("error: give --turn or --turns, not both"); process.exit(2); }
  if (args.turns && args.seeds) { console.error("error: give --seeds or --turns, not both (one spread at a time)"); process.exit(2); }
  let turns: Array<Turn | 0> = [0];
  try { turns = args.turns ? parseTurns(args.turns) : args.turn ? [parseTurn(args.turn)] : [0]; } catch (e) { console.error(`error: ${(e as Error).message}`); process.exit(2); }
  // a crop's or a mask's bytes, turned with the set
  const readCrop = async (p: string, turn: Turn | 0): Promise<Buffer> => (turn ? turnImage(readFileSync(p), turn) : readFileSync(p));
  // a linked folder counts as one (a copy of a data set may link the parts it does not change)
  const types = readdirSync(join(data, "test")).filter((d) => statSync(join(data, "test", d)).isDirectory()).sort();
  const tests = types.flatMap((t) => listImages(join(data, "test", t)).map((p) => ({ path: p, type: t })));
  if (!tests.length) { console.error(`error: no images under ${join(data, "test")}`); process.exit(2); }

  const backbone = await loadBackbone({
    backbone: args.backbone ?? process.env.BDI_BACKBONE ?? "auto",
    device: args.device ?? process.env.BDI_DEVICE ?? "cpu",
    threads: args.threads ? Number(args.threads) : undefined,
    inputSize: args["input-size"] ? Number(args["input-size"]) : undefined,
    ...(args.l2 ? { l2: args.l2 !== "false" && args.l2 !== "0" } : {}),
    ...(args["local-avg"] ? { localAvg: Number(args["local-avg"]) } : {}),
  });
  const envRate = process.env.BDI_CORESET_RATE ? Number(process.env.BDI_CORESET_RATE) : undefined;
  const rate = args["coreset-rate"] ? Number(args["coreset-rate"]) : defaultCoresetRate(backbone.entry, envRate);
  const input = inputArg ?? defaultInputMode(backbone);
  console.error(`backbone ${backbone.id} (input ${backbone.inputSize}, grid ${backbone.grid}, dim ${backbone.dim}, ${backbone.device}); train ${train.length}, test ${tests.length}, coreset rate ${rate}, L2 ${backbone.l2}, local avg ${backbone.localAvg}, input ${input}${args.turn ? `, every crop turned ${args.turn}°` : ""}`);

  const knn = (args.knn ?? process.env.BDI_KNN ?? DEFAULT_KNN_SEARCH) as KnnSearch;
  if (!KNN_SEARCHES.includes(knn)) { console.error(`error: --knn must be one of ${KNN_SEARCHES.join(", ")}`); process.exit(2); }
  // --chunk-rows N: partial coresets every N patches (default 16,384); a large N gives one global coreset
  const chunking = args["chunk-rows"] ? { chunkRows: Number(args["chunk-rows"]), chunkFloats: Number(args["chunk-rows"]) * backbone.dim } : {};
  // --bank-cap N: another bound on the bank than BANK_CAP (what a smaller or larger bank costs the decision)
  const bankCap = args["bank-cap"] ? Number(args["bank-cap"]) : undefined;
  if (bankCap !== undefined && !(Number.isInteger(bankCap) && bankCap >= 1)) { console.error("error: --bank-cap must be a positive integer"); process.exit(2); }
  /**
   * One fit with `seed` on the set turned by `turn` and every test crop scored against it; writes scores.csv, maps/
   * and metrics.json to `out`.
   */
  const evaluate = async (seed: number, turn: Turn | 0, out: string): Promise<Metrics> => {
    const trainBytes: Buffer[] = [];
    for (const p of train) trainBytes.push(await readCrop(p, turn));
    let t0 = performance.now();
    // the service's self-calibrating fit (≥ 3 crops); --norm false keeps raw distances as before
    const fitted = train.length >= 3
      ? await fitWithOutOfSample(backbone, trainBytes, {
        coresetRate: rate, knn, normalise, scoreRule, input, layout, baseline, channelWeights, brightness, scaleFloorQuantile, seed, ...chunking, ...(bankCap ? { bankCap } : {}),
        onProgress: (p) => p.stage !== "coreset" && progressBar(p.stage === "extract" ? "fit" : "oos", p.done, p.total, t0),
      })
      : { bank: await fitBank(backbone, trainBytes, { coresetRate: rate, scoreRule, input, seed, ...chunking, ...(bankCap ? { bankCap } : {}) }), oos: null };
    const bank = fitted.bank;
    const fitS = (performance.now() - t0) / 1000;
    console.error(`bank: ${bank.layout ?? "global"} layout${bank.registrationShare !== undefined ? ` (registration share ${bank.registrationShare.toFixed(3)}: ${cropKindOf(bank) === "registered" ? "registered crops" : "a texture"})` : ""}, map baseline ${bank.baseline ?? "none"}${bank.channelWeights ? ", channel weights" : ""}${bank.brightness !== undefined ? `, brightness level ${bank.brightness.toFixed(1)}` : ""}, ${bank.n} vectors from ${bank.coreset.candidates} patches (${bank.coreset.chunks} chunk(s)); fit ${fitS.toFixed(1)}s (extract ${(bank.timings.extractMs / 1000).toFixed(1)}s, coreset ${(bank.timings.coresetMs / 1000).toFixed(1)}s)`);

    mkdirSync(join(out, "maps"), { recursive: true });
    const index = bankIndex(bank, knn);
    const adjust = cropAdjust(bank, index);
    const rows: string[] = ["file,label,score"];
    const imgScores: number[] = [];
    const imgLabels: number[] = [];
    const maps: Float32Array[] = [];
    const masks: Uint8Array[] = [];
    // pixel metrics need a ground-truth mask: good crops (all normal) and defect crops that have one; an image-level
    // data set (no ground_truth/, or a defect type without masks) still gets its image metrics, scores.csv and maps
    const hasMask: boolean[] = [];
    const sizes: Array<[number, number]> = [];
    const st = { decodeMs: 0, extractMs: 0, knnMs: 0, postMs: 0 };
    t0 = performance.now();
    for (let i = 0; i < tests.length; i++) {
      const { path, type } = tests[i];
      const bytes = await readCrop(path, turn);
      const f = await extractImage(backbone, view ? await applyViewChange(bytes, view) : bytes, input, adjust);
      const r = await scoreFeatures(backbone, index, f, {}, bank);
      st.decodeMs += r.timings.decodeMs; st.extractMs += r.timings.extractMs; st.knnMs += r.timings.knnMs; st.postMs += r.timings.postMs;
      const stem = basename(path, extname(path));
      mkdirSync(join(out, "maps", type), { recursive: true });
      writeFileSync(join(out, "maps", type, `${stem}.npy`), npyFloat32(r.map!, [r.height, r.width]));
      const label = type === "good" ? 0 : 1;
      rows.push(`${join("test", type, basename(path))},${type},${r.score}`);
      imgScores.push(r.score);
      imgLabels.push(label);
      const gt = type === "good" ? null : maskPathFor(data, type, stem);
      hasMask.push(type === "good" || gt !== null);
      maps.push(r.map!);
      masks.push(await readMask(gt && (await readCrop(gt, turn)), r.width, r.height));
      sizes.push([r.width, r.height]);
      progressBar("score", i + 1, tests.length, t0);
    }
    writeFileSync(join(out, "scores.csv"), rows.join("\n") + "\n");

    const imageAuroc = auroc(imgScores, imgLabels);
    const px = maps.map((_, i) => i).filter((i) => hasMask[i]);
    const pixelImages = px.length;
    const noMask = [...new Set(tests.filter((_, i) => !hasMask[i]).map((t) => t.type))];
    const withDefectMask = px.some((i) => imgLabels[i]);
    let nPix = 0;
    for (const i of px) nPix += maps[i].length;
    const allS = new Float32Array(nPix);
    const allL = new Uint8Array(nPix);
    let o = 0;
    for (const i of px) { allS.set(maps[i], o); allL.set(masks[i], o); o += maps[i].length; }
    const pixelAuroc = withDefectMask ? auroc(allS, allL) : null;
    const pro = withDefectMask ? aupro(px.map((i) => maps[i]), px.map((i) => masks[i]), px.map((i) => ({ w: sizes[i][0], h: sizes[i][1] })), 0.3) : null;
    const n = tests.length;

    // The operating point: the threshold the service would calibrate from this fit (legacy rule on the out-of-sample
    // OK scores), what it promises, and what good crops the fit never saw then get.
    const oosScores = fitted.oos?.scores ?? null;
    const threshold = oosScores ? legacyThreshold({ okScores: oosScores }).threshold : null;
    // which training crops the threshold comes from: each scored crop's out-of-sample score (OUT/oos.csv), and the two
    // whose scores the legacy 99th percentile interpolates between (on 100 crops: the highest and second highest)
    const oosCrops = fitted.oos ? fitted.oos.scored.map((i, j) => ({ file: join("train", "good", basename(train[i]!)), score: fitted.oos!.scores[j]! })) : [];
    if (oosCrops.length) writeFileSync(join(out, "oos.csv"), ["file,score", ...oosCrops.map((c) => `${c.file},${c.score}`)].join("\n") + "\n");
    const atRule = threshold === null ? null : expectedRates(threshold, oosScores!);
    const thresholdSetBy = percentileSources(oosCrops.map((c) => c.score)).map((i) => oosCrops[i]!);
    // share of scores at or over the threshold (core's expectedRates: NaN-safe, null for none)
    const rejected = (scores: number[]) => (threshold === null ? null : expectedRates(threshold, scores).falseRejectRate);
    const holdoutScores: number[] = [];
    for (const p of holdout) holdoutScores.push((await scoreFeatures(backbone, index, await extractImage(backbone, await readCrop(p, turn), input, adjust), { includeMap: false }, bank)).score);
    const goodScores = imgScores.filter((_, i) => !imgLabels[i]);
    // the good test crops as the line's last crops, in file order, against the fit's out-of-sample OK scores
    // (reports.line's `scores`; a whole test set is compared however few its crops: no MIN_SHIFT_CROPS floor)
    const shift = oosScores && goodScores.length ? scoreShift(goodScores, oosScores, { minCrops: 1 }) : null;
    const defectPx = masks.map((m) => m.reduce((a, v) => a + v, 0));
    const recallBySize = (lo: number, hi: number) => {
      const s = imgScores.filter((_, i) => imgLabels[i] && hasMask[i] && defectPx[i]! >= lo && defectPx[i]! < hi);
      return { n: s.length, recall: s.length ? rejected(s) : null };
  };
  const both = imgLabels.some((l) => l) && imgLabels.some((l) => !l);
  const operating = {
    frr_at_recall_95: both ? frrAtRecall(imgScores, imgLabels, 0.95) : null,
    frr_at_recall_99: both ? frrAtRecall(imgScores, imgLabels, 0.99) : null,
    recall_at_frr_1: both ? recallAtFrr(imgScores, imgLabels, 0.01) : null,
    calibrated_threshold: threshold,
    threshold_set_by: thresholdSetBy,
    // on new OK crops (core's newSampleShareAtOrOver), beside how many out-of-sample OK scores are over it
    promised_frr: atRule?.promisedFalseRejectRate ?? null,
    oos_at_or_over_threshold: atRule && { count: atRule.falseRejects, n: atRule.nOk },
    realised_frr_test_good: rejected(goodScores),
    realised_frr_holdout: rejected(holdoutScores),
    holdout_images: holdout.length,
    line_shift_test_good: shift && {
      above_ok_median: shift.aboveOkMedian, crops: shift.crops, run_correlation: shift.runCorrelation, effective_crops: shift.effectiveCrops,
      interval_95: [shift.interval95.lower, shift.interval95.upper] as [number, number], verdict: shift.verdict,
    },
    recall_at_threshold: rejected(imgScores.filter((_, i) => imgLabels[i])),
    recall_by_defect_px: { under_100: recallBySize(0, 100), from_100_to_1000: recallBySize(100, 1000), over_1000: recallBySize(1000, Infinity) },
    // a set with several kinds of defect (MVTec AD's categories have 3–8): each kind's crops against the good ones
    by_defect_type: Object.fromEntries(types.filter((t) => t !== "good").map((t) => {
      const ng = imgScores.filter((_, i) => tests[i]!.type === t);
      return [t, { crops: ng.length, image_auroc: goodScores.length && ng.length ? auroc([...goodScores, ...ng], [...goodScores.map(() => 0), ...ng.map(() => 1)]) : null, recall_at_threshold: rejected(ng) }];
    })),
    // what this many test crops can tell apart: good and defective crops resampled (core's bootstrapInterval)
    intervals_95: both ? Object.fromEntries(([
      ["image_auroc", auroc], ["frr_at_recall_95", (sc: number[], lb: number[]) => frrAtRecall(sc, lb, 0.95)], ["recall_at_frr_1", (sc: number[], lb: number[]) => recallAtFrr(sc, lb, 0.01)],
    ] as const).map(([k, f]) => { const iv = bootstrapInterval(imgScores, imgLabels, f); return [k, [iv.low, iv.high]]; })) as Intervals : null,
    // what another draw of as many OK crops like these could calibrate: the out-of-sample OK scores resampled (core's
    // okResampleInterval), the threshold's range, and its recall and realised false-reject across it (rejectedAcross)
    calibration_resampled_95: oosScores && threshold !== null ? (() => {
      const range = okResampleInterval(oosScores, (ok) => legacyThreshold({ okScores: ok }).threshold, (t) => t);
      return {
        threshold: [range.low, range.high] as [number, number],
        recall: rejectedAcross(range, imgScores.filter((_, i) => imgLabels[i])),
        realised_frr_test_good: rejectedAcross(range, goodScores),
      };
    })() : null,
  };
  const metrics = {
    backbone: backbone.id, backbone_sha256: backbone.sha256, input_size: backbone.inputSize, grid: backbone.grid, dim: backbone.dim, l2: backbone.l2, local_avg: backbone.localAvg, input, knn,
    device: backbone.device, view: args.view ?? null, turn: turn || null, train_images: train.length, test_images: n, coreset_rate: rate, bank_size: bank.n,
    layout: bank.layout ?? "global", registration_share: bank.registrationShare ?? null, crop_kind: cropKindOf(bank) ?? null, baseline: bank.baseline ?? "none", channel_weights: !!bank.channelWeights, brightness: bank.brightness ?? null,
    normalised: !!bank.norm, score_rule: bank.scoreRule, requested_coreset_rate: bank.coreset.requestedRate ?? rate, effective_coreset_rate: bank.coreset.rate,
    image_auroc: imageAuroc, pixel_auroc: pixelAuroc, aupro_fpr30: pro, pixel_metric_images: pixelImages, types_without_masks: noMask, ...operating,
    timings_ms_per_image: {
      fit_total_s: fitS, fit_extract: bank.timings.extractMs / train.length, fit_coreset_total: bank.timings.coresetMs,
      decode: st.decodeMs / n, backbone: st.extractMs / n, knn: st.knnMs / n, post: st.postMs / n,
    },
  };
  writeFileSync(join(out, "metrics.json"), JSON.stringify(metrics, null, 2) + "\n");
  return metrics;
  };

  if (seeds.length === 1 && turns.length === 1) {
    const m = await evaluate(seeds[0]!, turns[0]!, out);
    if (args.json === "true") console.log(JSON.stringify(m, null, 2));
    else printSummary(m, out);
    return;
  }
  // one fit per seed (OUT/seed-N) or per orientation (OUT/turn-T)
  const bySeed = turns.length === 1;
  const variants = bySeed ? seeds.map((seed) => ({ seed, turn: turns[0]!, name: `seed-${seed}`, label: `seed ${seed}` })) : turns.map((turn) => ({ seed: seeds[0]!, turn, name: `turn-${turn}`, label: `turn ${turn}` }));
  const runs: Metrics[] = [];
  for (const v of variants) {
    console.error(v.label);
    runs.push(await evaluate(v.seed, v.turn, join(out, v.name)));
  }
  const summary = bySeed ? { seeds, spread: spreadOf(runs), per_seed: runs } : { turns, spread: spreadOf(runs), per_turn: runs };
  writeFileSync(join(out, "metrics.json"), JSON.stringify(summary, null, 2) + "\n");
  if (args.json === "true") { console.log(JSON.stringify(summary, null, 2)); return; }
  runs.forEach((m, i) => { console.log(`== ${variants[i]!.label}`); printSummary(m, join(out, variants[i]!.name)); });
  console.log(`== spread over ${bySeed ? `seeds ${seeds.join(", ")}` : `turns ${turns.join(", ")}`} (min – max, mean)`);
  for (const [k, v] of Object.entries(summary.spread)) console.log(`${k.padEnd(24)} ${v.min.toFixed(4)} – ${v.max.toFixed(4)}, ${v.mean.toFixed(4)}`);
}

/** 95 % bootstrap intervals [low, high] of the image-level metrics over the test crops. */
type Intervals = Record<"image_auroc" | "frr_at_recall_95" | "recall_at_frr_1", [number, number]>;

/** What evaluate() reports (metrics.json has these and the run's settings). */
interface Metrics {
  image_auroc: number; pixel_auroc: number | null; aupro_fpr30: number | null; pixel_metric_images: number; types_without_masks: string[];
  frr_at_recall_95: number | null; frr_at_recall_99: number | null; recall_at_frr_1: number | null; calibrated_threshold: number | null;
  promised_frr: number | null; oos_at_or_over_threshold: { count: number; n: number } | null; realised_frr_test_good: number | null; realised_frr_holdout: number | null; holdout_images: number;
  threshold_set_by: Array<{ file: string; score: number }>;
  /** the good test crops against the fit's out-of-sample OK scores, as reports.line compares the line's last crops */
  line_shift_test_good: { above_ok_median: number; crops: number; run_correlation: number; effective_crops: number; interval_95: [number, number]; verdict: string } | null;
  view: string | null;
  turn: number | null;
  recall_at_threshold: number | null; recall_by_defect_px: Record<"under_100" | "from_100_to_1000" | "over_1000", { n: number; recall: number | null }>;
  by_defect_type: Record<string, { crops: number; image_auroc: number | null; recall_at_threshold: number | null }>;
  intervals_95: Intervals | null;
  /** 95 % intervals over resamples of the out-of-sample OK scores: the threshold, its recall and realised false-reject */
  calibration_resampled_95: { threshold: [number, number]; recall: [number, number] | null; realised_frr_test_good: [number, number] | null } | null;
  train_images: number; layout: string; registration_share: number | null; baseline: string; channel_weights: boolean; brightness: number | null; bank_size: number; timings_ms_per_image: { fit_total_s: number; fit_coreset_total: number; decode: number; backbone: number; knn: number; post: number };
}

/** Min, max and mean over the seeds of every metric that is a number in each run. */
function spreadOf(runs: Metrics[]): Record<string, { min: number; max: number; mean: number }> {
  const keys = ["image_auroc", "pixel_auroc", "aupro_fpr30", "frr_at_recall_95", "frr_at_recall_99", "recall_at_frr_1", "promised_frr", "realised_frr_test_good", "recall_at_threshold"] as const;
  const out: Record<string, { min: number; max: number; mean: number }> = {};
  for (const k of keys) {
    const v = runs.map((r) => r[k]);
    if (v.some((x) => typeof x !== "number")) continue;
    const xs = v as number[];
    out[k] = { min: Math.min(...xs), max: Math.max(...xs), mean: xs.reduce((a, x) => a + x, 0) / xs.length };
  }
  return out;
}

function printSummary(m: Metrics, out: string): void {
  const f4 = (x: number) => x.toFixed(4);
  const pc = (x: number | null | undefined) => (x === null || x === undefined ? "–" : `${(100 * x).toFixed(1)} %`);
  const bySize = m.recall_by_defect_px;
  const noMask = m.types_without_masks;
  const pixelLine = m.pixel_auroc === null || m.aupro_fpr30 === null
    ? "pixel metrics skipped (no ground-truth masks)"
    : `pixel AUROC ${f4(m.pixel_auroc)}  AUPRO(FPR≤0.3) ${f4(m.aupro_fpr30)}${noMask.length ? ` (over ${m.pixel_metric_images} images; no masks for ${noMask.join(", ")})` : ""}`;
  console.log(`${m.layout} memory${m.registration_share === null ? "" : ` (registration share ${f4(m.registration_share)})`}, ${m.bank_size} vectors; map baseline ${m.baseline}`);
  console.log(`image AUROC ${f4(m.image_auroc)}  ${pixelLine}`);
  console.log(`false-reject at 95 % recall ${pc(m.frr_at_recall_95)}, at 99 % recall ${pc(m.frr_at_recall_99)}; recall at 1 % false-reject ${pc(m.recall_at_frr_1)}`);
  const iv = m.intervals_95;
  if (iv) console.log(`95 % bootstrap intervals over the test crops: image AUROC ${f4(iv.image_auroc[0])}–${f4(iv.image_auroc[1])}, false-reject at 95 % recall ${pc(iv.frr_at_recall_95[0])}–${pc(iv.frr_at_recall_95[1])}, recall at 1 % false-reject ${pc(iv.recall_at_frr_1[0])}–${pc(iv.recall_at_frr_1[1])}`);
  console.log(`calibrated threshold ${m.calibrated_threshold?.toFixed(4) ?? "– (fewer than 3 training crops)"}: promised false-reject ${pc(m.promised_frr)}${m.oos_at_or_over_threshold ? ` on new OK crops (${m.oos_at_or_over_threshold.count} of the ${m.oos_at_or_over_threshold.n} out-of-sample OK scores at or over it)` : ""}, realised on test good ${pc(m.realised_frr_test_good)}${m.holdout_images ? `, on ${m.holdout_images} held-out training crops ${pc(m.realised_frr_holdout)}` : ""}; recall ${pc(m.recall_at_threshold)} (defects < 100 px ${pc(bySize.under_100.recall)} of ${bySize.under_100.n}, 100–1000 px ${pc(bySize.from_100_to_1000.recall)} of ${bySize.from_100_to_1000.n}, > 1000 px ${pc(bySize.over_1000.recall)} of ${bySize.over_1000.n})`);
  const byType = Object.entries(m.by_defect_type);
  if (byType.length > 1) console.log(`by defect type (image AUROC against the good crops, recall at the calibrated threshold): ${byType.map(([t, v]) => `${t} ${v.crops} crops ${v.image_auroc === null ? "–" : f4(v.image_auroc)} ${pc(v.recall_at_threshold)}`).join("; ")}`);
  const cr = m.calibration_resampled_95;
  if (cr) console.log(`with another draw of OK crops like these (their out-of-sample scores resampled, 95 %): threshold ${cr.threshold[0].toFixed(4)}–${cr.threshold[1].toFixed(4)}${cr.recall ? `, recall ${pc(cr.recall[0])}–${pc(cr.recall[1])}` : ""}${cr.realised_frr_test_good ? `, realised on test good ${pc(cr.realised_frr_test_good[0])}–${pc(cr.realised_frr_test_good[1])}` : ""}`);
  const ls = m.line_shift_test_good;
  if (ls) console.log(`test/good${m.view ? ` (view ${m.view})` : ""} against the out-of-sample OK scores' median, as the line's score shift: ${ls.above_ok_median} of ${ls.crops} above (${pc(ls.interval_95[0])}–${pc(ls.interval_95[1])} as ${ls.effective_crops.toFixed(1)} independent crops, run correlation ${ls.run_correlation.toFixed(2)} in file order), ${ls.verdict}`);
  if (m.threshold_set_by.length) console.log(`the threshold comes from the out-of-sample scores of ${m.threshold_set_by.map((c) => `${c.file} (${c.score.toFixed(2)})`).join(" and ")} (every training crop's: oos.csv)`);
  const t = m.timings_ms_per_image;
  console.log(`per test image: decode ${t.decode.toFixed(1)} ms, backbone ${t.backbone.toFixed(1)} ms, knn ${t.knn.toFixed(1)} ms, post ${t.post.toFixed(1)} ms; fit ${t.fit_total_s.toFixed(1)} s for ${m.train_images} images (coreset ${(t.fit_coreset_total / 1000).toFixed(1)} s)`);
  console.log(`wrote ${join(out, "scores.csv")}, ${join(out, "maps")}/, ${join(out, "metrics.json")}${m.threshold_set_by.length ? `, ${join(out, "oos.csv")}` : ""}`);
}

main().catch((e) => { console.error(`error: ${(e as Error).message}`); process.exit(1); });
