// Minimal ONNX protobuf writer (a subset of onnx.proto, field numbers from the official schema).
// Used by the MobileNetV2 converter and by the engine to build small compute graphs (kNN, projections,
// feature heads) without a second protobuf schema. Pure encode: no ONNX runtime dependency here.
import protobuf from "protobufjs";

const SCHEMA = `
syntax = "proto2";
package onnx;
message AttributeProto {
  optional string name = 1;
  optional float f = 2;
  optional int64 i = 3;
  optional bytes s = 4;
  optional TensorProto t = 5;
  repeated float floats = 7;
  repeated int64 ints = 8;
  repeated bytes strings = 9;
  optional int32 type = 20;
}
message ValueInfoProto { optional string name = 1; optional TypeProto type = 2; }
message NodeProto {
  repeated string input = 1;
  repeated string output = 2;
  optional string name = 3;
  optional string op_type = 4;
  repeated AttributeProto attribute = 5;
  optional string domain = 7;
}
message StringStringEntryProto { optional string key = 1; optional string value = 2; }
message OperatorSetIdProto { optional string domain = 1; optional int64 version = 2; }
message ModelProto {
  optional int64 ir_version = 1;
  optional string producer_name = 2;
  optional string producer_version = 3;
  optional GraphProto graph = 7;
  repeated OperatorSetIdProto opset_import = 8;
  repeated StringStringEntryProto metadata_props = 14;
}
message GraphProto {
  repeated NodeProto node = 1;
  optional string name = 2;
  repeated TensorProto initializer = 5;
  repeated ValueInfoProto input = 11;
  repeated ValueInfoProto output = 12;
}
message TensorProto {
  repeated int64 dims = 1;
  optional int32 data_type = 2;
  optional string name = 8;
  optional bytes raw_data = 9;
}
message TypeProto {
  message Tensor { optional int32 elem_type = 1; optional TensorShapeProto shape = 2; }
  optional Tensor tensor_type = 1;
}
message TensorShapeProto {
  message Dimension { optional int64 dim_value = 1; optional string dim_param = 2; }
  repeated Dimension dim = 1;
}
`;

const root = protobuf.parse(SCHEMA, { keepCase: true }).root;
const ModelProtoT = root.lookupType("onnx.ModelProto");

export const DataType = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7 } as const;
export const AttrType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7 } as const;

export interface TensorProto { name: string; dims: number[]; data_type: number; raw_data: Uint8Array }
export interface AttributeProto {
  name: string; type: number; f?: number; i?: number; s?: Uint8Array; t?: TensorProto; floats?: number[]; ints?: number[];
}
export interface NodeProto { input: string[]; output: string[]; name: string; op_type: string; attribute: AttributeProto[]; domain?: string }
export type Dim = number | string;
export interface ValueInfoProto {
  name: string;
  type: { tensor_type: { elem_type: number; shape?: { dim: Array<{ dim_value?: number; dim_param?: string }> } } };
}
export interface GraphProto {
  node: NodeProto[]; name?: string; initializer: TensorProto[]; input: ValueInfoProto[]; output: ValueInfoProto[];
}

export type AttrValue = number | string | number[] | { floats: number[] } | { int: number } | { float: number } | TensorProto;

/** Build an attribute; plain numbers that are integers become INT, others FLOAT; arrays become INTS. */
export function attr(name: string, v: AttrValue): AttributeProto {
  if (typeof v === "string") return { name, type: AttrType.STRING, s: new TextEncoder().encode(v) };
  if (typeof v === "number") return Number.isInteger(v) ? { name, type: AttrType.INT, i: v } : { name, type: AttrType.FLOAT, f: v };
  if (Array.isArray(v)) return { name, type: AttrType.INTS, ints: v };
  if ("floats" in v) return { name, type: AttrType.FLOATS, floats: v.floats };
  if ("int" in v) return { name, type: AttrType.INT, i: v.int };
  if ("float" in v) return { name, type: AttrType.FLOAT, f: v.float };
  return { name, type: AttrType.TENSOR, t: v };
}

/** A node; attrs as a plain object (see `attr`). */
export function node(op: string, inputs: string[], outputs: string[], attrs: Record<string, AttrValue> = {}, name?: string): NodeProto {
  return {
    op_type: op, input: inputs, output: outputs, name: name ?? `${op}_${outputs[0]}`,
    attribute: Object.keys(attrs).map((k) => attr(k, attrs[k])),
  };
}

function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength).slice();
}

export function tensorF32(name: string, dims: number[], data: Float32Array | number[]): TensorProto {
  const f = data instanceof Float32Array ? data : Float32Array.from(data);
  if (f.length !== dims.reduce((a, b) => a * b, 1)) throw new Error(`tensor ${name}: ${f.length} values for dims [${dims}]`);
  return { name, dims, data_type: DataType.FLOAT, raw_data: bytesOf(f) };
}
export function tensorI64(name: string, dims: number[], data: number[] | BigInt64Array): TensorProto {
  const b = data instanceof BigInt64Array ? data : BigInt64Array.from(data.map((x) => BigInt(x)));
  return { name, dims, data_type: DataType.INT64, raw_data: bytesOf(b) };
}
export function tensorU8(name: string, dims: number[], data: Uint8Array): TensorProto {
  return { name, dims, data_type: DataType.UINT8, raw_data: data.slice() };
}

/**
 * A uint8-quantized weight as the converters emit it: the bytes as an initializer and a Cast → Mul(scale) → Add(min)
 * chain to float32 named `out` (onnxruntime folds the chain at load, so the file stays ~4× smaller than float).
 */
export function dequantizedWeight(base: string, out: string, dims: number[], q: Uint8Array, scale: number, min: number): { initializer: TensorProto[]; node: NodeProto[] } {
  return {
    initializer: [tensorU8(`${base}/q`, dims, q), tensorF32(`${base}/scale`, [], [scale]), tensorF32(`${base}/min`, [], [min])],
    node: [
      node("Cast", [`${base}/q`], [`${base}/f`], { to: DataType.FLOAT }, `${base}/cast`),
      node("Mul", [`${base}/f`, `${base}/scale`], [`${base}/scaled`], {}, `${base}/mul`),
      node("Add", [`${base}/scaled`, `${base}/min`], [out], {}, `${base}/dequant`),
    ],
  };
}

export function valueInfo(name: string, elemType: number = DataType.FLOAT, dims?: Dim[]): ValueInfoProto {
  const t: ValueInfoProto["type"]["tensor_type"] = { elem_type: elemType };
  if (dims) t.shape = { dim: dims.map((d) => (typeof d === "number" ? { dim_value: d } : { dim_param: d })) };
  return { name, type: { tensor_type: t } };
}

export interface ModelOptions { opset?: number; irVersion?: number; producer?: string; metadata?: Record<string, string> }

/** Encode a complete model. Deterministic: same input objects give the same bytes. */
export function encodeModel(graph: GraphProto, opts: ModelOptions = {}): Uint8Array {
  const msg = {
    ir_version: opts.irVersion ?? 8,
    producer_name: opts.producer ?? "bdi-models",
    graph,
    opset_import: [{ domain: "", version: opts.opset ?? 17 }],
    metadata_props: Object.entries(opts.metadata ?? {}).map(([key, value]) => ({ key, value })),
  };
  const err = ModelProtoT.verify(msg);
  if (err) throw new Error(`invalid ONNX model message: ${err}`);
  return ModelProtoT.encode(ModelProtoT.fromObject(msg)).finish();
}

/**
 * Extend an existing ONNX file without re-encoding it: protobuf merges a message field that appears twice, so
 * appending `ModelProto{graph:{...}}` adds nodes, initializers and outputs to the original graph
 * (backbones.md §4). Appended nodes may only consume tensors that exist in the original graph or earlier in `extra`.
 */
export function appendToModel(original: Uint8Array, extra: Partial<GraphProto>): Uint8Array {
  const g = { node: extra.node ?? [], initializer: extra.initializer ?? [], input: extra.input ?? [], output: extra.output ?? [] };
  const tail = ModelProtoT.encode(ModelProtoT.fromObject({ graph: g })).finish();
  const out = new Uint8Array(original.length + tail.length);
  out.set(original, 0);
  out.set(tail, original.length);
  return out;
}

/**
 * The model with its graph's outputs cut to `keep`, the rest of its bytes copied as they are (a wire-level pass over
 * ModelProto.graph, field 7, and its outputs, field 12; every graph occurrence, appendToModel's included). onnxruntime
 * runs every node that feeds a graph output whether it is fetched or not, and keeps an Identity that names one: the
 * feature head's session, which fetches only the features, copied the backbone's four raw outputs as well.
 */
export function keepGraphOutputs(model: Uint8Array, keep: readonly string[]): Uint8Array {
  const wanted = new Set(keep);
  const found = new Set<string>();
  const top = fields(model).map((f) => {
    if (f.field !== 7 || f.wire !== 2) return f.raw;
    const parts = fields(f.body!).filter((g) => {
      if (g.field !== 12 || g.wire !== 2) return true;
      const name = fields(g.body!).find((v) => v.field === 1 && v.wire === 2);
      const n = name ? new TextDecoder().decode(name.body!) : "";
      if (wanted.has(n)) found.add(n);
      return wanted.has(n);
    }).map((g) => g.raw);
    return concatBytes([varint((7 << 3) | 2), varint(parts.reduce((a, p) => a + p.length, 0)), ...parts]);
  });
  const missing = keep.filter((n) => !found.has(n));
  if (missing.length) throw new Error(`model has no output ${missing.join(", ")}`);
  return concatBytes(top);
}

interface WireField { field: number; wire: number; raw: Uint8Array; body?: Uint8Array }

/** The top-level fields of a protobuf message, each with its raw bytes (tag included) and a length-delimited body. */
function fields(b: Uint8Array): WireField[] {
  const out: WireField[] = [];
  let pos = 0;
  const readVarint = () => {
    let v = 0, mul = 1, byte: number;
    do {
      if (pos >= b.length) throw new Error("truncated protobuf varint");
      byte = b[pos++]!;
      v += (byte & 0x7f) * mul;
      mul *= 128;
    } while (byte & 0x80);
    return v;
  };
  while (pos < b.length) {
    const start = pos;
    const tag = readVarint();
    const wire = tag & 7, field = Math.floor(tag / 8);
    let body: Uint8Array | undefined;
    if (wire === 0) readVarint();
    else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else if (wire === 2) { const len = readVarint(); body = b.subarray(pos, pos + len); pos += len; }
    else throw new Error(`protobuf wire type ${wire} not supported`);
    if (pos > b.length) throw new Error("truncated protobuf field");
    out.push({ field, wire, raw: b.subarray(start, pos), ...(body ? { body } : {}) });
  }
  return out;
}

function varint(n: number): Uint8Array {
  const out: number[] = [];
  do { let byte = n % 128; n = Math.floor(n / 128); if (n > 0) byte |= 0x80; out.push(byte); } while (n > 0);
  return Uint8Array.from(out);
}

function concatBytes(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

/** Decoded summary of a model (for import checks): inputs/outputs with shapes, node output names, opset. */
export interface ModelSummary {
  irVersion: number; opset: number; producer: string;
  inputs: Array<{ name: string; elemType: number; dims: Dim[] }>;
  outputs: Array<{ name: string; elemType: number; dims: Dim[] }>;
  nodeOutputs: string[]; nodeCount: number;
  metadata: Record<string, string>;
}

/** Decode only what the import check needs (initializer bytes are decoded too, so this costs about the file size in memory). */
export function summarizeModel(bytes: Uint8Array): ModelSummary {
  const decoded: object = ModelProtoT.decode(bytes); // protobufjs messages are untyped: this is the part read here
  const m = decoded as {
    ir_version: unknown; producer_name?: string; opset_import: Array<{ domain?: string; version: unknown }>;
    graph: { node: Array<{ output: string[] }>; input: any[]; output: any[]; initializer: Array<{ name: string }> };
    metadata_props?: Array<{ key: string; value: string }>;
  };
  const inits = new Set(m.graph.initializer.map((t) => t.name));
  const vi = (v: any) => ({
    name: v.name as string,
    elemType: v.type?.tensor_type?.elem_type ?? 0,
    dims: (v.type?.tensor_type?.shape?.dim ?? []).map((d: any) => (d.dim_param ? d.dim_param : Number(d.dim_value ?? 0))),
  });
  const op = m.opset_import.find((o) => !o.domain) ?? m.opset_import[0];
  return {
    irVersion: Number(m.ir_version), opset: Number(op?.version ?? 0), producer: m.producer_name ?? "",
    inputs: m.graph.input.filter((v) => !inits.has(v.name)).map(vi),
    outputs: m.graph.output.map(vi),
    nodeOutputs: m.graph.node.flatMap((n) => n.output),
    nodeCount: m.graph.node.length,
    metadata: Object.fromEntries((m.metadata_props ?? []).map((p) => [p.key, p.value])),
  };
}

/** Small helper to build graphs: collects nodes and initializers with unique names. */
export class GraphBuilder {
  nodes: NodeProto[] = [];
  inits: TensorProto[] = [];
  private n = 0;
  constructor(readonly prefix = "g") {}
  uniq(base: string): string { return `${this.prefix}/${base}_${this.n++}`; }
  constF32(dims: number[], data: Float32Array | number[], base = "c"): string {
    const name = this.uniq(base); this.inits.push(tensorF32(name, dims, data)); return name;
  }
  constI64(data: number[], base = "i", dims: number[] = [data.length]): string {
    const name = this.uniq(base); this.inits.push(tensorI64(name, dims, data)); return name;
  }
  op(op: string, inputs: string[], attrs: Record<string, AttrValue> = {}, out?: string): string {
    const o = out ?? this.uniq(op);
    this.nodes.push(node(op, inputs, [o], attrs, `${o}#node`));
    return o;
  }
  build(inputs: ValueInfoProto[], outputs: ValueInfoProto[], name = "graph"): GraphProto {
    return { node: this.nodes, name, initializer: this.inits, input: inputs, output: outputs };
  }
}
