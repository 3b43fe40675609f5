// `npm run eval -- --view gain:1.1|blur:1`: the test crops as a line would send them after its view changed — a lamp
// brighter or dimmer (gain: every pixel × g, clipped at white), a camera out of focus (blur: a Gaussian of σ px) —
// scored against a fit of the unchanged training crops: what such a change does to the decision, and whether the
// line's score shift (`scoreShift` in @bdi/core) sees it.
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
