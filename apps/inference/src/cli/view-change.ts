// `npm run eval -- --view gain:1.1|blur:1`: the test crops as a line would send them after its view changed — a lamp
// brighter or dimmer (gain: every pixel × g, clipped at white), a camera out of focus (blur: a Gaussian of σ px) —
// scored against a fit of the unchanged training crops: what such a change does to the decision, and whether the
// line's score shift (`scoreShift` in @bdi/core) sees it. `npm run eval -- --turn 90|180|270` (`--turns 0,90,…`: one
// fit per orientation): the whole data set (training, test and held-out crops, masks) a quarter, half or three-quarter
// turn clockwise, the same defects and surfaces in another orientation, which a convolutional backbone does not treat
// alike (session 29: kolektorsdd's image AUROC 0.936 upright, 0.957 turned 90°): how much of a change's gain is one
// data set's orientation can be read.
import sharp from "sharp";

export type ViewChange = { kind: "gain" | "blur"; value: number };

/** "gain:G" (0 < G ≤ 4) or "blur:S" (0.3 ≤ S ≤ 10, sharp's smallest σ up to a blur that hides any defect). */
export function parseViewChange(spec: string): ViewChange {
  const m = /^(gain|blur):([0-9]*\.?[0-9]+)$/.exec(spec.trim());
  const value = m ? Number(m[2]) : NaN;
  if (m?.[1] === "gain" && value > 0 && value <= 4) return { kind: "gain", value };
  if (m?.[1] === "blur" && value >= 0.3 && value <= 10) return { kind: "blur", value };
  throw new Error(`--view must be gain:G (0 < G <= 4) or blur:S (0.3 <= S <= 10), got "${spec}"`);
}

/** The crop as the changed view would show it (PNG, lossless). */
export async function applyViewChange(image: Buffer, change: ViewChange): Promise<Buffer> {
  const img = sharp(image).removeAlpha();
  return (change.kind === "gain" ? img.linear(change.value, 0) : img.blur(change.value)).png().toBuffer();
}

export const TURNS = [90, 180, 270] as const;
export type Turn = (typeof TURNS)[number];

/** "90", "180", "270" → that turn, "0" → 0, anything else → null. */
function turnOf(spec: string): Turn | 0 | null {
  const x = spec.trim();
  if (x === "0") return 0;
  return /^\d+$/.test(x) && (TURNS as readonly number[]).includes(Number(x)) ? (Number(x) as Turn) : null;
}

/** "90", "180" or "270" (degrees clockwise). */
export function parseTurn(spec: string): Turn {
  const t = turnOf(spec);
  if (!t) throw new Error(`--turn must be one of ${TURNS.join(", ")} (degrees clockwise), got "${spec}"`);
  return t;
}

/** "0,90,180,270" or any distinct few of them (0: as the set is), for one fit per orientation. */
export function parseTurns(spec: string): Array<Turn | 0> {
  const turns = spec.split(",").map(turnOf);
  if (turns.some((t) => t === null) || new Set(turns).size !== turns.length) {
    throw new Error(`--turns takes distinct values of 0, ${TURNS.join(", ")} (degrees clockwise), e.g. 0,90, got "${spec}"`);
  }
  return turns as Array<Turn | 0>;
}

/** The image turned clockwise by `turn` degrees (PNG, lossless: a mask keeps its values, a grey crop its levels). */
export async function turnImage(image: Buffer, turn: Turn): Promise<Buffer> {
  return sharp(image).rotate(turn).png().toBuffer();
}
