// Two memory layouts for a ROI's OK patches, chosen per fit from the OK crops themselves:
//   global     — one coreset over every patch, any query patch matched against all of it (PatchCore; textures and
//                crops that are not registered);
//   positional — a few OK patches per grid cell, a query patch matched only against cells within
//                POSITIONAL_RADIUS of its own (registered ROIs: the same place on the part every time).
// Measured (lab simulation of the fit's k-fold pass on the dumped features of the bundled backbone, crop window, all
// training crops): bsdata_pitting, 10 k-center picks per cell, radius 2: image AUROC 0.973, FRR at 95 % recall 13 %,
// recall at 1 % FRR 81 %, pixel AUROC 0.996, AUPRO 0.928 (global coreset: 0.954 / 30 % / 68 % / 0.991 / 0.887); radius
// 0–4 within ±0.002; 5 picks per cell 0.952, 20 picks 0.971, 10 random picks 0.956. On kolektorsdd_crack, whose crops
// are different, unaligned areas, the positional layout loses image AUROC (0.89 against 0.93): the fit tells the two
// apart by `registrationShare` (below), 0.94–0.97 on bsdata and 0.06–0.08 on kolektorsdd from 6 crops.
import { InvalidInputError } from "../errors.ts";

export const BANK_LAYOUTS = ["global", "positional"] as const;
export type BankLayout = (typeof BANK_LAYOUTS)[number];
/** What a fit is asked for: a layout, or "auto" (the registration probe decides). */
export const BANK_LAYOUT_CHOICES = ["auto", ...BANK_LAYOUTS] as const;
export type BankLayoutChoice = (typeof BANK_LAYOUT_CHOICES)[number];

/** Chebyshev radius, in grid cells, of the cells a positional query patch is matched against (16 px at stride 8). */
export const POSITIONAL_RADIUS = 2;
/** k-center picks per grid cell and fold: a 5-fold fit keeps 10 per cell, a fold's out-of-sample bank 8. */
export const POSITIONAL_PICKS_PER_FOLD = 2;
/** OK crops the registration probe compares with each other. */
export const REGISTRATION_PROBE_CROPS = 6;
/**
 * The most cells of each crop the registration probe keeps: every cell of crops up to 4,096 cells (the positional
 * bound's), an even share of larger ones (every 3rd cell of a 9,216-cell square crop at 768: its bank copy of the
 * other 5 crops 68 MB instead of 203, and 6 crops' features 81 MB instead of 244; probing whole square crops put the
 * bench's fit of 400 such crops at 1,727 MiB peak RSS against 1,215 before they were probed). At most every 5th cell
 * (2 · POSITIONAL_RADIUS + 1) in row order: that leaves one in any 5 neighbouring columns, so a registered crop's own
 * place stays within the radius (crops over 20,480 cells keep more than 4,096).
 */
export const REGISTRATION_PROBE_CELLS = 4096;

/** The step, in valid cells, at which the probe samples a crop of `cells` cells (1: every cell). */
export function probeCellStep(cells: number): number {
  if (!(Number.isInteger(cells) && cells >= 0)) throw new InvalidInputError(`probeCellStep needs a cell count ≥ 0 (got ${cells})`);
  return Math.min(2 * POSITIONAL_RADIUS + 1, Math.max(1, Math.ceil(cells / REGISTRATION_PROBE_CELLS)));
}
/** A ROI is registered when more than this share of its OK patches find their nearest OK patch near their own cell. */
export const REGISTERED_SHARE = 0.5;

/**
 * The positional memory's size bound (vectors): 10 picks per cell for crops of up to 4,096 cells (a 512 × 208 crop at
 * 768 has 3,840: 38,400 vectors, 170 MB). Larger ROIs keep the global coreset (16,384 vectors at most): a square crop
 * at 768 (9,216 cells: 92,160 vectors, 407 MB) took `npm run bench`'s peak RSS from 2.0 to 3.9 GB and its fit of 400
 * crops from 156 to 175 s.
 */
export const POSITIONAL_BANK_CAP = 40_960;

/** Vectors a positional memory of crops with `cellsPerCrop` valid cells keeps over `folds` folds. */
export function positionalBankSize(cellsPerCrop: number, folds: number): number {
  return cellsPerCrop * folds * POSITIONAL_PICKS_PER_FOLD;
}

/** Chebyshev distance, in cells, between two row-major cell indices of a g×g grid. */
export function cellDistance(a: number, b: number, g: number): number {
  return Math.max(Math.abs(Math.floor(a / g) - Math.floor(b / g)), Math.abs((a % g) - (b % g)));
}

/**
 * Share of query patches whose nearest patch (over other OK crops, any cell) lies within `radius` cells of the
 * query's own cell: ~1 when the same place looks the same on every crop, ~(2r+1)² / cells when crops are unaligned.
 */
export function registrationShare(queryCells: ArrayLike<number>, nearestCells: ArrayLike<number>, g: number, radius = POSITIONAL_RADIUS): number {
  if (queryCells.length !== nearestCells.length) throw new InvalidInputError(`registrationShare: ${queryCells.length} query cells but ${nearestCells.length} nearest cells`);
  if (!Number.isInteger(g) || g < 1 || !Number.isInteger(radius) || radius < 0) throw new InvalidInputError(`registrationShare needs a grid ≥ 1 and an integer radius ≥ 0 (got ${g}, ${radius})`);
  if (!queryCells.length) return 0;
  let near = 0;
  for (let i = 0; i < queryCells.length; i++) if (cellDistance(queryCells[i]!, nearestCells[i]!, g) <= radius) near++;
  return near / queryCells.length;
}

/**
 * What a ROI's OK crops are, which decides how their maps are read whatever memory keeps their patches:
 *   registered — the same place on the part every time (its crops brought to one brightness, a low scale floor: each
 *                cell a place of its own; in the positional memory its channels weighed too);
 *   texture    — different areas of one surface (each crop measured against its own median, one scale for most cells).
 * A fit that did not probe (a layout asked for, fewer than 3 folds) knows only what a positional layout implies.
 */
export const CROP_KINDS = ["registered", "texture"] as const;
export type CropKind = (typeof CROP_KINDS)[number];

/** What a registration share says the crops are. */
export function cropKindForShare(share: number): CropKind {
  return share > REGISTERED_SHARE ? "registered" : "texture";
}

/**
 * The memory for crops of a kind: positional for registered crops whose picks stay within POSITIONAL_BANK_CAP, else
 * the global coreset (a registered square crop at 768, 9,216 cells, keeps a coreset, and is read as registered).
 */
export function layoutForCrops(kind: CropKind | undefined, cellsPerCrop: number, folds: number): BankLayout {
  return kind === "registered" && positionalBankSize(cellsPerCrop, folds) <= POSITIONAL_BANK_CAP ? "positional" : "global";
}

/**
 * What a fitted version's crops are: the probe's share where it ran, else what its layout implies (a positional
 * memory holds registered crops; a global one asked for, or fitted before the probe, is not known to be either).
 */
export function cropKindOf(version: { layout?: BankLayout; registrationShare?: number | null }): CropKind | undefined {
  if (typeof version.registrationShare === "number") return cropKindForShare(version.registrationShare);
  return version.layout === "positional" ? "registered" : undefined;
}
