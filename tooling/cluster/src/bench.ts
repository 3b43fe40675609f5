// npm run bench:cluster — plant mode's capacity on this machine, side by side in one run:
//  1. /infer throughput through HAProxy with 2 replicas, then 1 (the second stopped; the balancer's checks take it
//     out), against the same PostgreSQL and S3 store, C concurrent clients for S seconds each;
//  2. /infer latency of one client at a time (the WPF station's pattern), p50 / p90, plant mode (PostgreSQL + S3
//     behind HAProxy) against the default SQLite mode (one service, its data root), interleaved in batches.
// The same images fit the same model in both modes. Options: --clients C (4) --seconds S (20) --requests N (60)
// --input-size PX (the backbone's default). Prints the machine's load (uptime) before and after: figures from a
// loaded machine say so.
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
    seconds: { type: "string", default: "20" },
    requests: { type: "string", default: "60" },
    "input-size": { type: "string" },
  },
});
const CLIENTS = Number(args.clients);
const SECONDS = Number(args.seconds);
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

/** C clients, each sending /infer back to back for S seconds; requests per second and which replicas answered. */
async function throughput(base: string): Promise<{ rps: number; p50: number; byReplica: Record<string, number> }> {
  const deadline = performance.now() + SECONDS * 1000;
  const ms: number[] = [];
  const byReplica: Record<string, number> = {};
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, c) => {
      for (let k = c; performance.now() < deadline; k += CLIENTS) {
        const r = await inferOnce(base, k);
        ms.push(r.ms);
        byReplica[r.replica] = (byReplica[r.replica] ?? 0) + 1;
      }
    }),
  );
  return { rps: ms.length / ((performance.now() - t0) / 1000), p50: pct(ms, 50), byReplica };
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

      // 2. one client at a time, interleaved batches of 10 (a drift of the machine's load hits both alike)
      const plant: number[] = [];
      const sqlite: number[] = [];
      for (let done = 0; done < REQUESTS; done += 10) {
        for (let k = 0; k < 10; k++) plant.push((await inferOnce(cluster.balancer.url, done + k)).ms);
        for (let k = 0; k < 10; k++) sqlite.push((await inferOnce(standalone.url, done + k)).ms);
      }
      await standalone.proc.stop(5_000); // out of the way of the throughput runs

      // 1. throughput with 2 replicas, then with 1
      const two = await throughput(cluster.balancer.url);
      await cluster.replicas[1]!.proc!.stop(5_000);
      for (let ok = 0; ok < 6; ) {
        ok = (await call(`${cluster.balancer.url}/health`)).headers.get("x-bdi-replica") === "replica1" ? ok + 1 : 0;
        await sleep(200);
      }
      const one = await throughput(cluster.balancer.url);

      const f = (x: number) => x.toFixed(0).padStart(5);
      console.log(`\n/infer throughput through HAProxy, PostgreSQL + S3 store, ${CLIENTS} clients × ${SECONDS} s${env.BDI_INPUT_SIZE ? `, input ${env.BDI_INPUT_SIZE} px` : ""}:`);
      console.log(`  1 replica : ${one.rps.toFixed(2)} req/s   p50 ${f(one.p50)} ms   answered by ${JSON.stringify(one.byReplica)}`);
      console.log(`  2 replicas: ${two.rps.toFixed(2)} req/s   p50 ${f(two.p50)} ms   answered by ${JSON.stringify(two.byReplica)}   (× ${(two.rps / one.rps).toFixed(2)})`);
      const [p50p, p50s] = [pct(plant, 50), pct(sqlite, 50)];
      console.log(`\n/infer one client at a time, ${REQUESTS} requests each, interleaved in batches of 10 (p50 / p90):`);
      console.log(`  SQLite mode (one service, its data root)   : ${f(p50s)} / ${f(pct(sqlite, 90))} ms`);
      console.log(`  plant mode (PostgreSQL + S3, via HAProxy)  : ${f(p50p)} / ${f(pct(plant, 90))} ms   (p50 ${p50p >= p50s ? "+" : ""}${(((p50p - p50s) / p50s) * 100).toFixed(1)} %)`);
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
