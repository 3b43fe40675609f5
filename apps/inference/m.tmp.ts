import { startService, call, okCrops, uploadParts } from "./src/legacy/test-support.ts";
const s = await startService({ BDI_INPUT_SIZE: process.env.IS ?? "896" });
const imgs = await okCrops(12);
for (let i = 0; i < 10; i++) await call(s.base, "POST", "/datasets/ok/upload", { multipart: uploadParts("ok", imgs[i]!, i) });
const fitParts: any[] = [{ kind: "text", name: "role_id", value: "Inspection" }, { kind: "text", name: "roi_id", value: "inspection-1" }, { kind: "text", name: "mm_per_px", value: "0.2" }, { kind: "text", name: "use_dataset", value: "true" }];
await call(s.base, "POST", "/fit_ok", { multipart: fitParts });
const lat: number[] = []; let stop = false;
const poller = async () => { while (!stop) { const t = performance.now(); await fetch(s.base + "/health").then((r) => r.arrayBuffer()); lat.push(performance.now() - t); await new Promise((r) => setTimeout(r, Number(process.env.POLL ?? 100))); } };
const polls = [poller(), poller(), poller(), poller()];
const t1 = Date.now();
const fitP = call(s.base, "POST", "/fit_ok", { multipart: fitParts });
const inf: number[] = [];
for (let i = 0; i < 5; i++) { const t = performance.now(); const r = await call(s.base, "POST", "/infer", { multipart: [fitParts[0], fitParts[1], fitParts[2], { kind: "file", name: "image", filename: "x.png", data: imgs[11]! }] }); inf.push(performance.now() - t); if (r.status !== 200) console.log(r.status, r.text); }
const fit = await fitP; stop = true; await Promise.all(polls);
lat.sort((a, b) => a - b);
const q = (p: number) => lat[Math.min(lat.length - 1, Math.floor(lat.length * p))]!.toFixed(2);
console.log("fit ms", Date.now() - t1, fit.status, "infer ms", inf.map((x) => x.toFixed(0)).join(","), "| health n", lat.length, "p50", q(0.5), "p95", q(0.95), "p99", q(0.99), "max", lat.at(-1)!.toFixed(1));
await s.close();
