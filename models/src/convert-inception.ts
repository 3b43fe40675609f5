// Converts nsfwjs@4.3.0's `dist/models/inception_v3` (Keras layers model: InceptionV3, ImageNet-initialised then
// trained for nsfwjs's five classes; uint8-quantized weights) into an ONNX feature model (opset 17) in pure Node,
// up to the requested `mixedN` blocks. No tfjs at run time.
//
// Every convolution and pooling is padded SAME (upper), also where Keras pads VALID (the stem): a stride-2 VALID
// layer then computes the same values plus one more row and column, and a stride-1 VALID 3×3 the same values shifted
// by one pixel. The grid becomes exactly input ÷ 8 (mixed0–2) and input ÷ 16 (mixed3–7), as MobileNetV2's, so the
// feature head, the map geometry and the heatmaps need nothing of their own for this backbone.
import { join } from "node:path";
import { DataType, dequantizedWeight, encodeModel, node, tensorF32, valueInfo, type NodeProto, type TensorProto, type ValueInfoProto } from "./onnx.ts";
import { loadTfjsModel, nsfwjsRoot, permute } from "./convert-mobilenet.ts";

interface KerasLayer {
  name: string;
  class_name: string;
  config: Record<string, any>;
  inbound_nodes: Array<Array<[string, number, number, Record<string, unknown>]>>;
}
interface KerasModel { modelTopology: { model_config: { config: { layers: KerasLayer[] } } } }

/** Feature outputs: Keras block name → channels and stride (input ÷ grid). */
export const INCEPTION_FEATURE_OUTPUTS: Record<string, { channels: number; stride: number }> = {
  mixed0: { channels: 256, stride: 8 },
  mixed1: { channels: 288, stride: 8 },
  mixed2: { channels: 288, stride: 8 },
  mixed3: { channels: 768, stride: 16 },
  mixed4: { channels: 768, stride: 16 },
  mixed5: { channels: 768, stride: 16 },
  mixed6: { channels: 768, stride: 16 },
  mixed7: { channels: 768, stride: 16 },
};

export function loadInceptionV3(dir = join(nsfwjsRoot(), "dist/models/inception_v3")) {
  const { model, tensors } = loadTfjsModel<KerasModel>(dir);
  return { layers: model.modelTopology.model_config.config.layers, tensors };
}

const pair = (v: unknown, what: string): [number, number] => {
  const a = v as number[];
  if (!Array.isArray(a) || a.length !== 2) throw new Error(`${what}: expected a pair, got ${JSON.stringify(v)}`);
  return [a[0], a[1]];
};

/** The feature graph's nodes, initialisers and outputs for the requested `mixedN` blocks (input tensor "input"). */
export function inceptionV3Graph(outputs: string[], opts: { kerasPadding?: boolean } = {}): { node: NodeProto[]; initializer: TensorProto[]; output: ValueInfoProto[] } {
  // kerasPadding: VALID where Keras pads VALID (grid no longer input ÷ stride): only to compare with tfjs, value for value
  const pad = (l: KerasLayer) => (opts.kerasPadding && l.config.padding === "valid" ? "VALID" : "SAME_UPPER");
  const { layers, tensors } = loadInceptionV3();
  const byName = new Map(layers.map((l) => [l.name, l]));
  const inputsOf = (l: KerasLayer) => (l.inbound_nodes[0] ?? []).map((i) => i[0]);

  const order: KerasLayer[] = [];
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    const l = byName.get(name);
    if (!l) throw new Error(`keras layer not found: ${name}`);
    for (const i of inputsOf(l)) visit(i);
    order.push(l);
  };
  for (const o of outputs) {
    if (!INCEPTION_FEATURE_OUTPUTS[o]) throw new Error(`unknown feature output ${o} (known: ${Object.keys(INCEPTION_FEATURE_OUTPUTS).join(", ")})`);
    visit(o);
  }

  const nodes: NodeProto[] = [];
  const inits: TensorProto[] = [];
  const weight = (name: string) => {
    const t = tensors.get(name);
    if (!t) throw new Error(`weight not found: ${name}`);
    return t;
  };
  const floats = (name: string) => {
    const t = weight(name);
    return Float32Array.from(t.q, (q) => q * t.scale + t.min);
  };
  const ref = (name: string) => (byName.get(name)?.class_name === "InputLayer" ? "input" : name);

  for (const l of order) {
    const c = l.config;
    const ins = inputsOf(l).map(ref);
    const x = ins[0]!;
    switch (l.class_name) {
      case "InputLayer":
        break;
      case "Conv2D": {
        if (c.use_bias || c.activation !== "linear") throw new Error(`${l.name}: only bias-free linear convolutions are supported`);
        const [kh, kw] = pair(c.kernel_size, l.name);
        const [sh, sw] = pair(c.strides, l.name);
        const k = weight(`${l.name}/kernel`);
        const { data, shape } = permute(k.q, k.shape, [3, 2, 0, 1]);
        const w = dequantizedWeight(l.name, `${l.name}/kernel`, shape, data, k.scale, k.min);
        inits.push(...w.initializer);
        nodes.push(
          ...w.node,
          node("Conv", [x, `${l.name}/kernel`], [l.name], { auto_pad: pad(l), kernel_shape: [kh, kw], strides: [sh, sw], dilations: [1, 1], group: 1 }, l.name),
        );
        break;
      }
      case "BatchNormalization": {
        if (c.axis !== 3 && c.axis !== -1) throw new Error(`${l.name}: only channel-axis batch normalisation is supported`);
        const beta = floats(`${l.name}/beta`);
        // scale: false in this model (a ReLU follows); onnxruntime fuses the node into the convolution before it
        const gamma = c.scale ? floats(`${l.name}/gamma`) : new Float32Array(beta.length).fill(1);
        inits.push(
          tensorF32(`${l.name}/gamma`, [beta.length], gamma),
          tensorF32(`${l.name}/beta`, [beta.length], beta),
          tensorF32(`${l.name}/mean`, [beta.length], floats(`${l.name}/moving_mean`)),
          tensorF32(`${l.name}/var`, [beta.length], floats(`${l.name}/moving_variance`)),
        );
        nodes.push(node("BatchNormalization", [x, `${l.name}/gamma`, `${l.name}/beta`, `${l.name}/mean`, `${l.name}/var`], [l.name], { epsilon: { float: c.epsilon ?? 1e-3 } }, l.name));
        break;
      }
      case "Activation":
        if (c.activation !== "relu") throw new Error(`${l.name}: activation ${c.activation} is not supported`);
        nodes.push(node("Relu", [x], [l.name], {}, l.name));
        break;
      case "MaxPooling2D":
      case "AveragePooling2D": {
        const kernel = pair(c.pool_size, l.name);
        const strides = pair(c.strides ?? c.pool_size, l.name);
        const avg = l.class_name === "AveragePooling2D";
        // TensorFlow's SAME average pooling divides by the pixels inside the image
        nodes.push(node(avg ? "AveragePool" : "MaxPool", [x], [l.name], {
          auto_pad: pad(l), kernel_shape: kernel, strides, ...(avg ? { count_include_pad: 0 } : {}),
        }, l.name));
        break;
      }
      case "Concatenate":
        if (c.axis !== 3 && c.axis !== -1) throw new Error(`${l.name}: only channel concatenation is supported`);
        nodes.push(node("Concat", ins, [l.name], { axis: 1 }, l.name));
        break;
      default:
        throw new Error(`${l.name}: layer ${l.class_name} is not needed for the feature model and not supported`);
    }
  }

  const output = outputs.map((o) => {
    const spec = INCEPTION_FEATURE_OUTPUTS[o];
    return valueInfo(o, DataType.FLOAT, ["batch", spec.channels, `h${spec.stride}`, `w${spec.stride}`]);
  });
  return { node: nodes, initializer: inits, output };
}

/** Build the feature model bytes for the requested `mixedN` outputs. Deterministic. */
export function convertInceptionV3Features(outputs: string[] = ["mixed2", "mixed3"], opts: { kerasPadding?: boolean } = {}): Uint8Array {
  const { node: nodes, initializer: inits, output } = inceptionV3Graph(outputs, opts);
  return encodeModel(
    { name: "inception_v3_features", node: nodes, initializer: inits, input: [valueInfo("input", DataType.FLOAT, ["batch", 3, "height", "width"])], output },
    {
      producer: "bdi-models convert-inception",
      metadata: {
        source: "nsfwjs@4.3.0 dist/models/inception_v3 (MIT): InceptionV3, ImageNet-initialised, trained for nsfwjs's classes",
        input: "RGB in [0,1], NCHW (nsfwjs divides by 255)",
      },
    },
  );
}
