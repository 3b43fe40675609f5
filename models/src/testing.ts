// Test helpers shared by this package's tests and the engine's ("@bdi/models/testing"): small synthetic models.
import { DataType, GraphBuilder, encodeModel, valueInfo } from "./onnx.ts";

/**
 * A small ViT-shaped ONNX with Hugging Face's tensor names (a 14 × 14 patch embedding, a class token, twelve "blocks"
 * of two Adds, a final LayerNormalization): what importDinov2 checks and the feature head reads, without real weights.
 */
export function fakeHfDinov2(): Uint8Array {
  const g = new GraphBuilder("fake");
  const w = new Float32Array(384 * 3 * 14 * 14).map((_, i) => ((i % 13) - 6) / 100);
  const conv = g.op("Conv", ["pixel_values", g.constF32([384, 3, 14, 14], w)], { kernel_shape: [14, 14], strides: [14, 14] });
  const flat = g.op("Reshape", [conv, g.constI64([1, 384, -1])]);
  const tok = g.op("Transpose", [flat], { perm: [0, 2, 1] });
  let x = g.op("Concat", [g.constF32([1, 1, 384], new Float32Array(384)), tok], { axis: 1 }, "/embeddings/Concat_output_0");
  for (let i = 0; i < 12; i++) {
    const a = g.op("Add", [x, g.constF32([384], new Float32Array(384).fill(i / 10))], {}, `/encoder/layer.${i}/Add_output_0`);
    x = g.op("Add", [a, g.constF32([], [0.01])], {}, `/encoder/layer.${i}/Add_1_output_0`);
  }
  g.op("LayerNormalization", [x, g.constF32([384], new Float32Array(384).fill(1)), g.constF32([384], new Float32Array(384))], { axis: -1 }, "last_hidden_state");
  return encodeModel(g.build(
    [valueInfo("pixel_values", DataType.FLOAT, ["batch", 3, "height", "width"])],
    [valueInfo("last_hidden_state", DataType.FLOAT, ["batch", "seq", 384])],
  ));
}
