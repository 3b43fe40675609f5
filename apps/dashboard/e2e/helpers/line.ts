// The line as the WPF client drives it: a multipart POST /infer straight to the service (not through the dashboard),
// one ROI crop, the fields the client sends (legacy-contract.md, call 11).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

export type LineRoi = { recipeId: string; roleId: string; roiId: string; mmPerPx: string };

/** Posts `file` to the service's /infer for `roi`; asserts a 200 and returns the decision. */
export async function inferOnLine(serviceUrl: string, roi: LineRoi, file: string): Promise<"ok" | "ng"> {
  const fd = new FormData();
  fd.set("recipe_id", roi.recipeId);
  fd.set("role_id", roi.roleId);
  fd.set("roi_id", roi.roiId);
  fd.set("mm_per_px", roi.mmPerPx);
  fd.set("image", new File([new Uint8Array(readFileSync(file))], "roi_20261206.png", { type: "image/png" }));
  const res = await fetch(`${serviceUrl}/infer`, { method: "POST", body: fd });
  assert.equal(res.status, 200, await res.clone().text());
  return ((await res.json()) as { decision: "ok" | "ng" }).decision;
}
