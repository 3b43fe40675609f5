// `npm run bench:service [-- --json] [--samples 100] [--pollers 4] [--interval-ms 2000] [--input-size N] [--backbone ID]`
// Service-level numbers the WPF client feels, measured over real HTTP against a real service process on a temp
// data root: `/health` latency (p50/p99/max) while `pollers` clients poll it every `interval-ms` during a `/fit_ok`
// and a series of `/infer`s (twice: the first fit after start, then a refit), next to the same polls of a minimal
// reference server (the machine's floor), and the duration of `/calibrate_dataset` over `samples` stored samples (the
// client's timeout is 120 s).
// `--throughput [--workers 1,2] [--clients 8] [--seconds 30]` measures instead the /infer throughput with 1 and N
// scoring processes (BDI_SCORING_WORKERS) side by side: per worker count a fresh service, `clients` clients sending
// /infer back to back for `seconds` while another ROI refits in a loop (the fits niced), requests/s, p50/p95, errors.
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { percentile } from "@bdi/core";
import { bsdataDir } from "../testing/dataset.ts";
import { flag, hasFlag } from "./args.ts";
import { post, startService } from "./service-process.ts";

const JSON_OUT = hasFlag("--json");
const SAMPLES = Number(flag("--samples") ?? 100);
const POLLERS = Number(flag("--pollers") ?? 4);
const INTERVAL_MS = Number(flag("--interval-ms") ?? 2000);
const log = (s: string) => (JSON_OUT ? process.stderr : process.stdout).write(s + "\n");

const DATASET = bsdataDir();

function form(fields: Record<string, string | string[]>, files: { field: string; name: string; bytes: Buffer }[]) {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) for (const item of Array.isArray(v) ? v : [v]) fd.append(k, item);
  for (const f of files) fd.append(f.field, new Blob([f.bytes], { type: "image/png" }), f.name);
  return fd;
}

// The health pollers' process: keep-alive connections (as .NET's HttpClient keeps them), `n` loops per target URL;
// prints the latencies (ms) per target as JSON when told to stop.
const POLLER_SOURCE = `
const http = require("node:http");
const [n, interval, ...bases] = [Number(process.argv[1]), Number(process.argv[2]), ...process.argv.slice(3)];
const agent = new http.Agent({ keepAlive: true });
const lat = bases.map(() => []);
let on = true;
const once = (b) => new Promise((res, rej) => {
  const t0 = performance.now();
  http.get(bases[b] + "/health", { agent }, (r) => { r.resume(); r.on("end", () => { lat[b].push(performance.now() - t0); res(); }); }).on("error", rej);
});
const loops = bases.flatMap((_, b) => Array.from({ length: n }, async (_, k) => {
  await new Promise((r) => setTimeout(r, (interval / n) * k + (interval / n / bases.length) * b));
  while (on) { await once(b); await new Promise((r) => setTimeout(r, interval)); }
}));
process.on("message", async () => { on = false; await Promise.all(loops); process.send(lat, () => process.exit(0)); });
`;

// The reference: the smallest Node HTTP server answering /health with a constant body, polled the same way at the same
// time. Its latencies are this machine's floor (scheduling, loopback, the pollers themselves) under the same load.
const REFERENCE_SOURCE = `
const body = JSON.stringify({ status: "ok" });
const srv = require("node:http").createServer((q, s) => { s.writeHead(200, { "content-type": "application/json", "content-length": body.length }); s.end(body); });
srv.keepAliveTimeout = 72000;
srv.listen(0, "127.0.0.1", () => process.send(srv.address().port));
process.on("disconnect", () => process.exit(0));
`;

function startReference(): Promise<{ base: string; stop(): void }> {
  const child = spawn(process.execPath, ["-e", REFERENCE_SOURCE], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  return new Promise((res, rej) => {
    child.once("message", (port) => res({ base: `http://127.0.0.1:${port}`, stop: () => child.kill() }));
    child.once("exit", (code) => rej(new Error(`reference server exited with code ${code}`)));
  });
}

function startPollers(bases: string[], n: number, intervalMs: number) {
  const child = spawn(process.execPath, ["-e", POLLER_SOURCE, String(n), String(intervalMs), ...bases], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  return {
    stop: () => new Promise<number[][]>((res, rej) => {
      child.once("message", (m) => res(m as number[][]));
      child.once("exit", (code) => rej(new Error(`health pollers exited with code ${code}`)));
      child.send("stop");
    }),
  };
}

/** One worker count: a fresh service, two fitted ROIs, `clients` /infer loops on one while the other refits. */
async function throughputRun(env: NodeJS.ProcessEnv, workers: number, clients: number, seconds: number) {
  const service = await startService("bdi-bench-tp-", { ...env, BDI_SCORING_WORKERS: String(workers) });
  const { base } = service;
  try {
    const good = readdirSync(join(DATASET, "train/good")).sort().map((f) => join(DATASET, "train/good", f));
    const bad = readdirSync(join(DATASET, "test/pitting")).sort().map((f) => join(DATASET, "test/pitting", f));
    const rois = [{ role_id: "Inspection", roi_id: "inspection-1", mm_per_px: "0.2" }, { role_id: "Inspection", roi_id: "inspection-2", mm_per_px: "0.2" }];
    for (const [k, roi] of rois.entries()) {
      const paths = good.slice(k * 20, k * 20 + 20);
      await post(base, "/datasets/ok/upload", form({ role_id: roi.role_id, roi_id: roi.roi_id, metas: paths.map(() => JSON.stringify({ mm_per_px: 0.2 })) }, paths.map((p, i) => ({ field: "images", name: `ok_${i}.png`, bytes: readFileSync(p) }))));
      await post(base, "/fit_ok", form({ ...roi, use_dataset: "true" }, []));
    }
    const crops = bad.slice(0, 16).map((p) => readFileSync(p));
    let on = true;
    let fits = 0;
    const refits = (async () => {
      while (on) {
        await post(base, "/fit_ok", form({ ...rois[1]!, use_dataset: "true" }, []));
        fits++;
      }
    })();
    const lat: number[] = [];
    let errors = 0;
    const t0 = performance.now();
    const end = t0 + seconds * 1000;
    await Promise.all(Array.from({ length: clients }, async (_, c) => {
      for (let i = c; performance.now() < end; i += clients) {
        const t = performance.now();
        try {
          await post(base, "/infer", form(rois[0]!, [{ field: "image", name: "crop.png", bytes: crops[i % crops.length]! }]));
          lat.push(performance.now() - t);
        } catch {
          errors++;
        }
      }
    }));
    const wall = (performance.now() - t0) / 1000;
    on = false;
    await refits;
    return {
      workers, clients, seconds: +wall.toFixed(1), requests: lat.length, errors, req_per_s: +(lat.length / wall).toFixed(2),
      p50_ms: +percentile(lat, 50).toFixed(0), p95_ms: +percentile(lat, 95).toFixed(0), refits_during_window: fits,
    };
  } finally {
    await service.stop();
  }
}

async function throughput(env: NodeJS.ProcessEnv) {
  const counts = (flag("--workers") ?? "1,2").split(",").map(Number);
  const clients = Number(flag("--clients") ?? 8);
  const seconds = Number(flag("--seconds") ?? 30);
  const rows = [];
  for (const w of counts) {
    log(`scoring workers ${w}: ${clients} clients × ${seconds} s of /infer while another ROI refits`);
    rows.push(await throughputRun(env, w, clients, seconds));
    log(JSON.stringify(rows.at(-1)));
  }
  if (JSON_OUT) console.log(JSON.stringify({ throughput: rows }));
}

async function main() {
  const env: NodeJS.ProcessEnv = {};
  if (flag("--input-size")) env.BDI_INPUT_SIZE = flag("--input-size");
  if (flag("--backbone")) env.BDI_BACKBONE = flag("--backbone");
  if (hasFlag("--throughput")) return throughput(env);
  const service = await startService("bdi-bench-service-", env);
  const { base } = service;
  try {
    const roi = { role_id: "Master1", roi_id: "Inspection_1", mm_per_px: "0.2" };
    const good = readdirSync(join(DATASET, "train/good")).sort().map((f) => join(DATASET, "train/good", f));
    const bad = readdirSync(join(DATASET, "test/pitting")).sort().map((f) => join(DATASET, "test/pitting", f));
    const nOk = Math.max(10, SAMPLES - Math.min(10, Math.floor(SAMPLES / 10)));
    const nNg = SAMPLES - nOk;
    log(`service up on ${base}; uploading ${nOk} OK + ${nNg} NG samples`);
    const upload = async (label: "ok" | "ng", paths: string[]) => {
      for (let i = 0; i < paths.length; i += 20) {
        const chunk = paths.slice(i, i + 20);
        // metas: one JSON string per image, aligned by index (a repeated form field, as the client sends it).
        const metas = chunk.map(() => JSON.stringify({ mm_per_px: 0.2 }));
        await post(base, `/datasets/${label}/upload`, form({ role_id: roi.role_id, roi_id: roi.roi_id, metas }, chunk.map((p, k) => ({ field: "images", name: `${label}_${i + k}.png`, bytes: readFileSync(p) }))));
      }
    };
    await upload("ok", good.slice(0, nOk));
    await upload("ng", bad.slice(0, nNg));

    // Pollers run for the whole fit + infer phase, like the client's 2 s health loop, staggered, in a process of
    // their own (the WPF client is another process, usually another machine): this one builds upload bodies.
    // Two rounds: the first fit after start also pays one-time costs in the service (Prisma compiles each query
    // plan once, caches fill); the second is the steady state of a line that refits.
    const round = async () => {
      const pollers = startPollers([base, reference.base], POLLERS, INTERVAL_MS);
      const tFit = performance.now();
      const fit = await post(base, "/fit_ok", form({ ...roi, use_dataset: "true", memory_fit: "false" }, []));
      const fitS = (performance.now() - tFit) / 1000;
      const inferMs: number[] = [];
      for (const p of bad.slice(0, 5)) {
        const t0 = performance.now();
        await post(base, "/infer", form(roi, [{ field: "image", name: "crop.png", bytes: readFileSync(p) }]));
        inferMs.push(performance.now() - t0);
      }
      const [latencies, referenceLatencies] = await pollers.stop();
      return { fit, fitS, inferMs, latencies: latencies!, referenceLatencies: referenceLatencies! };
    };
    const health = (latencies: number[]) => ({
      n: latencies.length,
      p50_ms: +percentile(latencies, 50).toFixed(2),
      p99_ms: +percentile(latencies, 99).toFixed(2),
      max_ms: +Math.max(...latencies).toFixed(2),
      slowest_ms: [...latencies].sort((a, b) => b - a).slice(0, 5).map((v) => +v.toFixed(1)),
    });
    const reference = await startReference();
    const first = await round();
    const second = await round();
    reference.stop();
    const { fit, fitS, inferMs } = first;

    const tCal = performance.now();
    const cal = await post(base, "/calibrate_dataset", { role_id: roi.role_id, roi_id: roi.roi_id, default_mm_per_px: 0.2 });
    const calS = (performance.now() - tCal) / 1000;

    const out = {
      health_first_fit: health(first.latencies),
      health_second_fit: health(second.latencies),
      health_p99_ms: +percentile([...first.latencies, ...second.latencies], 99).toFixed(2),
      reference_first_fit: health(first.referenceLatencies),
      reference_second_fit: health(second.referenceLatencies),
      reference_p99_ms: +percentile([...first.referenceLatencies, ...second.referenceLatencies], 99).toFixed(2),
      fit_ok_s: +fitS.toFixed(2),
      n_embeddings: fit.n_embeddings,
      coreset_size: fit.coreset_size,
      infer_http_p50_ms: +percentile(inferMs, 50).toFixed(1),
      second_fit_ok_s: +second.fitS.toFixed(2),
      calibrate_dataset_s: +calS.toFixed(2),
      calibrate_dataset_samples: SAMPLES,
      threshold: cal.threshold,
      within_client_timeout: calS < 120,
    };
    if (JSON_OUT) console.log(JSON.stringify(out));
    else for (const [k, v] of Object.entries(out)) log(`${k.padEnd(26)} ${typeof v === "object" ? JSON.stringify(v) : v}`);
  } finally {
    await service.stop();
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
