// Long on purpose (~330 lines): one end-to-end story whose steps depend on each other (one stack, one browser).
// The QA engineer's whole loop against the real stack (inference on a temp data root with the bundled backbone, the
// built dashboard, Debian's chromium): upload 10 OK + 2 NG crops, draw NG regions, fit with streamed progress,
// calibrate with the live threshold slider and save it with a reason, run a test inference on a defect crop and
// review it with the heatmap overlay and the keyboard, fit again, roll back, compare, and find every step in the
// audit log and its CSV export. Screenshots: test-results/screenshots/workflow-*.png.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import type { Page } from "playwright-core";
import { collectPageErrors, launchBrowser, screenshot, type Browser } from "./helpers/browser.ts";
import { dropFiles, horizontalOverflow } from "./helpers/files.ts";
import { assertDashboardBuilt, startStack, type Stack } from "./helpers/stack.ts";
import { cookieHeader } from "./helpers/auth.ts";
import { inferOnLine } from "./helpers/line.ts";
import { bsdataDir } from "../../inference/src/testing/dataset.ts";

const DATA = bsdataDir();
const OK_FILES = Array.from({ length: 10 }, (_, i) => path.join(DATA, "train", "good", `${String(i).padStart(3, "0")}.png`));
const NG_FILES = ["000", "001"].map((n) => path.join(DATA, "test", "pitting", `${n}.png`));
const DEFECT = path.join(DATA, "test", "pitting", "010.png");
const GOOD = path.join(DATA, "test", "good", "000.png");

const id = (page: Page, testId: string) => page.getByTestId(testId);
const shot = (page: Page, name: string) => screenshot(page, `workflow-${name}`);

async function giveReason(page: Page, reason: string) {
  const dialog = id(page, "reason-dialog").and(page.locator("[open]"));
  await dialog.waitFor();
  assert.equal(await dialog.getByTestId("reason-confirm").isDisabled(), true, "no confirm without a reason");
  await dialog.getByTestId("reason-input").fill(reason);
  await dialog.getByTestId("reason-confirm").click();
  await dialog.waitFor({ state: "detached" }).catch(() => undefined);
  await page.locator('[data-testid="reason-dialog"][open]').waitFor({ state: "detached" });
}

async function fitAndWait(page: Page, version: number, streamUrls: string[]) {
  const before = streamUrls.length;
  await id(page, "fit-start").click();
  // The bar is fed by the fit.progress subscription (server-sent events), not by polling.
  await id(page, "fit-progress").or(id(page, "fit-done")).first().waitFor();
  const seen = new Set<string>();
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (await id(page, "fit-done").isVisible()) break;
    if (await id(page, "fit-failed").isVisible()) assert.fail(`fit failed: ${await id(page, "fit-failed").textContent()}`);
    const now = await page.locator('[data-testid="fit-progress"] [role="progressbar"]').getAttribute("aria-valuenow", { timeout: 500 }).catch(() => null);
    if (now) seen.add(now);
    await page.waitForTimeout(150);
  }
  await id(page, "fit-done").waitFor();
  assert.match((await id(page, "fit-done").textContent()) ?? "", new RegExp(`Version v${version} is ready and active`));
  assert.ok(streamUrls.length > before, "the progress came over the fit.progress subscription");
  return seen;
}

describe("QA workflow: curate, fit, calibrate, inspect, review, roll back, audit", () => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  const streams: string[] = [];
  const jobPolls: string[] = [];
  const reasons = { threshold: "e2e: tighter threshold after pitting review", rollback: "e2e: v2 regressed, back to v1" };

  before(async () => {
    assertDashboardBuilt();
    // A smaller backbone input keeps a fit at a few seconds on a 2-core CI machine; the flow is the same.
    stack = await startStack({ env: { BDI_INPUT_SIZE: "256", BDI_LOG_LEVEL: "warn" } as Partial<NodeJS.ProcessEnv> as NodeJS.ProcessEnv });
    browser = await launchBrowser();
    page = await browser.newPage();
    errors = collectPageErrors(page);
    page.on("request", (r) => {
      const u = r.url();
      if (u.includes("/trpc/fit.progress")) streams.push(u);
      if (u.includes("/trpc/jobs.list")) jobPolls.push(u);
    });
  });

  after(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it("starts empty, with empty states that say what to do next", async () => {
    await page.goto(stack.dashboard.url);
    await id(page, "overview-empty").waitFor();
    assert.match((await id(page, "overview-empty").textContent()) ?? "", /Datasets/);
    await page.goto(`${stack.dashboard.url}/fit`);
    await id(page, "no-roi").waitFor();
    await page.goto(`${stack.dashboard.url}/datasets`);
    await id(page, "datasets-empty").waitFor();
  });

  let roiId = "";
  it("uploads 10 OK crops (file picker) into a new ROI and 2 NG crops by drag-and-drop", async () => {
    await id(page, "new-recipe").fill("disc-e2e");
    await id(page, "new-role").fill("master");
    await id(page, "new-roi").fill("friction-ring");
    await id(page, "upload-panel").getByPlaceholder("optional").fill("0.05");
    await id(page, "upload-drop").locator('input[type="file"]').setInputFiles(OK_FILES);
    await page.waitForURL(/roi=/);
    roiId = new URL(page.url()).searchParams.get("roi")!;
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="grid-item"]').length === 10);
    await id(page, "upload-label").getByRole("radio", { name: "NG" }).click();
    await dropFiles(page, "upload-drop", NG_FILES);
    await id(page, "upload-done").getByText("2 NG crops added").waitFor();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="grid-item"]').length === 12);
    // Fixed-size cells: every tile has the same box whatever the image.
    const boxes = await id(page, "grid-item").evaluateAll((els) => els.map((e) => `${Math.round(e.getBoundingClientRect().width)}x${Math.round(e.getBoundingClientRect().height)}`));
    assert.equal(new Set(boxes).size, 1, `tiles differ: ${boxes.join(" ")}`);
    await shot(page, "01-datasets-uploaded");
  });

  it("filters NG, draws a rectangle and a polygon on an NG sample, notes it, and relabel/delete/restore work", async () => {
    await id(page, "filter-label").getByRole("radio", { name: /^NG/ }).click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="grid-item"]').length === 2);
    await id(page, "grid-item").first().locator("button").first().click();
    await id(page, "region-canvas").waitFor();
    const centre = () => id(page, "region-canvas").evaluate((el) => el.scrollIntoView({ block: "center" }));
    await centre();
    let box = (await id(page, "region-canvas").boundingBox())!;
    const at = (fx: number, fy: number) => [box.x + box.width * fx, box.y + box.height * fy] as const;
    await page.mouse.move(...at(0.2, 0.3));
    await page.mouse.down();
    await page.mouse.move(...at(0.35, 0.7), { steps: 6 });
    await page.mouse.up();
    await id(page, "region-mode").getByRole("radio", { name: "Polygon" }).click();
    await centre();
    box = (await id(page, "region-canvas").boundingBox())!;
    await page.mouse.click(...at(0.6, 0.2));
    await page.mouse.click(...at(0.8, 0.3));
    await page.mouse.dblclick(...at(0.7, 0.8));
    assert.equal(await id(page, "region-shape").count(), 2);
    assert.match((await id(page, "region-list").textContent()) ?? "", /Rectangle .* mm².*Polygon, 3 points/);
    await id(page, "regions-save").click();
    await id(page, "regions-saved").getByText("Saved 2 region(s).").waitFor();
    await id(page, "sample-note").fill("pit cluster near the left edge");
    await id(page, "sample-note-save").click();
    await id(page, "grid-item").first().getByText("2 regions").waitFor();
    await id(page, "grid-item").first().getByText("note").waitFor();
    await shot(page, "02-ng-regions");
    // Bulk: select both NG samples, relabel OK, then back to NG; delete one and restore it from the bin.
    await id(page, "sample-detail").getByRole("button", { name: "Close the sample" }).click();
    for (const cb of await id(page, "grid-item").locator('input[type="checkbox"]').all()) await cb.click();
    assert.equal(await id(page, "bulk-count").textContent(), "2 selected");
    await id(page, "bulk-delete").click();
    await id(page, "samples-empty").waitFor();
    await id(page, "filter-bin").getByRole("radio", { name: "Deleted" }).click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="grid-item"]').length === 2);
    await id(page, "bulk-bar").getByRole("button", { name: "Select page" }).click().catch(async () => {
      for (const cb of await id(page, "grid-item").locator('input[type="checkbox"]').all()) await cb.click();
    });
    await id(page, "bulk-restore").click();
    await id(page, "samples-empty").waitFor();
    await id(page, "filter-bin").getByRole("radio", { name: "Live" }).click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="grid-item"]').length === 2);
  });

  it("fits v1 with a live progress bar streamed from the service", async () => {
    await id(page, "main-nav").getByRole("link", { name: "Fit & calibrate" }).click();
    await page.waitForURL(/\/fit/);
    await id(page, "fit-start").waitFor();
    const polls = jobPolls.length;
    const seen = await fitAndWait(page, 1, streams);
    assert.ok(jobPolls.length - polls <= 2, `no polling of jobs.list while fitting (${jobPolls.length - polls} calls)`);
    console.log(`# progress values seen: ${[...seen].join(", ")}`);
    await shot(page, "03-fit-done");
  });

  let savedThreshold = "";
  it("calibrates: histograms, rule, expected false-reject rate, and a slider that re-scores live; saves with a reason", async () => {
    await id(page, "calibration-histogram").waitFor({ timeout: 60_000 });
    await id(page, "histogram-threshold").waitFor();
    assert.match((await id(page, "cal-frr").textContent()) ?? "", /%/);
    assert.match((await id(page, "cal-set").textContent()) ?? "", /10 OK · 2 NG/);
    // how far another draw of 10 OK samples could move the rule's threshold, and what it would catch
    assert.match((await id(page, "cal-rule-spread").textContent()) ?? "", /another 10 OK samples like these.*could land anywhere in [\d.]+–[\d.]+ \(95 %\).*catching [\d.]+%–[\d.]+% of the NG ones/s);
    // the OK samples that hold the threshold up, highest first; the rule's p99 of 10 OK scores lies between the two marked
    const highest = id(page, "ok-highest-item");
    assert.equal(await highest.count(), 6);
    assert.deepEqual(await highest.evaluateAll((els) => els.map((e) => e.getAttribute("data-sets-rule"))), ["true", "true", "false", "false", "false", "false"]);
    const highestScores = await highest.evaluateAll((els) => els.map((e) => Number(e.getAttribute("data-score"))));
    assert.deepEqual(highestScores, [...highestScores].sort((a, b) => b - a));
    assert.match((await highest.first().locator("a").getAttribute("href")) ?? "", /\/datasets\?roi=.+&sample=/);
    await id(page, "rescore").waitFor();
    const range = id(page, "threshold-range");
    const [min, value] = await Promise.all([range.getAttribute("min"), range.getAttribute("value")]);
    const start = Number(await range.inputValue());
    const target = Number(min) + (start - Number(min)) * 0.5;
    await range.fill(String(target));
    const shown = Number(await range.inputValue());
    await page.locator(`[data-testid="rescore"][data-threshold="${shown}"]`).waitFor();
    const fp = Number(await id(page, "cm-fp").textContent());
    assert.ok(fp >= 1, `a much lower threshold rejects OK samples (fp ${fp}, from ${value} to ${shown})`);
    assert.ok((await id(page, "flip").count()) >= 1, "samples that flip are listed");
    await id(page, "roc-current").waitFor();
    await shot(page, "04-calibration-slider");
    // Save a threshold between (above every OK of the rule set is the rule; pick 0.97 × rule to keep it realistic).
    await id(page, "use-rule").click();
    const rule = Number(await range.inputValue());
    await range.fill(String(rule * 0.97));
    savedThreshold = (await id(page, "threshold-value").textContent()) ?? "";
    await id(page, "threshold-save").click();
    await giveReason(page, reasons.threshold);
    await id(page, "threshold-saved").waitFor();
    assert.match((await id(page, "threshold-saved").textContent()) ?? "", /inference uses it now/);
    await id(page, "cal-active").getByText(savedThreshold).waitFor();
  });

  it("runs a test inference on a defect crop and reviews it with the overlay and the keyboard", async () => {
    await page.goto(`${stack.dashboard.url}/review`);
    await id(page, "inspections-empty").waitFor();
    await id(page, "test-drop").locator('input[type="file"]').setInputFiles(GOOD);
    await id(page, "test-result").waitFor({ timeout: 30_000 });
    await id(page, "test-drop").locator('input[type="file"]').setInputFiles(DEFECT);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="inspections-table"] [data-testid="data-row"]').length === 2);
    // Newest first: the defect crop is the first row, and the test upload selects it.
    await page.waitForFunction(() => document.querySelector('[data-testid="inspections-table"] [data-testid="data-row"]')?.getAttribute("aria-selected") === "true");
    await id(page, "inspection-detail").waitFor();
    await id(page, "detail-score").waitFor();
    assert.match((await id(page, "inspection-detail").textContent()) ?? "", /NG/);
    await id(page, "heatmap-layer").waitFor();
    await id(page, "heatmap-opacity").fill("0.8");
    assert.match((await id(page, "heatmap-layer").getAttribute("style")) ?? "", /opacity: ?0\.8/);
    assert.ok((await id(page, "region-row").count()) >= 1, "regions listed");
    assert.match((await id(page, "region-mm2").first().textContent()) ?? "", /mm²/);
    assert.match((await id(page, "key-legend").textContent()) ?? "", /next inspection.*previous inspection.*confirm NG/);
    await shot(page, "05-review-overlay");
    await page.keyboard.press("h");
    await id(page, "heatmap-layer").waitFor({ state: "detached" });
    await page.keyboard.press("h");
    await id(page, "heatmap-layer").waitFor();
    await page.keyboard.press("j");
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="data-row"]')[1]?.getAttribute("aria-selected") === "true");
    await page.keyboard.press("k");
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="data-row"]')[0]?.getAttribute("aria-selected") === "true");
    await page.keyboard.press("n");
    await page.locator('[data-testid="detail-review-status"][data-status="confirmed_ng"]').waitFor();
    await page.keyboard.press("Shift+N");
    await id(page, "added-to-dataset").waitFor();
    await shot(page, "06-review-confirmed");
  });

  it("shows the line against the calibration's promise: the legacy client's /infer counted, test uploads not", async () => {
    await page.goto(`${stack.dashboard.url}/fit?roi=${roiId}`);
    await page.locator('[data-testid="line-promise"][data-verdict="open"]').waitFor({ timeout: 60_000 });
    // the test inferences on Review are not the line
    assert.equal(await id(page, "line-inspections").textContent(), "0");
    // The line: the WPF client's multipart /infer, straight to the service (not through the dashboard)
    const decisions: string[] = [];
    for (const file of [GOOD, DEFECT]) {
      decisions.push(await inferOnLine(stack.inference.url, { recipeId: "disc-e2e", roleId: "master", roiId: "friction-ring", mmPerPx: "0.05" }, file));
    }
    await page.reload();
    await page.locator('[data-testid="line-inspections"]', { hasText: /^2$/ }).waitFor({ timeout: 60_000 });
    const ng = decisions.filter((d) => d === "ng").length;
    assert.equal(await id(page, "line-pending").textContent(), String(ng), `NG calls to review (${decisions.join(", ")})`);
    assert.equal(await id(page, "line-false-rejects").textContent(), "0");
    assert.match((await id(page, "line-rate").textContent()) ?? "", /%/);
    assert.equal(await id(page, "line-promise").getAttribute("data-verdict"), "open", "2 inspections tell nothing yet");
    // the same 2 crops against the calibration's out-of-sample OK scores: too few to tell a shift; an NG call scores
    // above the OK samples' median
    assert.equal(await id(page, "line-scores").getAttribute("data-verdict"), "open");
    const above = /^(\d+) of 2$/.exec((await id(page, "line-scores-share").textContent()) ?? "");
    assert.ok(above && Number(above[1]) >= ng, `above the OK median: ${above?.[0]}`);
    // the calibration in force holds the labelled set's 10 OK scores: too few for a verdict, and the panel says so
    assert.match((await id(page, "line-scores-few-ok").textContent()) ?? "", /10 OK samples/);
    assert.equal(await id(page, "line-scores-verdict").textContent(), "too few OK samples to tell");
    await shot(page, "04b-line-promise");
  });

  it("fits v2, then rolls back to v1 with a reason and compares the two on the same labelled set", async () => {
    await page.goto(`${stack.dashboard.url}/fit?roi=${roiId}`);
    await fitAndWait(page, 2, streams);
    await page.goto(`${stack.dashboard.url}/models?roi=${roiId}`);
    const rows = id(page, "versions-table").getByTestId("data-row");
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="versions-table"] [data-testid="data-row"]').length === 2);
    assert.match((await rows.first().textContent()) ?? "", /v2.*active/);
    await rows.nth(1).click();
    await id(page, "version-detail").waitFor();
    await id(page, "lineage").waitFor();
    // How v1 makes its map: these bsdata crops are registered, so its crops are brought to the ROI's brightness and its
    // features weighted per channel (10 OK crops: too few for per-position statistics).
    assert.match((await id(page, "lineage").textContent()) ?? "", /Mapraw distances, crops at the ROI's brightness, features weighted per channel/);
    // The operator's file names (000.png … as uploaded), not the stored names, in the lineage and in the compare.
    const lineageNames = await id(page, "lineage-sample").allTextContents();
    assert.equal(lineageNames.length, 10);
    for (const n of lineageNames) assert.match(n.trim(), /^\d{3}\.png$/, `lineage shows the uploaded name (${n})`);
    assert.ok((await id(page, "calibration-row").count()) >= 2, "v1 has its fit calibration and the saved threshold");
    await id(page, "version-activate").click();
    await giveReason(page, reasons.rollback);
    await id(page, "activate-done").waitFor();
    await page.waitForFunction(() => /v1\s*active/.test(document.querySelectorAll('[data-testid="versions-table"] [data-testid="data-row"]')[1]?.textContent ?? ""));
    await id(page, "compare-run").click();
    await id(page, "compare-result").waitFor({ timeout: 60_000 });
    assert.ok((await id(page, "compare-row").count()) >= 12);
    const compareNames = (await id(page, "compare-name").allTextContents()).map((n) => n.trim());
    for (const f of [...OK_FILES, ...NG_FILES].map((p) => path.basename(p))) assert.ok(compareNames.includes(f), `${f} named in the compare`);
    await shot(page, "07-models-rollback-compare");
  });

  it("finds every step in the audit log, filtered, and in its CSV export", async () => {
    await page.goto(`${stack.dashboard.url}/audit`);
    await id(page, "audit-table").getByTestId("data-row").first().waitFor();
    const actions = new Set<string>();
    for (;;) {
      for (const a of await id(page, "audit-action").evaluateAll((els) => els.map((e) => e.getAttribute("data-action") ?? ""))) actions.add(a);
      const next = id(page, "pagination").getByRole("button", { name: "Next" });
      if (!(await next.count()) || (await next.isDisabled())) break;
      await next.click();
      await page.waitForTimeout(300);
    }
    for (const a of ["sample.create", "sample.set_ng_regions", "sample.set_note", "sample.delete", "sample.restore", "model_version.create", "model_version.ready", "model_version.activate", "calibration.create", "inspection.review"]) {
      assert.ok(actions.has(a), `${a} in the audit log (${[...actions].join(", ")})`);
    }
    await page.goto(`${stack.dashboard.url}/audit`);
    // The table keeps showing the previous rows while a new filter loads: wait until only the filtered action shows.
    const filterBy = async (action: string) => {
      await id(page, "audit-action-filter").selectOption(action);
      await page.waitForFunction((a) => {
        const cells = [...document.querySelectorAll('[data-testid="audit-table"] [data-testid="audit-action"]')];
        return cells.length > 0 && cells.every((c) => c.getAttribute("data-action") === a);
      }, action);
    };
    await filterBy("model_version.activate");
    await id(page, "audit-table").getByText(reasons.rollback).first().waitFor();
    await filterBy("calibration.create");
    await id(page, "audit-table").getByText(reasons.threshold).waitFor();
    assert.match((await id(page, "audit-table").textContent()) ?? "", new RegExp(stack.admin.username));
    await shot(page, "08-audit-filtered");
    await id(page, "audit-action-filter").selectOption("");
    const href = new URL((await id(page, "audit-csv").getAttribute("href"))!, stack.dashboard.url).toString();
    assert.ok(href.startsWith(`${stack.dashboard.url}/svc/api/audit.csv`), href);
    const csv = await (await fetch(href, { headers: cookieHeader(stack.adminSession) })).text();
    assert.ok(csv.includes(reasons.rollback) && csv.includes(reasons.threshold), "CSV has both reasons");
    assert.ok(csv.includes("inspection.review"));
  });

  it("overview shows the ROI's state; pages fit a tablet without horizontal scrolling", async () => {
    await page.goto(stack.dashboard.url);
    const row = id(page, "roi-row").and(page.locator('[data-roi="friction-ring"]'));
    await row.waitFor();
    assert.match((await row.getByTestId("roi-counts").textContent()) ?? "", /10 \/ 3/);
    assert.match((await row.getByTestId("roi-model").textContent()) ?? "", /v1.*calibrated/);
    await shot(page, "09-overview");
    await page.setViewportSize({ width: 768, height: 1024 });
    for (const p of ["/", `/datasets?roi=${roiId}`, `/fit?roi=${roiId}`, `/review?roi=${roiId}`, `/models?roi=${roiId}`, "/audit"]) {
      await page.goto(`${stack.dashboard.url}${p}`);
      await id(page, "page-title").waitFor();
      await page.waitForLoadState("networkidle").catch(() => undefined);
      assert.equal(await horizontalOverflow(page), 0, `no horizontal scroll on ${p} at 768 px`);
    }
    await shot(page, "10-audit-tablet");
    await page.setViewportSize({ width: 1280, height: 800 });
    assert.deepEqual(errors, [], "no console or HTTP errors during the workflow");
  });
});
