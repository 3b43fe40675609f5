// Small HTTP helpers for talking to replicas, the balancer and the dashboard like their clients do: legacy multipart
// forms (the WPF client), tRPC over plain JSON (the dashboard's proxy), and the data set's images.
import { readFileSync } from "node:fs";
import path from "node:path";

export type Res = { status: number; headers: Headers; text: string; json: any };

export async function call(url: string, init: RequestInit = {}): Promise<Res> {
  const r = await fetch(url, init);
  const text = await r.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: r.status, headers: r.headers, text, json };
}

/** A multipart form as the legacy routes take it: text fields, then files. */
export function form(fields: Record<string, string>, files: Array<{ name: string; filename: string; data: Buffer }> = []): FormData {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.append(k, v);
  for (const x of files) f.append(x.name, new Blob([new Uint8Array(x.data)], { type: "image/png" }), x.filename);
  return f;
}

/** A tRPC query (GET) or mutation (POST) without a transformer; throws with the error body on a non-200. */
export async function trpc(base: string, proc: string, input: unknown, headers: Record<string, string>, kind: "query" | "mutation"): Promise<any> {
  const r =
    kind === "query"
      ? await call(`${base}/trpc/${proc}?input=${encodeURIComponent(JSON.stringify(input ?? {}))}`, { headers })
      : await call(`${base}/trpc/${proc}`, { method: "POST", headers: { ...headers, "content-type": "application/json" }, body: JSON.stringify(input) });
  if (r.status !== 200) throw new Error(`${proc} → ${r.status}: ${r.text.slice(0, 400)}`);
  return r.json.result.data;
}

/** The real dev set (bsdata pitting): $BDI_TEST_DATASET, or beside the checkout as the service's tests find it. */
export function datasetDir(): string {
  for (const p of [process.env.BDI_TEST_DATASET, path.resolve(import.meta.dirname, "../../../../../shared/datasets/bsdata_pitting"), "/work/shared/datasets/bsdata_pitting"]) {
    if (p) {
      try {
        readFileSync(path.join(p, "train", "good", "000.png"));
        return p;
      } catch {
        // next
      }
    }
  }
  throw new Error("bsdata_pitting not found; set BDI_TEST_DATASET");
}

export function image(rel: string): Buffer {
  return readFileSync(path.join(datasetDir(), rel));
}

export function okImages(n: number, from = 0): Buffer[] {
  return Array.from({ length: n }, (_, i) => image(`train/good/${String(from + i).padStart(3, "0")}.png`));
}
