// The ROI a QA engineer works on travels in the address (`?roi=<id>`): every page that acts on a ROI reads it, the
// main navigation carries it from page to page, and the last one chosen is remembered in this browser for a page
// opened without it. So a link can be copied, a reload keeps the ROI, and no page silently switches to another.
const LAST_ROI_KEY = "bdi.roi";

/** Pages that act on one ROI; the navigation adds `?roi=` to them. */
export const ROI_PAGES = ["/datasets", "/fit", "/review", "/models", "/report", "/audit"] as const;

/** `href` with `?roi=<id>` when it is a ROI page and a ROI is known (other query parameters are not carried). */
export function hrefWithRoi(href: string, roiId: string | null): string {
  if (!roiId || !ROI_PAGES.some((p) => href === p || href.startsWith(`${p}/`))) return href;
  return `${href}?roi=${encodeURIComponent(roiId)}`;
}

export function rememberRoi(roiId: string): void {
  try {
    window.localStorage.setItem(LAST_ROI_KEY, roiId);
  } catch {
    // storage disabled: the address still carries the ROI
  }
}

export function rememberedRoi(): string | null {
  try {
    return typeof window === "undefined" ? null : window.localStorage.getItem(LAST_ROI_KEY);
  } catch {
    return null;
  }
}

/**
 * Which ROI a page shows: the one in the address when the list has it; with none in the address, the remembered one,
 * else the first. An id the list does not have is "unknown" — never replaced by another ROI (the list may simply be
 * older than the ROI: the caller refetches it once before saying so).
 */
export function resolveRoi(
  list: ReadonlyArray<{ id: string }>,
  param: string | null,
  remembered: string | null,
): { kind: "ok"; id: string } | { kind: "choose"; id: string } | { kind: "unknown" } | { kind: "none" } {
  if (param) return list.some((r) => r.id === param) ? { kind: "ok", id: param } : { kind: "unknown" };
  if (list.length === 0) return { kind: "none" };
  const pick = remembered && list.some((r) => r.id === remembered) ? remembered : list[0]!.id;
  return { kind: "choose", id: pick };
}

/** "Datasets · master / friction-ring (disc-a)": a page title that says which ROI it acts on. */
export function roiTitle(page: string, roi: { recipeId: string; roleId: string; roiName: string } | null): string {
  return roi ? `${page} · ${roi.roleId} / ${roi.roiName} (${roi.recipeId})` : page;
}
