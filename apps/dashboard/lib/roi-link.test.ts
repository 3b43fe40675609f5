import { test } from "node:test";
import assert from "node:assert/strict";
import { hrefWithRoi, resolveRoi, roiTitle } from "./roi-link.ts";

test("hrefWithRoi: ROI pages carry the ROI, others do not", () => {
  assert.equal(hrefWithRoi("/fit", "abc"), "/fit?roi=abc");
  assert.equal(hrefWithRoi("/report", "a b"), "/report?roi=a%20b");
  assert.equal(hrefWithRoi("/", "abc"), "/");
  assert.equal(hrefWithRoi("/fit", null), "/fit");
});

test("resolveRoi: the address wins, an unknown id is never swapped for another ROI", () => {
  const list = [{ id: "a" }, { id: "b" }];
  assert.deepEqual(resolveRoi(list, "b", "a"), { kind: "ok", id: "b" });
  assert.deepEqual(resolveRoi(list, "new", "a"), { kind: "unknown" });
  assert.deepEqual(resolveRoi(list, null, "b"), { kind: "choose", id: "b" });
  assert.deepEqual(resolveRoi(list, null, "gone"), { kind: "choose", id: "a" });
  assert.deepEqual(resolveRoi([], null, null), { kind: "none" });
});

test("roiTitle names the ROI", () => {
  assert.equal(roiTitle("Fit", { recipeId: "disc-a", roleId: "master", roiName: "ring" }), "Fit · master / ring (disc-a)");
  assert.equal(roiTitle("Fit", null), "Fit");
});
