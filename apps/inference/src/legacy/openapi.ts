// /openapi.json (OpenAPI 3.1 description of the legacy REST API) and /docs, a small self-contained page that
// renders it (no CDN: the line PCs are often offline).
import type { FastifyInstance } from "fastify";
import { SERVICE_VERSION } from "../config.ts";

type P = { name: string; type: "string" | "number" | "integer" | "boolean" | "file" | "file[]" | "string[]" | "number[]" | "object"; required?: boolean; description?: string };
type RouteDoc = { method: "get" | "post" | "delete"; path: string; summary: string; query?: P[]; form?: P[]; json?: P[]; responses: Record<string, string>; example?: unknown };

const recipe: P = { name: "recipe_id", type: "string", description: "Recipe (else the X-Recipe-Id header, else `default`); case-insensitive; `last` is reserved." };
const ids: P[] = [
  { name: "role_id", type: "string", required: true, description: "e.g. `Inspection`" },
  { name: "roi_id", type: "string", required: true, description: "e.g. `inspection-1`" },
];
const sampleQuery: P[] = [...ids, { name: "label", type: "string", required: true, description: "`ok` or `ng`" }, { name: "filename", type: "string", required: true }, recipe];
const E400 = "Bad input (message says what is wrong)";

export const ROUTE_DOCS: RouteDoc[] = [
  { method: "get", path: "/health", summary: "Service status (polled every 2 s by the WPF client). 503 while the backbone loads.", responses: { 200: "status, device, model, version, request_id, recipe_id", 400: "reserved recipe id", 503: "backbone loading" } },
  { method: "get", path: "/state", summary: "Whether the ROI has a fitted memory and a calibration (same rule as /infer).", query: [...ids, { name: "model_key", type: "string" }, recipe], responses: { 200: "status, memory_fitted, calib_present, …", 422: "missing field" } },
  { method: "get", path: "/manifest", summary: "ROI model, calibration and dataset summary.", query: [...ids, { name: "model_key", type: "string" }, recipe], responses: { 200: "manifest" } },
  {
    method: "post", path: "/fit_ok", summary: "Fit a new model version from the ROI's OK dataset (use_dataset=true) or uploaded images; self-calibrates out-of-sample.",
    form: [...ids, { name: "mm_per_px", type: "number", required: true }, { name: "images", type: "file[]" }, { name: "memory_fit", type: "boolean", description: "keep all patches (coreset rate 1.0)" }, { name: "use_dataset", type: "boolean" }, { name: "model_key", type: "string" }, recipe],
    responses: { 200: "n_embeddings, coreset_size, token_shape, coreset_rate_requested, coreset_rate_applied, …", 400: "No images provided / Insufficient OK samples… / No OK dataset samples found", 409: "mm_per_px mismatch for recipe", 422: "missing field" },
  },
  {
    method: "post", path: "/calibrate_ng", summary: "Threshold from client-supplied scores (legacy rule: p99 OK; with NG midpoint of p99 OK and p5 NG, or p99 OK × 1.02).",
    json: [...ids, { name: "model_key", type: "string" }, { name: "mm_per_px", type: "number" }, { name: "ok_scores", type: "number[]", required: true }, { name: "ng_scores", type: "number[]" }, { name: "area_mm2_thr", type: "number" }, { name: "score_percentile", type: "integer" }, recipe],
    responses: { 200: "threshold, ok_mean, ng_mean, p99_ok, p5_ng, mm_per_px, area_mm2_thr, score_percentile", 400: E400 },
    example: { role_id: "Inspection", roi_id: "inspection-1", ok_scores: [10, 11, 13], ng_scores: [22] },
  },
  { method: "post", path: "/calibrate_dataset", summary: "Threshold from the stored OK/NG samples (OK samples of the bank scored out-of-sample).", json: [...ids, { name: "model_key", type: "string" }, { name: "score_percentile", type: "integer" }, { name: "area_mm2_thr", type: "number" }, { name: "default_mm_per_px", type: "number" }, { name: "require_ng", type: "boolean" }, recipe], responses: { 200: "status, threshold, score_percentile, area_mm2_thr, n_ok, n_ng, …", 400: "Memoria no encontrada… / No NG samples available for calibration." } },
  {
    method: "post", path: "/infer", summary: "Score one ROI crop: score, threshold, decision, regions, heatmap (PNG base64, crop size; by default only when NG).",
    form: [...ids, { name: "mm_per_px", type: "number", required: true }, { name: "image", type: "file", required: true }, { name: "shape", type: "string", description: "JSON: rect / circle / annulus in crop pixels" }, { name: "include_heatmap", type: "boolean" }, { name: "model_key", type: "string" }, recipe],
    responses: { 200: "score, threshold, decision, heatmap_png_base64, regions, token_shape, …", 400: "Memoria no encontrada. Ejecuta /fit_ok antes de /infer. | calibration_missing | bad image / shape", 409: "mm_per_px mismatch" },
  },
  { method: "post", path: "/infer_dataset", summary: "Score every stored sample of the ROI.", json: [...ids, { name: "labels", type: "string[]" }, { name: "include_heatmap", type: "boolean" }, { name: "default_mm_per_px", type: "number" }, { name: "model_key", type: "string" }, recipe], responses: { 200: "status, n_total, n_errors, items[]" } },
  { method: "post", path: "/datasets/ok/upload", summary: "Add OK samples (all or nothing).", form: [...ids, { name: "images", type: "file[]", required: true }, { name: "metas", type: "string[]", description: "JSON object per image (SampleMetadata)" }, recipe], responses: { 200: "status, saved[]", 400: E400, 409: "mm_per_px mismatch" } },
  { method: "post", path: "/datasets/ng/upload", summary: "Add NG samples (all or nothing).", form: [...ids, { name: "images", type: "file[]", required: true }, { name: "metas", type: "string[]" }, recipe], responses: { 200: "status, saved[]", 400: E400, 409: "mm_per_px mismatch" } },
  { method: "get", path: "/datasets/list", summary: "Sample names per class, oldest first.", query: [...ids, recipe], responses: { 200: "role_id, roi_id, classes{ok,ng}{count,files,meta}" } },
  { method: "get", path: "/datasets/file", summary: "Raw image bytes of a sample.", query: sampleQuery, responses: { 200: "image", 404: "file not found" } },
  { method: "get", path: "/datasets/meta", summary: "Sidecar metadata of a sample.", query: sampleQuery, responses: { 200: "SampleMetadata", 404: "meta not found" } },
  { method: "delete", path: "/datasets/file", summary: "Delete a sample (by server name or the client's own file name).", query: sampleQuery, responses: { 200: "deleted, filename" } },
  { method: "delete", path: "/datasets/clear", summary: "Delete every sample of one class.", query: [...ids, { name: "label", type: "string", required: true }, recipe], responses: { 200: "cleared, label" } },
  { method: "post", path: "/send_ng", summary: "Add NG samples (original deployment docs).", form: [...ids, { name: "mm_per_px", type: "number" }, { name: "images", type: "file[]", required: true }, recipe], responses: { 200: "ng_added, target_dir, samples[]" } },
  { method: "post", path: "/predict", summary: "Score one crop (original deployment docs).", form: [...ids, { name: "mm_per_px", type: "number" }, { name: "image", type: "file", required: true }, recipe], responses: { 200: "role_id, roi_id, scores[], inference_ms, image_resized" } },
  { method: "get", path: "/train/status", summary: "Fit queue status (original deployment docs).", responses: { 200: "status, last_train_ts, queue_size, model, device, coreset_size" } },
  { method: "get", path: "/metrics", summary: "Prometheus metrics.", responses: { 200: "text/plain exposition" } },
];

function schemaOf(p: P): Record<string, unknown> {
  switch (p.type) {
    case "file": return { type: "string", format: "binary" };
    case "file[]": return { type: "array", items: { type: "string", format: "binary" } };
    case "string[]": return { type: "array", items: { type: "string" } };
    case "number[]": return { type: "array", items: { type: "number" } };
    default: return { type: p.type };
  }
}

function objectSchema(ps: P[]) {
  return {
    type: "object",
    properties: Object.fromEntries(ps.map((p) => [p.name, { ...schemaOf(p), ...(p.description ? { description: p.description } : {}) }])),
    required: ps.filter((p) => p.required).map((p) => p.name),
  };
}

export function buildOpenApi() {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of ROUTE_DOCS) {
    const op: Record<string, unknown> = {
      summary: r.summary,
      parameters: [
        ...(r.query ?? []).map((p) => ({ name: p.name, in: "query", required: !!p.required, schema: schemaOf(p), ...(p.description ? { description: p.description } : {}) })),
        { name: "X-Recipe-Id", in: "header", required: false, schema: { type: "string" } },
        { name: "X-Request-Id", in: "header", required: false, schema: { type: "string" } },
      ],
      responses: Object.fromEntries(Object.entries(r.responses).map(([code, d]) => [code, { description: d }])),
    };
    if (r.form) op.requestBody = { required: true, content: { "multipart/form-data": { schema: objectSchema(r.form) } } };
    if (r.json) op.requestBody = { required: true, content: { "application/json": { schema: objectSchema(r.json), ...(r.example ? { example: r.example } : {}) } } };
    (paths[r.path] ??= {})[r.method] = op;
  }
  return {
    openapi: "3.1.0",
    info: { title: "BrakeDiscInspector inference service (legacy REST)", version: SERVICE_VERSION, description: "PatchCore anomaly detection for brake-disc ROIs; the contract of the original FastAPI backend, for the WPF client. The dashboard API is tRPC at /trpc." },
    components: { securitySchemes: { apiKey: { type: "apiKey", in: "header", name: "X-API-Key" } } },
    security: [{}, { apiKey: [] }],
    paths,
  };
}

const DOCS_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>BrakeDiscInspector API</title>
<meta name="viewport" content="width=device-width,initial-scale=1">
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1c2230}
header{background:#1c2230;color:#fff;padding:14px 24px}header h1{margin:0;font-size:18px}
main{max-width:980px;margin:0 auto;padding:16px 24px}
.op{background:#fff;border:1px solid #d9dde5;border-radius:6px;margin:10px 0}
.op summary{cursor:pointer;padding:10px 12px;display:flex;gap:10px;align-items:center}
.m{font:600 12px monospace;padding:3px 8px;border-radius:4px;color:#fff;min-width:52px;text-align:center}
.get{background:#2f7d32}.post{background:#1f5fa8}.delete{background:#b3261e}
.p{font-family:monospace;font-weight:600}.body{padding:0 14px 12px}
table{border-collapse:collapse;width:100%;margin:6px 0}td,th{border-bottom:1px solid #eceff3;text-align:left;padding:4px 6px;vertical-align:top}
code,pre{background:#f0f2f5;border-radius:4px;padding:1px 4px}pre{padding:8px;overflow:auto;max-height:320px}
label{margin-right:8px}input[type=text]{padding:4px;width:260px}button{padding:4px 10px}
</style></head><body>
<header><h1>BrakeDiscInspector — legacy REST API</h1><div id="info"></div></header>
<main>
<p>API key (only when the service requires one): <input id="key" type="text" placeholder="X-API-Key"> · <a href="openapi.json">openapi.json</a></p>
<div id="ops">Loading…</div>
</main>
<script>
const esc=s=>String(s??"").replace(/[&<>"]/g,c=>({"&":"&amp;","<":"&lt;",">":"&gt;",'"':"&quot;"}[c]));
async function load(){
  const key=document.getElementById("key").value;
  const r=await fetch("openapi.json",{headers:key?{"X-API-Key":key}:{}});
  if(!r.ok){document.getElementById("ops").textContent="openapi.json: HTTP "+r.status+(r.status===401?" (enter the API key above)":"");return;}
  const doc=await r.json();
  document.getElementById("info").textContent=doc.info.title+" — v"+doc.info.version;
  let html="";
  for(const [path,ops] of Object.entries(doc.paths)) for(const [m,op] of Object.entries(ops)){
    const params=(op.parameters||[]).map(p=>"<tr><td><code>"+esc(p.name)+"</code></td><td>"+esc(p.in)+"</td><td>"+esc(p.schema&&p.schema.type)+"</td><td>"+(p.required?"required":"")+"</td><td>"+esc(p.description)+"</td></tr>").join("");
    let body="";
    if(op.requestBody){for(const [ct,c] of Object.entries(op.requestBody.content)){
      const props=c.schema.properties||{};const req=c.schema.required||[];
      body+="<p>Body <code>"+esc(ct)+"</code></p><table><tr><th>field</th><th>type</th><th></th><th></th></tr>"+Object.entries(props).map(([n,s])=>"<tr><td><code>"+esc(n)+"</code></td><td>"+esc(s.type==="array"?"array of "+(s.items.format||s.items.type):(s.format||s.type))+"</td><td>"+(req.includes(n)?"required":"")+"</td><td>"+esc(s.description)+"</td></tr>").join("")+"</table>";
      if(c.example) body+="<pre>"+esc(JSON.stringify(c.example,null,2))+"</pre>";}}
    const resp=Object.entries(op.responses||{}).map(([c,d])=>"<tr><td><b>"+esc(c)+"</b></td><td>"+esc(d.description)+"</td></tr>").join("");
    const tryIt=m==="get"&&!path.includes("{")?'<p><button data-path="'+esc(path)+'">Try (GET with the query below)</button> <input type="text" placeholder="role_id=Inspection&roi_id=inspection-1"><pre hidden></pre></p>':"";
    html+='<details class="op"><summary><span class="m '+m+'">'+m.toUpperCase()+'</span><span class="p">'+esc(path)+"</span><span>"+esc(op.summary)+'</span></summary><div class="body">'+(params?"<table><tr><th>parameter</th><th>in</th><th>type</th><th></th><th></th></tr>"+params+"</table>":"")+body+"<p>Responses</p><table>"+resp+"</table>"+tryIt+"</div></details>";
  }
  const ops=document.getElementById("ops");ops.innerHTML=html;
  ops.querySelectorAll("button[data-path]").forEach(b=>b.onclick=async()=>{
    const q=b.nextElementSibling.value;const out=b.parentElement.querySelector("pre");const key=document.getElementById("key").value;
    const res=await fetch(b.dataset.path.slice(1)+(q?"?"+q:""),{headers:key?{"X-API-Key":key}:{}});
    out.hidden=false;out.textContent=res.status+"\\n"+(await res.text()).slice(0,4000);});
}
document.getElementById("key").addEventListener("change",load);load();
</script></body></html>`;

export function registerDocs(app: FastifyInstance) {
  const doc = buildOpenApi();
  app.get("/openapi.json", async () => doc);
  app.get("/docs", async (_req, reply) => reply.type("text/html; charset=utf-8").send(DOCS_HTML));
}
