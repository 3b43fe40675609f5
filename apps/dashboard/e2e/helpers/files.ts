// Files into the page: a real drag-and-drop (DataTransfer built in the page, drop event dispatched on the target).
import { readFileSync } from "node:fs";
import path from "node:path";
import type { Page } from "playwright-core";

export async function dropFiles(page: Page, testId: string, files: string[]): Promise<void> {
  const payload = files.map((f) => ({ name: path.basename(f), b64: readFileSync(f).toString("base64") }));
  await page.getByTestId(testId).evaluate((el, list) => {
    const dt = new DataTransfer();
    for (const f of list) {
      const bin = atob(f.b64);
      const bytes = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      dt.items.add(new File([bytes], f.name, { type: "image/png" }));
    }
    el.dispatchEvent(new DragEvent("dragover", { bubbles: true, cancelable: true, dataTransfer: dt }));
    el.dispatchEvent(new DragEvent("drop", { bubbles: true, cancelable: true, dataTransfer: dt }));
  }, payload);
}

/** How far the page scrolls sideways (0 = it fits). */
export function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}
