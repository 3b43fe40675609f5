// Converts nsfwjs@4.3.0's `dist/models/mobilenet_v2_mid` (tfjs graph model, MobileNetV2-1.4 ImageNet backbone,
// uint8-quantized weights) into an ONNX feature model (opset 17) in pure Node. No tfjs at run time.
// Facts (packing, op mapping, node names): shared/reference/backbones.md §2.
import { createRequire } from "node:module";
import { dirname, resolve, join } from "node:path";
import { DataType, dequantizedWeight, encodeModel, node, tensorF32, valueInfo, type NodeProto, type TensorProto } from "./onnx.ts";

const require = createRequire(import.meta.url);
const PREFIX = "StatefulPartitionedCall/sequential/keras_layer/StatefulPartitionedCall/StatefulPartitionedCall/StatefulPartitionedCall/predict/";

/** Graph outputs of the feature model: name → tfjs node (relative to `…/predict/MobilenetV2/`). */
export const MOBILENET_FEATURE_OUTPUTS: Record<string, { node: string; channels: number; stride: number }> = {
  s8: { node: "expanded_conv_5/add", channels: 48, stride: 8 },
  s8_expand: { node: "expanded_conv_6/expand/Relu6", channels: 288, stride: 8 },
  s16: { node: "expanded_conv_12/add", channels: 136, stride: 16 },
  s16_expand: { node: "expanded_conv_13/expand/Relu6", channels: 816, stride: 16 },
};

interface TfNode { name: string; op: string; input?: string[]; attr?: Record<string, any> }
interface TfWeight { name: string; shape: number[]; dtype: string; quantization?: { dtype: string; scale: number; min: number } }

export function nsfwjsRoot(): string {
  return resolve(dirname(require.resolve("nsfwjs")), "../..");
}

/** A tfjs model's uint8-quantized weights, by name (nsfwjs ships every model this way). */
export type QuantizedTensors = Map<string, { shape: number[]; q: Uint8Array; scale: number; min: number }>;

/** Read a tfjs model file (`model.min.js`, a UMD module) and its weight shards (`*.min.js`, base64 strings). */
export function loadTfjsModel<T>(dir: string): { model: T; tensors: QuantizedTensors } {
  const model = require(join(dir, "model.min.js")) as T & { weightsManifest: Array<{ paths: string[]; weights: TfWeight[] }> };
  const chunks: Buffer[] = [];
  const weights: TfWeight[] = [];
  for (const group of model.weightsManifest) {
    for (const p of group.paths) chunks.push(Buffer.from(require(join(dir, `${p}.min.js`)) as string, "base64"));
    weights.push(...group.weights);
  }
  const buf = Buffer.concat(chunks);
  const tensors: QuantizedTensors = new Map();
  let off = 0;
  for (const w of weights) {
    const n = w.shape.reduce((a, b) => a * b, 1);
    if (w.quantization?.dtype !== "uint8") throw new Error(`unsupported weight dtype for ${w.name}`);
    tensors.set(w.name, { shape: w.shape, q: new Uint8Array(buf.buffer, buf.byteOffset + off, n), scale: w.quantization.scale, min: w.quantization.min });
    off += n;
  }
  if (off !== buf.length) throw new Error(`weight buffer size mismatch: used ${off} of ${buf.length} bytes`);
  return { model, tensors };
}

export function loadTfjsGraphModel(dir = join(nsfwjsRoot(), "dist/models/mobilenet_v2_mid")) {
  const { model, tensors } = loadTfjsModel<{ format: string; modelTopology: { node: TfNode[] } }>(dir);
  if (model.format !== "graph-model") throw new Error(`${dir}: not a tfjs graph model`);
  return { nodes: model.modelTopology.node, tensors };
}

/** Transpose a dense tensor (weights from TF's HWIO to ONNX's OIHW). */
export function permute(src: Uint8Array, shape: number[], perm: number[]): { data: Uint8Array; shape: number[] } {
  const outShape = perm.map((p) => shape[p]);
  const inStrides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const out = new Uint8Array(src.length);
  const idx = new Array(outShape.length).fill(0);
  for (let o = 0; o < out.length; o++) {
    let s = 0;
    for (let k = 0; k < perm.length; k++) s += idx[k] * inStrides[perm[k]];
    out[o] = src[s];
    for (let k = outShape.length - 1; k >= 0; k--) { if (++idx[k] < outShape[k]) break; idx[k] = 0; }
  }
  return { data: out, shape: outShape };
}

const short = (n: string) => (n.startsWith(PREFIX) ? n.slice(PREFIX.length) : n);
const b64 = (s: string) => Buffer.from(s, "base64").toString("utf8");

export interface ConvertOptions { outputs?: string[]; quantized?: boolean }

/** Build the feature model bytes. Deterministic. */
export function convertMobilenetV2Features(opts: ConvertOptions = {}): Uint8Array {
  const outputs = opts.outputs ?? Object.keys(MOBILENET_FEATURE_OUTPUTS);
  const quantized = opts.quantized ?? true;
  const { nodes, tensors } = loadTfjsGraphModel();
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const full = (rel: string) => `${PREFIX}MobilenetV2/${rel}`;

  // Collect the nodes needed for the requested outputs, in topological order (DFS post-order, deterministic).
  const order: TfNode[] = [];
  const seen = new Set<string>();
  const visit = (name: string) => {
    const clean = name.replace(/^\^/, "").replace(/:\d+$/, "");
    if (seen.has(clean)) return;
    seen.add(clean);
    const n = byName.get(clean);
    if (!n) throw new Error(`tfjs node not found: ${clean}`);
    for (const i of n.input ?? []) if (!i.startsWith("^")) visit(i);
    order.push(n);
  };
  for (const o of outputs) {
    const spec = MOBILENET_FEATURE_OUTPUTS[o];
    if (!spec) throw new Error(`unknown feature output ${o}`);
    visit(full(spec.node));
  }

  const onnxNodes: NodeProto[] = [];
  const inits: TensorProto[] = [];
  const constName = new Map<string, string>();
  // Emit a weight: optional permutation + reshape; uint8 with Cast→Mul→Add chain (ORT folds it at load).
  const emitWeight = (tfName: string, perm?: number[], reshape?: number[]): string => {
    const key = `${tfName}|${perm ?? ""}|${reshape ?? ""}`;
    const have = constName.get(key);
    if (have) return have;
    const t = tensors.get(tfName);
    if (!t) throw new Error(`weight not found: ${tfName}`);
    let { q: data, shape } = t;
    if (perm) ({ data, shape } = permute(data, shape, perm));
    if (reshape) shape = reshape;
    const name = short(tfName);
    if (shape.length === 0 || !quantized) {
      const f = new Float32Array(data.length);
      for (let i = 0; i < f.length; i++) f[i] = data[i] * t.scale + t.min;
      inits.push(tensorF32(name, shape, f));
    } else {
      const w = dequantizedWeight(name, name, shape, data, t.scale, t.min);
      inits.push(...w.initializer);
      onnxNodes.push(...w.node);
    }
    constName.set(key, name);
    return name;
  };
  const ref = (tfInput: string) => (tfInput === "input" ? "input" : short(tfInput.replace(/:\d+$/, "")));

  for (const n of order) {
    const out = short(n.name);
    const a = n.attr ?? {};
    switch (n.op) {
      case "Placeholder":
      case "Const":
        break; // graph input / weights are emitted where used
      case "Mul":
      case "Sub":
      case "AddV2": {
        const ins = (n.input ?? []).map((i) => (byName.get(i)?.op === "Const" ? emitWeight(i) : ref(i)));
        onnxNodes.push(node(n.op === "AddV2" ? "Add" : n.op, ins, [out], {}, out));
        break;
      }
      case "_FusedConv2D":
      case "FusedDepthwiseConv2dNative": {
        const [x, w, b] = n.input ?? [];
        const fused = (a.fused_ops?.list?.s ?? []).map(b64);
        if (fused[0] !== "BiasAdd") throw new Error(`${n.name}: unsupported fused ops ${fused}`);
        if (b64(a.padding?.s ?? "") !== "SAME") throw new Error(`${n.name}: only SAME padding is supported`);
        const dil = (a.dilations?.list?.i ?? ["1", "1", "1", "1"]).map(Number);
        if (dil.some((d: number) => d !== 1)) throw new Error(`${n.name}: dilation unsupported`);
        const strides = (a.strides?.list?.i ?? ["1", "1", "1", "1"]).map(Number);
        const wt = tensors.get(w)!;
        let wName: string;
        let group = 1;
        const [kh, kw] = wt.shape;
        if (n.op === "_FusedConv2D") {
          wName = emitWeight(w, [3, 2, 0, 1]);
        } else {
          const [, , c, m] = wt.shape;
          wName = emitWeight(w, [2, 3, 0, 1], [c * m, 1, kh, kw]);
          group = c;
        }
        const bName = emitWeight(b);
        const relu6 = fused[1] === "Relu6";
        if (fused.length > 2 || (fused[1] && !relu6)) throw new Error(`${n.name}: unsupported fused ops ${fused}`);
        const convOut = relu6 ? `${out}/conv` : out;
        onnxNodes.push(node("Conv", [ref(x), wName, bName], [convOut], {
          auto_pad: "SAME_UPPER", group, kernel_shape: [kh, kw], strides: [strides[1], strides[2]], dilations: [1, 1],
        }, convOut));
        if (relu6) {
          onnxNodes.push(node("Clip", [convOut, "relu6/min", "relu6/max"], [out], {}, out));
        }
        break;
      }
      default:
        throw new Error(`${n.name}: op ${n.op} is not needed for the feature model and not supported`);
    }
  }
  inits.push(tensorF32("relu6/min", [], [0]), tensorF32("relu6/max", [], [6]));

  // Name the requested outputs.
  const graphOutputs = outputs.map((o) => {
    onnxNodes.push(node("Identity", [short(full(MOBILENET_FEATURE_OUTPUTS[o].node))], [o], {}, `out/${o}`));
    return valueInfo(o, DataType.FLOAT, ["batch", MOBILENET_FEATURE_OUTPUTS[o].channels, `h${MOBILENET_FEATURE_OUTPUTS[o].stride}`, `w${MOBILENET_FEATURE_OUTPUTS[o].stride}`]);
  });
  return encodeModel(
    {
      name: "mobilenet_v2_1.4_mid_features",
      node: onnxNodes,
      initializer: inits,
      input: [valueInfo("input", DataType.FLOAT, ["batch", 3, "height", "width"])],
      output: graphOutputs,
    },
    {
      producer: "bdi-models convert-mobilenet",
      metadata: {
        source: "nsfwjs@4.3.0 dist/models/mobilenet_v2_mid (MIT); weights: TF-Hub MobileNetV2-1.4 ImageNet (Apache-2.0)",
        input: "RGB in [0,1], NCHW; the graph applies x*2-1",
      },
    },
  );
}

// The tfjs model is NHWC; ONNX input is NCHW, which is what Conv expects, so no transpose is needed at the input.
