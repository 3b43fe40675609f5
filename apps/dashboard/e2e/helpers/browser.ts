// Debian's chromium driven by playwright-core (Playwright's own browser download cannot work offline).
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { resultsPath, slug } from "./paths.ts";
import { addSession, latestSession } from "./auth.ts";

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

const ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
  "--disable-sync",
  "--disable-quic",
];

export type Browser = { context: BrowserContext; newPage: () => Promise<Page>; close: () => Promise<void> };

/**
 * Headless chromium with a fresh user-data-dir, 1280×800 by default, signed in to the latest started stack as its
 * admin (`signedIn: false` for a signed-out browser).
 */
export async function launchBrowser(opts: { viewport?: { width: number; height: number }; signedIn?: boolean } = {}): Promise<Browser> {
  const userDataDir = mkdtempSync(path.join(os.tmpdir(), "bdi-e2e-chromium-"));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: ARGS,
      viewport: opts.viewport ?? { width: 1280, height: 800 },
    });
  } catch (err) {
    rmSync(userDataDir, { recursive: true, force: true });
    const msg = err instanceof Error ? err.message : String(err);
    throw new Error(`could not launch chromium at ${CHROMIUM_PATH} (install Debian's chromium or set CHROMIUM_PATH): ${msg}`);
  }
  context.setDefaultTimeout(15_000);
  if (opts.signedIn !== false && latestSession) await addSession(context, latestSession);
  return {
    context,
    newPage: () => context.newPage(),
    close: async () => {
      await context.close().catch(() => undefined);
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Full-page screenshot kept as a test artifact under apps/dashboard/test-results/screenshots/. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const file = resultsPath("screenshots", `${slug(name)}.png`);
  await page.screenshot({ path: file, fullPage: true, animations: "disabled" });
  return file;
}

/** Uncaught errors, console errors and HTTP errors (≥ 400) of a page, to assert it rendered cleanly. */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`console: ${m.text()}${m.location()?.url ? ` (${m.location().url})` : ""}`);
  });
  page.on("response", (r) => {
    if (r.status() >= 400) errors.push(`http ${r.status()}: ${r.url()}`);
  });
  return errors;
}
