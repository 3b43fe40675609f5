// A QA engineer's shift against the real stack (service with the bundled backbone on a temp data root, the built
// dashboard, Debian's chromium): three ROIs created one after the other — each new one is the ROI shown; the ROI
// survives navigation, reload and a copied link; the NG-region editor zooms and pans; a fit is cancelled and the previous version stays active (audited);
// the review queue shows every row's status at 1024 and 1366 px without horizontal scrolling; the heatmap has a
// colour scale with the threshold marked; the shift report's numbers equal what the review queue lists; crops from
// the line (the WPF client's /infer) that score above the OK samples raise the line watch's alarm, which the calibration
// view, the shift report and the audit log show.
// Screenshots at both widths: test-results/screenshots/shift-*.png; the report as PDF: test-results/shift-report.pdf.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { statSync } from "node:fs";
import path from "node:path";
import type { Page } from "playwright-core";
import { collectPageErrors, launchBrowser, screenshot, type Browser } from "./helpers/browser.ts";
import { dropFiles, horizontalOverflow } from "./helpers/files.ts";
import { inferOnLine } from "./helpers/line.ts";
import { resultsPath } from "./helpers/paths.ts";
import { assertDashboardBuilt, startStack, type Stack } from "./helpers/stack.ts";
import { bsdataDir } from "../../inference/src/testing/dataset.ts";

const DATA = bsdataDir();
const good = (n: number, from = 0) => Array.from({ length: n }, (_, i) => path.join(DATA, "train", "good", `${String(from + i).padStart(3, "0")}.png`));
const TEST_CROPS = [path.join(DATA, "test", "pitting", "010.png"), path.join(DATA, "test", "good", "000.png"), path.join(DATA, "test", "pitting", "012.png")];
const WIDTHS = [1024, 1366] as const;
/** bsdata's 100 pitted test crops: a line sending nothing else (a verdict on the line's scores needs 100 crops). */
const PITTED = Array.from({ length: 100 }, (_, n) => path.join(DATA, "test", "pitting", `${String(n).padStart(3, "0")}.png`));

const id = (page: Page, testId: string) => page.getByTestId(testId);
const roiOf = (page: Page) => new URL(page.url()).searchParams.get("roi");

async function shotAt(page: Page, name: string) {
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 });
    await page.waitForTimeout(200);
    await screenshot(page, `shift-${name}-${width}`);
  }
}

async function newRoi(page: Page, roiName: string, files: string[]) {
  const before = roiOf(page);
  if (await id(page, "new-roi-toggle").isVisible()) await id(page, "new-roi-toggle").click();
  await id(page, "new-recipe").fill("disc-shift");
  await id(page, "new-role").fill("master");
  await id(page, "new-roi").fill(roiName);
  await id(page, "upload-drop").locator('input[type="file"]').setInputFiles(files);
  await page.waitForURL((u) => !!u.searchParams.get("roi") && u.searchParams.get("roi") !== before);
  await id(page, "roi-title").getByText(`master / ${roiName}`).waitFor();
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="grid-item"]').length === n, files.length);
  return roiOf(page)!;
}

describe("QA shift: ROI in the address, fit cancel, review queue widths, heatmap scale, shift report", () => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  const rois: Record<string, string> = {};

  before(async () => {
    assertDashboardBuilt();
    stack = await startStack({ env: { BDI_INPUT_SIZE: "256", BDI_LOG_LEVEL: "warn" } as Partial<NodeJS.ProcessEnv> as NodeJS.ProcessEnv });
    browser = await launchBrowser({ viewport: { width: 1366, height: 900 } });
    page = await browser.newPage();
    errors = collectPageErrors(page);
  });

  after(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it("creates three ROIs one after the other: each new ROI is the one shown, in the address and the title", async () => {
    await page.goto(`${stack.dashboard.url}/datasets`);
    await id(page, "datasets-empty").waitFor();
    rois.a = await newRoi(page, "ring-a", good(10));
    // With others present: the new ROI, never the first of the list (the upload must not land in another one).
    rois.b = await newRoi(page, "ring-b", good(45, 10)); // enough crops for a fit that can be cancelled while it runs
    assert.notEqual(rois.b, rois.a);
    rois.c = await newRoi(page, "ring-c", good(10, 60));
    assert.equal(new Set(Object.values(rois)).size, 3);
    assert.match(await page.title(), /Datasets · master \/ ring-c \(disc-shift\)/);
    assert.equal(await id(page, "roi-select").inputValue(), rois.c);
    await shotAt(page, "01-datasets-new-roi");
  });

  it("keeps the ROI through navigation, reload and a copied link", async () => {
    await id(page, "roi-select").selectOption(rois.b!);
    await page.waitForURL((u) => u.searchParams.get("roi") === rois.b);
    const pages = { "Fit & calibrate": "/fit", Review: "/review", Models: "/models", "Shift report": "/report", Datasets: "/datasets" };
    for (const [link, pathname] of Object.entries(pages)) {
      await id(page, "main-nav").getByRole("link", { name: link, exact: true }).click();
      await page.waitForURL((u) => u.pathname === pathname && u.searchParams.get("roi") === rois.b);
      await id(page, "roi-title").getByText("master / ring-b").waitFor();
      assert.match(await page.title(), /ring-b/, `${link} says its ROI in the title`);
    }
    await page.reload();
    await id(page, "roi-title").getByText("master / ring-b").waitFor();
    assert.equal(roiOf(page), rois.b);
    // A link pasted into a fresh tab opens that ROI; the Overview link back keeps none, the nav remembers the last.
    const other = await browser.newPage();
    await other.goto(`${stack.dashboard.url}/fit?roi=${rois.a}`);
    await id(other, "roi-title").getByText("master / ring-a").waitFor();
    assert.equal(await id(other, "roi-select").inputValue(), rois.a);
    await other.close();
    // An id that does not exist is reported, not replaced by another ROI.
    await page.goto(`${stack.dashboard.url}/datasets?roi=cm0000000000000000000000`);
    await id(page, "unknown-roi").waitFor();
    assert.equal(await id(page, "upload-panel").count(), 0, "no upload target while the ROI is unknown");
  });

  it("NG-region editor: the current label looks selected, zoom and pan change the view, shapes stay in crop pixels", async () => {
    await page.goto(`${stack.dashboard.url}/datasets?roi=${rois.c}`);
    await id(page, "grid-item").first().locator("button").first().click();
    await id(page, "relabel-ng").click();
    await page.locator('[data-testid="relabel-ng"][aria-pressed="true"]').waitFor();
    assert.equal(await id(page, "relabel-ng").isDisabled(), false, "the current label is drawn as selected, not as a faded disabled button");
    const canvas = id(page, "region-canvas");
    await canvas.waitFor();
    const full = (await canvas.getAttribute("viewBox"))!.split(" ").map(Number);
    await id(page, "region-zoom-in").click();
    await id(page, "region-zoom-in").click();
    assert.equal(await id(page, "region-zoom-level").textContent(), "4.0×");
    const zoomed = (await canvas.getAttribute("viewBox"))!.split(" ").map(Number);
    assert.ok(Math.abs(zoomed[2]! - full[2]! / 4) < 1e-6, `a quarter of the width in view (${zoomed.join(" ")})`);
    await id(page, "region-mode").getByRole("radio", { name: "Pan" }).click();
    await canvas.evaluate((el) => el.scrollIntoView({ block: "center" }));
    let box = (await canvas.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.5);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.5, { steps: 5 });
    await page.mouse.up();
    const panned = (await canvas.getAttribute("viewBox"))!.split(" ").map(Number);
    assert.ok(panned[0]! > zoomed[0]!, `dragging left moves the view right (${zoomed[0]} → ${panned[0]})`);
    // A small rectangle drawn at 4× lands inside the part of the crop in view, in crop pixels.
    await id(page, "region-mode").getByRole("radio", { name: "Rectangle" }).click();
    box = (await canvas.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.4, box.y + box.height * 0.4);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5, { steps: 4 });
    await page.mouse.up();
    const rect = id(page, "region-shape").first();
    const x = Number(await rect.getAttribute("x"));
    const w = Number(await rect.getAttribute("width"));
    assert.ok(x >= panned[0]! && x + w <= panned[0]! + panned[2]!, "inside the view");
    assert.ok(w < panned[2]! * 0.2 && w > 0, `about a tenth of the view wide (${w} px of ${panned[2]})`);
    await shotAt(page, "02-region-zoom");
    await id(page, "regions-save").click();
    await id(page, "regions-saved").waitFor();
  });

  it("fits v1, then cancels a second fit: v1 stays active, and the cancel is audited", async () => {
    await page.goto(`${stack.dashboard.url}/fit?roi=${rois.b}`);
    await id(page, "fit-start").click();
    await id(page, "fit-done").waitFor({ timeout: 180_000 });
    assert.match((await id(page, "fit-done").textContent()) ?? "", /Version v1 is ready and active · fit time/);
    const fitTime = /fit time ([\d.]+ m?s)/.exec((await id(page, "fit-done").textContent()) ?? "")?.[1];
    // The calibration view is ready with the fit (its own out-of-sample scores).
    await id(page, "calibration-histogram").waitFor({ timeout: 30_000 });

    await id(page, "fit-start").click();
    await id(page, "fit-cancel").waitFor();
    await id(page, "fit-time").getByText(/Elapsed/).waitFor();
    await shotAt(page, "03-fit-running");
    await id(page, "fit-cancel").click();
    const dialog = id(page, "reason-dialog").and(page.locator("[open]"));
    await dialog.getByTestId("reason-input").fill("e2e: wrong crops in the OK set");
    await dialog.getByTestId("reason-confirm").click();
    await id(page, "fit-cancelled").waitFor({ timeout: 60_000 });
    assert.match((await id(page, "fit-cancelled").textContent()) ?? "", /v1 is still the active version/);
    await shotAt(page, "04-fit-cancelled");

    await id(page, "main-nav").getByRole("link", { name: "Models", exact: true }).click();
    await page.waitForFunction(() => /v1\s*active/.test(document.querySelector('[data-testid="versions-table"]')?.textContent ?? ""));
    const table = (await id(page, "versions-table").textContent()) ?? "";
    assert.match(table, /v2.*failed/s, "the cancelled version is failed");
    if (fitTime) assert.ok(table.includes(fitTime), `Models shows the same fit time as the Fit page (${fitTime})`);
    await page.goto(`${stack.dashboard.url}/audit`);
    await id(page, "audit-table").getByText(/fit\.cancel|Fit cancelled/).first().waitFor();
    assert.match((await id(page, "audit-table").textContent()) ?? "", /e2e: wrong crops in the OK set/);
  });

  it("review queue: status visible at 1024 and 1366 px without horizontal scroll; heatmap scale marks the threshold", async () => {
    await page.goto(`${stack.dashboard.url}/review?roi=${rois.b}`);
    for (const [k, f] of TEST_CROPS.entries()) {
      await dropFiles(page, "test-drop", [f]);
      await page.waitForFunction((n) => document.querySelectorAll('[data-testid="inspections-table"] [data-testid="data-row"]').length === n, k + 1, { timeout: 30_000 });
    }
    const rows = id(page, "inspections-table").getByTestId("data-row");
    // Open a row and wait until the detail shows that very inspection before judging it.
    const open = async (n: number) => {
      const rowId = await rows.nth(n).getAttribute("data-id");
      await rows.nth(n).click();
      await page.locator(`[data-testid="inspection-detail"][data-inspection="${rowId}"] [data-testid="detail-review-status"]`).waitFor();
      return rowId;
    };
    const ngRow = await rows.evaluateAll((els) => els.findIndex((e) => e.getAttribute("data-decision") === "ng"));
    assert.ok(ngRow >= 0, "a defect crop was judged NG");
    await open(ngRow);
    await id(page, "review-confirm-ng").click();
    await page.locator('[data-testid="detail-review-status"][data-status="confirmed_ng"]').waitFor();
    await open(ngRow === 0 ? 1 : 0);
    await id(page, "review-false-positive").click();
    await page.locator('[data-testid="detail-review-status"][data-status="false_positive"]').waitFor();
    await open(ngRow);
    await id(page, "heatmap-scale").waitFor();
    assert.equal(await id(page, "heatmap-scale").getAttribute("data-kind"), "score", "the scale is in score units");
    assert.match((await id(page, "heatmap-scale-label").textContent()) ?? "", /threshold \d/);
    if (await id(page, "heatmap-scale-threshold").count()) assert.ok(await id(page, "heatmap-scale-threshold").isVisible());
    assert.match((await id(page, "heatmap-layer").getAttribute("src")) ?? "", /style=above/, "above-threshold-only by default");
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: 900 });
      await page.waitForTimeout(300);
      assert.equal(await horizontalOverflow(page), 0, `no horizontal scroll at ${width} px`);
      for (const badge of await id(page, "inspections-table").getByTestId("row-review-status").all()) {
        const box = (await badge.boundingBox())!;
        assert.ok(box && box.x >= 0 && box.x + box.width <= width, `status inside the window at ${width} px`);
      }
      await screenshot(page, `shift-05-review-${width}`);
    }
    await id(page, "review-pending-only").check();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="inspections-table"] [data-testid="data-row"]').length === 1);
    await id(page, "review-pending-only").uncheck();
    await id(page, "review-order").getByRole("radio", { name: "Near the threshold first" }).click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="inspections-table"] [data-testid="data-row"]').length === 3);
  });

  it("the shift report's numbers equal what the review queue lists for the ROI today, and it prints", async () => {
    await page.goto(`${stack.dashboard.url}/review?roi=${rois.b}`);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="inspections-table"] [data-testid="data-row"]').length === 3);
    const queue = await id(page, "inspections-table").getByTestId("data-row").evaluateAll((els) =>
      els.map((e) => ({ status: e.getAttribute("data-status"), ng: e.getAttribute("data-decision") === "ng" })),
    );
    await id(page, "main-nav").getByRole("link", { name: "Shift report", exact: true }).click();
    await page.waitForURL((u) => u.pathname === "/report" && u.searchParams.get("roi") === rois.b);
    await id(page, "shift-report").waitFor();
    const num = async (t: string) => Number((await id(page, t).textContent())?.trim());
    assert.equal(await num("report-total"), queue.length);
    assert.equal(await num("report-ng"), queue.filter((q) => q.ng).length);
    assert.equal(await num("report-ok"), queue.filter((q) => !q.ng).length);
    assert.equal(await num("report-confirmed"), queue.filter((q) => q.status === "confirmed_ng").length);
    assert.equal(await num("report-false-positive"), queue.filter((q) => q.status === "false_positive").length);
    assert.equal(await num("report-pending"), queue.filter((q) => q.status === "pending").length);
    assert.ok((await id(page, "report-change").count()) >= 1, "v1's activation is a threshold change of the day");
    // these are the dashboard's test inspections, not the line's: the scores section has no line crop to compare
    const scores = id(page, "report-scores");
    assert.equal(await scores.getByTestId("line-scores").getAttribute("data-verdict"), "open");
    assert.equal((await scores.getByTestId("line-scores-share").textContent())?.trim(), "—");
    assert.match((await scores.getByTestId("report-no-alarms").textContent()) ?? "", /raised no alarm/);
    await shotAt(page, "06-report");
    await page.emulateMedia({ media: "print" });
    const pdf = resultsPath("shift-report.pdf");
    await page.pdf({ path: pdf, format: "A4" });
    assert.ok(statSync(pdf).size > 5000, "a PDF with content");
    await page.emulateMedia({ media: "screen" });
    assert.deepEqual(errors.filter((e) => !/409|fit\.cancel/.test(e)), [], "no console or HTTP errors");
  });

  it("the line watch: the line's crops scoring above the OK samples raise an alarm in the calibration view, the report and the audit log", async () => {
    // The line: the WPF client's multipart /infer, straight to the service. Pitted crops score above the OK samples'
    // median (every one of bsdata's 100 in `npm run eval`): 100 of them read "higher" against the calibration's 45
    // out-of-sample OK scores (the band 35–65 %) unless many fall below it in long runs.
    for (const file of PITTED) await inferOnLine(stack.inference.url, { recipeId: "disc-shift", roleId: "master", roiId: "ring-b", mmPerPx: "0.2" }, file);
    // the watch checks in the background, after the answers: the panel (polled every 30 s) shows it on a reload
    for (let tries = 0; ; tries++) {
      await page.goto(`${stack.dashboard.url}/fit?roi=${rois.b}`);
      await id(page, "line-scores").waitFor({ timeout: 60_000 });
      if (await id(page, "line-watch-shift").count()) break;
      assert.ok(tries < 20, "the line watch's alarm shows within ~40 s");
      await page.waitForTimeout(2000);
    }
    assert.match((await id(page, "line-watch-shift").textContent()) ?? "", /Alarm since .*scoring higher than the OK samples/);
    assert.equal(await id(page, "line-scores").getAttribute("data-verdict"), "higher");
    await shotAt(page, "07-line-watch");
    await page.goto(`${stack.dashboard.url}/report?roi=${rois.b}`);
    await id(page, "report-alarm").first().waitFor({ timeout: 30_000 });
    assert.match((await id(page, "report-alarm").first().textContent()) ?? "", /alarm: the line's crops scoring higher than the OK samples/);
    await page.goto(`${stack.dashboard.url}/audit`);
    await id(page, "audit-prefix").selectOption("line.");
    // the filtered page: the watch's reports only
    await page.waitForFunction(() => {
      const rows = [...document.querySelectorAll('[data-testid="audit-action"]')];
      return rows.length > 0 && rows.every((r) => r.getAttribute("data-action")?.startsWith("line."));
    }, undefined, { timeout: 30_000 });
    assert.equal(await page.locator('[data-testid="audit-action"]').first().textContent(), "Line watch: scores against the OK samples changed");
    assert.equal(await page.locator('[data-testid="audit-action"][data-action="line.shift"]').count(), 1, "one report of the change");
  });
});
