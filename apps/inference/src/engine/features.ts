// Patch-feature head appended to the backbone graph (a protobuf append, then a wire-level cut of the graph's outputs to
// the head's own; nothing re-encoded), so that pooling, upsampling,
// concatenation, the crop's cells and L2 normalisation run inside onnxruntime:
//   CNNs (MobileNetV2, InceptionV3): AvgPool3×3(s8*) ‖ Resize×2(AvgPool3×3(s16*)) → [cells, C8+C16], L2-normalised
//   DINOv2:      blocks 9, 10, 11 (prefix tokens dropped) concatenated → [cells, 1152], L2-normalised
// where cells are the rectangle of the input's grid given as the second input (FEATURES_CELLS_INPUT): the cells a
// crop overlaps, row-major.
import { DataType, GraphBuilder, appendToModel, keepGraphOutputs, valueInfo, type BackboneEntry } from "@bdi/models";

export const FEATURES_OUTPUT = "bdi_features";
/**
 * The head's second input, int64 [4]: the rectangle of grid cells it returns, [row0, col0, row1, col1) of the input's
 * own grid (a crop window's, for CNNs run on one). The cells over the letterbox bars are left out before the
 * transpose and the normalisation, not copied out in JS afterwards: a 512 × 208 crop's window (5,376 cells, 3,840 of
 * them the crop's) 90.8 → 80.1 ms for backbone, head and the features in JS, the same floats; and each map is cut
 * before the concatenation, not after (Slice + Concat 3.7 → 2.3 ms there, session 30, the same floats).
 */
export const FEATURES_CELLS_INPUT = "bdi_cells";

export interface FeatureLayout { grid: number; dim: number; stride: number }

/** Grid side for a square input of `inputSize` pixels. */
export function gridFor(entry: BackboneEntry, inputSize: number): number {
  if (entry.kind === "dinov2") return Math.floor(inputSize / (entry.patch ?? 14));
  return Math.ceil(inputSize / entry.features.stride);
}

/** CNN backbones (MobileNetV2, InceptionV3): feature maps at strides, combined by the same head. */
export function isCnn(entry: Pick<BackboneEntry, "kind">): boolean {
  return entry.kind !== "dinov2";
}

/**
 * The crop window a backbone supports (preprocess's "crop" mode), or null (always the whole square): CNNs whose
 * manifest gives `features.windowMargin`. The window is aligned to the coarsest feature stride, so that its stride-16
 * map lines up with the square grid's; a ViT's position embeddings are fixed to the square input.
 */
export function inputWindowSpec(entry: BackboneEntry): { align: number; margin: number } | null {
  const margin = entry.features.windowMargin;
  if (!isCnn(entry) || margin === undefined) return null;
  return { align: Math.max(entry.features.stride, ...entry.features.outputs.map((o) => entry.outputs?.[o]?.stride ?? 0)), margin };
}

export function featureLayout(entry: BackboneEntry, inputSize: number): FeatureLayout {
  return { grid: gridFor(entry, inputSize), dim: entry.features.dim, stride: entry.features.stride };
}

/** Whether patch features are L2-normalised: `l2` option, else the manifest's `features.l2`, else true. */
export function featuresL2(entry: BackboneEntry, l2?: boolean): boolean {
  return l2 ?? entry.features.l2 ?? true;
}

/**
 * PatchCore's local neighbourhood (k×k average of the CNN feature maps before concatenation): `localAvg` option,
 * else the manifest's `features.localAvg`. 1 = none: sharper features that localise pits of a few pixels (AUPRO on
 * bsdata_pitting 0.73 → 0.80 at 448), at a small cost in image AUROC. Not used by ViT backbones.
 */
export function featuresLocalAvg(entry: BackboneEntry, localAvg?: number): number {
  if (!isCnn(entry)) return 0;
  const k = localAvg ?? entry.features.localAvg;
  if (!Number.isInteger(k) || k < 1 || k % 2 === 0) throw new Error(`local average must be an odd integer ≥ 1 (got ${k})`);
  return k;
}

/**
 * Returns the backbone bytes with the feature head appended; inputs the backbone's image and `bdi_cells`, output
 * `bdi_features` [cells, dim] (L2-normalised per patch unless `l2` is false) and no other: with the backbone's raw
 * outputs left in the graph, onnxruntime copied each through its Identity on every run and kept the stride-16 map's
 * Resize out of its blocked layout (a 512 × 208 crop's window, backbone and head 53.2 → 45.9 ms in its profile; the
 * blocked Upsample's sums round differently, up to 6e-8 in 4.5 % of the features).
 */
export function withFeatureHead(backboneBytes: Uint8Array, entry: BackboneEntry, inputSize: number, l2?: boolean, localAvg?: number): Uint8Array {
  const g = new GraphBuilder("bdi_head");
  const { dim } = featureLayout(entry, inputSize);
  // the rectangle FEATURES_CELLS_INPUT names, cut from a map whose grid rows and columns are `axes`
  const from = g.op("Slice", [FEATURES_CELLS_INPUT, g.constI64([0], "from0"), g.constI64([2], "from1")]);
  const to = g.op("Slice", [FEATURES_CELLS_INPUT, g.constI64([2], "to0"), g.constI64([4], "to1")]);
  const cells = (t: string, axes: [number, number]) => g.op("Slice", [t, from, to, g.constI64(axes, "axes")]);
  let cat: string;
  if (isCnn(entry)) {
    if (inputSize % 16 !== 0) throw new Error(`${entry.kind} input size must be a multiple of 16 (got ${inputSize})`);
    const k = featuresLocalAvg(entry, localAvg);
    const parts = entry.features.outputs.map((o) => {
      const spec = entry.outputs?.[o];
      if (!spec) throw new Error(`backbone ${entry.id}: unknown output ${o}`);
      let t = o;
      if (k > 1) t = g.op("AveragePool", [t], { kernel_shape: [k, k], strides: [1, 1], pads: [k >> 1, k >> 1, k >> 1, k >> 1], count_include_pad: 0 });
      const f = spec.stride / entry.features.stride;
      if (f !== 1) {
        const scales = g.constF32([4], [1, 1, f, f], "scales");
        t = g.op("Resize", [t, "", scales], { mode: "linear", coordinate_transformation_mode: "half_pixel" });
      }
      return cells(t, [2, 3]);
    });
    const c = parts.length > 1 ? g.op("Concat", parts, { axis: 1 }) : parts[0]; // [1, dim, rows, cols]
    const r = g.op("Reshape", [c, g.constI64([dim, -1], "shape")]);
    cat = g.op("Transpose", [r], { perm: [1, 0] });
  } else {
    const prefix = entry.features.prefixTokens ?? 1;
    const parts = entry.features.outputs.map((o) => {
      const tensor = entry.tensors?.[o] ?? o;
      return g.op("Slice", [tensor, g.constI64([prefix], "start"), g.constI64([1 << 30], "end"), g.constI64([1], "axis")]);
    });
    const side = gridFor(entry, inputSize);
    const c = g.op("Reshape", [g.op("Concat", parts, { axis: 2 }), g.constI64([1, side, side, dim], "grid")]); // [1, g, g, dim]
    cat = g.op("Reshape", [cells(c, [1, 2]), g.constI64([-1, dim], "shape")]);
  }
  if (featuresL2(entry, l2)) {
    // Mul + ReduceSum, not ReduceSumSquare: the same sums bit for bit, and onnxruntime's ReduceSumSquare kernel took
    // 75 ms for a [9216,1104] map against 22 ms for the pair (head + backbone 303 → 234 ms per 768 crop, interleaved)
    const ss = g.op("ReduceSum", [g.op("Mul", [cat, cat]), g.constI64([1], "axis1")], { keepdims: 1 });
    const norm = g.op("Add", [g.op("Sqrt", [ss]), g.constF32([], [1e-8], "eps")]);
    g.op("Div", [cat, norm], {}, FEATURES_OUTPUT);
  } else {
    g.op("Identity", [cat], {}, FEATURES_OUTPUT);
  }
  return keepGraphOutputs(appendToModel(backboneBytes, {
    node: g.nodes,
    initializer: g.inits,
    input: [valueInfo(FEATURES_CELLS_INPUT, DataType.INT64, [4])],
    output: [valueInfo(FEATURES_OUTPUT, DataType.FLOAT, ["cells", dim])],
  }), [FEATURES_OUTPUT]);
}
