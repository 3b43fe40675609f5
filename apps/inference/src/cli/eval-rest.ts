// `npm run eval:rest -- --data DIR [--train N (100)] [--pick spread|first] [--json] [--keep]`
// The OK/NG decision end to end, through the legacy REST API exactly as the WPF client drives it, over real HTTP on
// loopback: a real service process (`main.ts`, temp data root, bundled backbone, default settings), N DIR/train/good
// crops uploaded one per `POST /datasets/ok/upload` (`--pick spread`, the default: evenly spaced over the sorted file
// list, as a line's OK samples cover its ROI's normal variation; `first`: the first N by name — bsdata_pitting sorts
// its train crops by camera position, so the first 100 show 9 of its 15 positions and the test crops of the other
// 6 look new), one `POST /fit_ok` from the dataset
// (it self-calibrates out-of-sample), then `POST /infer` of every DIR/test/<type>/* crop (type "good" = OK, any other =
// defective). Prints the fit time, the threshold, the false-reject rate the calibration promised (its stored
// expectedFalseRejectRate, read over tRPC `models.calibrations`) against the one realised on test/good, the recall on
// the defective crops, violations of the contract's `decision == "ng"` iff `score >= threshold`, and /infer latency.
// `--json` prints one JSON object on stdout instead; `--keep` keeps the temp data root (its path is printed).
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, extname, join, resolve } from "node:path";
import { percentile, spreadIndices } from "@bdi/core";
import { IDENTITY_HEADER, signIdentityToken } from "@bdi/core/auth/identity-token";
import { createDb, createUser } from "@bdi/db";
import { flag, hasFlag } from "./args.ts";
import { NetMultipart, post, startService, type ServiceProcess } from "./service-process.ts";

const JSON_OUT = hasFlag("--json");
const KEEP = hasFlag("--keep");
const TRAIN = Number(flag("--train") ?? 100);
const PICK = flag("--pick") ?? "spread";
if (PICK !== "spread" && PICK !== "first") throw new Error("--pick must be spread or first");
const log = (s: string) => (JSON_OUT ? process.stderr : process.stdout).write(s + "\n");

// What the client sends (legacy contract §2.4): role, ROI = model key, the line's mm/px.
const ROLE_ID = "Master1";
const ROI_ID = "Pattern";
const MM_PER_PX = "0.2";

const TYPES: Record<string, string> = { ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".bmp": "image/bmp", ".tif": "image/tiff", ".tiff": "image/tiff" };
const images = (dir: string) => readdirSync(dir).filter((f) => extname(f).toLowerCase() in TYPES).sort().map((f) => join(dir, f));

/** The client's file names: `sample_yyyyMMdd_HHmmssfff.png` (uploads), `roi_yyyyMMddHHmmssfff.png` (/infer). */
function stamp(i: number, sep: string): string {
  const iso = new Date(Date.UTC(2026, 0, 12, 10, 15) + i).toISOString(); // one ms apart: unique per request
  return `${iso.slice(0, 10).replaceAll("-", "")}${sep}${iso.slice(11, 23).replace(/[:.]/g, "")}`;
}

function filePart(name: string, filename: string, path: string) {
  return { name, filename, data: readFileSync(path), contentType: TYPES[extname(path).toLowerCase()] };
}

const text = (name: string, value: string) => ({ name, value });

/** tRPC needs a signed-in user: a viewer "eval-rest" on the temp data root, with tokens signed with its shared key. */
let readerHeaders: () => Promise<Record<string, string>> = async () => ({});
async function makeReader(dataRoot: string, authSecret: string): Promise<() => Promise<Record<string, string>>> {
  const db = await createDb({ dataRoot, migrate: false });
  try {
    const u = await createUser(db.prisma, { username: "eval-rest", role: "viewer" }, { actor: "eval-rest", reason: "reads the fit's calibration over tRPC" });
    return async () => ({ [IDENTITY_HEADER]: await signIdentityToken(authSecret, { sub: u.id, name: u.username }) });
  } finally {
    await db.close();
  }
}

/** The promised false-reject rate: the fit's self-calibration as the service stores it, over the dashboard's tRPC. */
async function promisedRate(base: string, modelVersionId: unknown, threshold: number) {
  if (typeof modelVersionId !== "string") return { note: "/fit_ok answered no model_version_id" };
  const input = encodeURIComponent(JSON.stringify({ modelVersionId }));
  const res = await fetch(`${base}/trpc/models.calibrations?input=${input}`, { headers: await readerHeaders() });
  if (!res.ok) return { note: `GET /trpc/models.calibrations → ${res.status}` };
  type Cal = { threshold: number; active: boolean; nOk: number; outOfSample: boolean; expectedFalseRejectRate: number | null };
  const cals = ((await res.json()) as { result: { data: Cal[] } }).result.data;
  const cal = cals.find((c) => c.active && c.threshold === threshold) ?? cals.find((c) => c.threshold === threshold);
  if (!cal) return { note: `no calibration of the fitted version has threshold ${threshold}` };
  return { rate: cal.expectedFalseRejectRate, n: cal.nOk, outOfSample: cal.outOfSample };
}

const pct = (k: number, n: number) => (n ? `${((100 * k) / n).toFixed(1)} %` : "n/a");

async function run(data: string, service: ServiceProcess) {
  const { base } = service;
  const all = images(join(data, "train/good"));
  const train = PICK === "first" ? all.slice(0, TRAIN) : spreadIndices(all.length, TRAIN).map((i) => all[i]!);
  if (train.length < TRAIN) throw new Error(`${data}/train/good has ${train.length} images, --train asks for ${TRAIN}`);
  const testTypes = readdirSync(join(data, "test"), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  log(`service up on ${base} (data root ${service.dataRoot}); uploading ${train.length} OK crops one per request`);

  for (const [i, p] of train.entries()) {
    const filename = `sample_${stamp(i, "_")}.png`;
    const meta = {
      role_id: ROLE_ID, roi_id: ROI_ID, label: "ok", filename, angle: null, timestamp: null, mm_per_px: 0.2,
      shape_json: null, created_at_utc: new Date().toISOString(), source_path: p,
    };
    await post(base, "/datasets/ok/upload", new NetMultipart([
      text("role_id", ROLE_ID), text("roi_id", ROI_ID), filePart("images", filename, p),
      { name: "metas", value: JSON.stringify(meta), contentType: "application/json; charset=utf-8" },
    ]));
  }

  log("POST /fit_ok (use_dataset, with its out-of-sample self-calibration)");
  const tFit = performance.now();
  const fit = await post(base, "/fit_ok", new NetMultipart([
    text("role_id", ROLE_ID), text("roi_id", ROI_ID), text("mm_per_px", MM_PER_PX), text("memory_fit", "false"),
    text("model_key", ROI_ID), text("use_dataset", "true"),
  ]));
  const fitS = (performance.now() - tFit) / 1000;
  if (typeof fit.threshold !== "number") throw new Error(`the fit did not calibrate itself: ${JSON.stringify(fit).slice(0, 300)}`);
  const threshold = fit.threshold;
  const promised = await promisedRate(base, fit.model_version_id, threshold);

  type Answer = { type: string; file: string; score: number; threshold: number | null; decision: unknown; ms: number };
  const answers: Answer[] = [];
  for (const type of testTypes) {
    const files = images(join(data, "test", type));
    log(`POST /infer × ${files.length} (test/${type})`);
    for (const p of files) {
      const body = new NetMultipart([
        text("role_id", ROLE_ID), text("roi_id", ROI_ID), text("mm_per_px", MM_PER_PX), text("model_key", ROI_ID),
        filePart("image", `roi_${stamp(answers.length, "")}.png`, p),
      ]);
      const t0 = performance.now();
      const r = await post(base, "/infer", body);
      const ms = performance.now() - t0;
      answers.push({ type, file: basename(p), score: r.score as number, threshold: r.threshold as number | null, decision: r.decision, ms });
    }
  }

  const ng = (a: Answer) => a.decision === "ng";
  const good = answers.filter((a) => a.type === "good");
  const bad = answers.filter((a) => a.type !== "good");
  const violations = answers.filter((a) =>
    typeof a.score !== "number" || typeof a.threshold !== "number" || a.decision !== (a.score >= a.threshold ? "ng" : "ok"));
  const ms = answers.map((a) => a.ms);
  const byType = Object.fromEntries(testTypes.filter((t) => t !== "good").map((t) => {
    const of = bad.filter((a) => a.type === t);
    return [t, { detected: of.filter(ng).length, n: of.length }];
  }));
  return {
    train_n: train.length,
    fit_s: +fitS.toFixed(1),
    fit_ms_service: fit.fit_ms,
    bank_size: fit.coreset_size,
    threshold,
    promised_false_reject_rate: promised.rate ?? null,
    promised_on_ok_n: promised.n ?? null,
    promised_out_of_sample: promised.outOfSample ?? null,
    ...(promised.note ? { promised_note: promised.note } : {}),
    false_rejects: good.filter(ng).length,
    good_n: good.length,
    realised_false_reject_rate: good.length ? good.filter(ng).length / good.length : null,
    detected: bad.filter(ng).length,
    defective_n: bad.length,
    recall: bad.length ? bad.filter(ng).length / bad.length : null,
    recall_by_type: byType,
    contract_violations: violations.length,
    contract_violation_files: violations.slice(0, 10).map((a) => `${a.type}/${a.file}`),
    answers_with_other_threshold: answers.filter((a) => a.threshold !== threshold).length,
    infer_n: answers.length,
    infer_p50_ms: +percentile(ms, 50).toFixed(1),
    infer_p95_ms: +percentile(ms, 95).toFixed(1),
    ...(KEEP ? { data_root: service.dataRoot } : {}),
  };
}

function print(o: Awaited<ReturnType<typeof run>>) {
  const line = (k: string, v: string) => log(`${k.padEnd(22)} ${v}`);
  line("train", `${o.train_n} OK crops (${PICK === "first" ? "first by file name" : "evenly spaced over the file names"}), one upload each`);
  line("fit", `${o.fit_s} s over HTTP (service fit_ms ${String(o.fit_ms_service)}; bank ${String(o.bank_size)})`);
  line("threshold", String(o.threshold));
  line("promised false-reject", o.promised_false_reject_rate === null
    ? `n/a (${o.promised_note ?? "not stored"})`
    : `${(100 * o.promised_false_reject_rate).toFixed(1)} % of ${o.promised_on_ok_n} ${o.promised_out_of_sample ? "out-of-sample " : ""}OK scores`);
  line("realised false-reject", `${pct(o.false_rejects, o.good_n)} (${o.false_rejects} of ${o.good_n} test/good)`);
  line("recall", `${pct(o.detected, o.defective_n)} (${o.detected} of ${o.defective_n} defective)` +
    (Object.keys(o.recall_by_type).length > 1 ? `; ${Object.entries(o.recall_by_type).map(([t, r]) => `${t} ${r.detected}/${r.n}`).join(", ")}` : ""));
  line("contract", `${o.contract_violations} of ${o.infer_n} answers break decision == "ng" iff score >= threshold` +
    (o.contract_violations ? ` (${o.contract_violation_files.join(", ")})` : "") +
    (o.answers_with_other_threshold ? `; ${o.answers_with_other_threshold} answered another threshold than the fit's` : ""));
  line("/infer latency", `p50 ${o.infer_p50_ms} ms, p95 ${o.infer_p95_ms} ms (${o.infer_n} sequential calls, HTTP round trip)`);
  if (o.data_root) line("data root kept", o.data_root);
}

async function main() {
  const dataArg = flag("--data");
  if (!dataArg || !Number.isInteger(TRAIN) || TRAIN < 1) {
    console.error("usage: npm run eval:rest -- --data DIR [--train N (default 100)] [--json] [--keep]");
    process.exit(2);
  }
  // npm runs the script in the workspace; relative paths are meant from where npm was started.
  const data = resolve(process.env.INIT_CWD ?? process.cwd(), dataArg);
  if (!existsSync(join(data, "train/good")) || !existsSync(join(data, "test"))) throw new Error(`${data}: no train/good and test/ (MVTec layout)`);
  let service: ServiceProcess | null = null;
  let interrupted = false;
  process.on("SIGINT", () => {
    interrupted = true;
    log("interrupted: stopping the service");
    if (service) void service.stop({ keep: KEEP }).then(() => process.exit(130));
  });
  const authSecret = randomBytes(32).toString("hex");
  service = await startService("bdi-eval-rest-", { BDI_AUTH_SECRET: authSecret });
  if (interrupted) {
    await service.stop({ keep: KEEP });
    process.exit(130);
  }
  readerHeaders = await makeReader(service.dataRoot, authSecret);
  try {
    const out = await run(data, service);
    if (JSON_OUT) console.log(JSON.stringify(out));
    else print(out);
  } finally {
    await service.stop({ keep: KEEP });
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
