// npm run bench:cluster — plant mode's capacity on this machine, side by side in one run:
//  1. /infer throughput through HAProxy with 1 and with 2 replicas against the same PostgreSQL and S3 store, C
//     concurrent clients for S seconds per measurement, interleaved over R rounds (the second replica is taken out of
//     rotation and put back with HAProxy's runtime API; it stays running, idle), so a change of the machine's load
//     hits both alike;
//  2. /infer latency of one client at a time (the WPF station's pattern), p50 / p90, plant mode (PostgreSQL + S3,
//     through HAProxy and straight to a replica) against the default SQLite mode (one service, its data root),
//     request by request in turn (A B C A B C …).
// The same images fit the same model in both modes. Options: --clients C (4) --seconds S (15) --rounds R (3)
// --requests N (60) --input-size PX (the backbone's default). Prints the machine's load (uptime) before and after:
// figures from a loaded machine say so.
import { execSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { setTimeout as sleep } from "node:timers/promises";
import { clusterUnavailableReason, startCluster, startStandalone } from "./harness/cluster.ts";
import { call, form, image, okImages } from "./harness/http.ts";

const { values: args } = parseArgs({
  options: {
    clients: { type: "string", default: "4" },
    seconds: { type: "string", default: "15" },
    rounds: { type: "string", default: "3" },
    requests: { type: "string", default: "60" },
    "input-size": { type: "string" },
  },
});
const CLIENTS = Number(args.clients);
const SECONDS = Number(args.seconds);
const ROUNDS = Number(args.rounds);
const REQUESTS = Number(args.requests);
const env: Record<string, string> = args["input-size"] ? { BDI_INPUT_SIZE: args["input-size"] } : {};

const FIELDS = { recipe_id: "bench", role_id: "Inspection", roi_id: "bench-1" };
const inferImages = Array.from({ length: 10 }, (_, i) => image(`train/good/${String(100 + i).padStart(3, "0")}.png`));
const uptime = () => execSync("uptime").toString().trim();

async function fitModel(base: string) {
  for (const [i, data] of okImages(12).entries()) {
    const r = await call(`${base}/datasets/ok/upload`, { method: "POST", body: form(FIELDS, [{ name: "images", filename: `ok_${i}.png`, data }]) });
    if (r.status !== 200) throw new Error(`upload → ${r.status} ${r.text}`);
  }
  const f = await call(`${base}/fit_ok`, { method: "POST", body: form({ ...FIELDS, mm_per_px: "0.2", use_dataset: "true" }) });
  if (f.status !== 200) throw new Error(`fit → ${f.status} ${f.text}`);
}

async function inferOnce(base: string, k: number): Promise<{ ms: number; replica: string }> {
  const t0 = performance.now();
  const r = await call(`${base}/infer`, { method: "POST", body: form({ ...FIELDS, mm_per_px: "0.2" }, [{ name: "image", filename: "roi.png", data: inferImages[k % inferImages.length]! }]) });
  if (r.status !== 200) throw new Error(`/infer → ${r.status} ${r.text.slice(0, 300)}`);
  return { ms: performance.now() - t0, replica: r.headers.get("x-bdi-replica") ?? "" };
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

type Run = { requests: number; seconds: number; ms: number[]; byReplica: Record<string, number> };
const newRun = (): Run => ({ requests: 0, seconds: 0, ms: [], byReplica: {} });

/** C clients, each sending /infer back to back for S seconds, added to `run`. */
async function throughput(base: string, run: Run): Promise<void> {
  const deadline = performance.now() + SECONDS * 1000;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, c) => {
      for (let k = c; performance.now() < deadline; k += CLIENTS) {
        const r = await inferOnce(base, k);
        run.ms.push(r.ms);
        run.requests++;
        run.byReplica[r.replica] = (run.byReplica[r.replica] ?? 0) + 1;
      }
    }),
  );
  run.seconds += (performance.now() - t0) / 1000;
}

/** Waits until `n` answers in a row through the balancer come from the replicas in `want` only, and all of them. */
async function untilServedBy(base: string, want: string[]) {
  for (let tries = 0; tries < 200; tries++) {
    const seen = new Set<string>();
    for (let k = 0; k < 4 * want.length; k++) seen.add((await call(`${base}/health`)).headers.get("x-bdi-replica") ?? "");
    if (seen.size === want.length && want.every((w) => seen.has(w))) return;
    await sleep(250);
  }
  throw new Error(`the balancer never settled on ${want.join(", ")}`);
}

async function main() {
  const reason = clusterUnavailableReason();
  if (reason) throw new Error(reason);
  console.log(`machine: ${cpus().length} cores; load before: ${uptime()}`);
  const dir = mkdtempSync(path.join(tmpdir(), "bdi-bench-cluster-"));
  const cluster = await startCluster({ replicas: 2, env });
  try {
    const standalone = await startStandalone(dir, env);
    try {
      await fitModel(cluster.balancer.url);
      await fitModel(standalone.url);
      // warm-up: every replica has loaded the bank and its scoring workers have run once
      for (let k = 0; k < 6; k++) await inferOnce(cluster.balancer.url, k);
      for (let k = 0; k < 3; k++) await inferOnce(standalone.url, k);

      // 2. one client at a time, the three targets in turn request by request (the machine's load hits all alike)
      const plant: number[] = [];
      const direct: number[] = [];
      const sqlite: number[] = [];
      for (let k = 0; k < REQUESTS; k++) {
        plant.push((await inferOnce(cluster.balancer.url, k)).ms);
        direct.push((await inferOnce(cluster.replicas[0]!.url, k)).ms);
        sqlite.push((await inferOnce(standalone.url, k)).ms);
      }
      await standalone.proc.stop(5_000); // out of the way of the throughput runs

      // 1. throughput, 1 and 2 replicas in turn (ABBA order over the rounds)
      const one = newRun();
      const two = newRun();
      const measure = async (n: 1 | 2) => {
        await cluster.balancer.command(`${n === 1 ? "disable" : "enable"} server inference/replica2`);
        await untilServedBy(cluster.balancer.url, n === 1 ? ["replica1"] : ["replica1", "replica2"]);
        await throughput(cluster.balancer.url, n === 1 ? one : two);
      };
      for (let round = 0; round < ROUNDS; round++) {
        for (const n of round % 2 === 0 ? ([1, 2] as const) : ([2, 1] as const)) await measure(n);
      }
      const rps = (r: Run) => r.requests / r.seconds;

      const f = (x: number) => x.toFixed(0).padStart(5);
      console.log(`\n/infer throughput through HAProxy, PostgreSQL + S3 store, ${CLIENTS} clients, ${ROUNDS} rounds × ${SECONDS} s each${env.BDI_INPUT_SIZE ? `, input ${env.BDI_INPUT_SIZE} px` : ""}:`);
      console.log(`  1 replica : ${rps(one).toFixed(2)} req/s   p50 ${f(pct(one.ms, 50))} ms   answered by ${JSON.stringify(one.byReplica)}`);
      console.log(`  2 replicas: ${rps(two).toFixed(2)} req/s   p50 ${f(pct(two.ms, 50))} ms   answered by ${JSON.stringify(two.byReplica)}   (× ${(rps(two) / rps(one)).toFixed(2)})`);
      const p50s = pct(sqlite, 50);
      const vs = (xs: number[]) => {
        const d = ((pct(xs, 50) - p50s) / p50s) * 100;
        return `(p50 ${d >= 0 ? "+" : ""}${d.toFixed(1)} %)`;
      };
      console.log(`\n/infer one client at a time, ${REQUESTS} requests each, the three in turn request by request (p50 / p90):`);
      console.log(`  SQLite mode (one service, its data root)       : ${f(p50s)} / ${f(pct(sqlite, 90))} ms`);
      console.log(`  plant mode, straight to replica1               : ${f(pct(direct, 50))} / ${f(pct(direct, 90))} ms   ${vs(direct)}`);
      console.log(`  plant mode through HAProxy (PostgreSQL + S3)   : ${f(pct(plant, 50))} / ${f(pct(plant, 90))} ms   ${vs(plant)}`);
      console.log(`\nload after: ${uptime()}`);
    } finally {
      await standalone.proc.stop(5_000);
    }
  } finally {
    await cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
