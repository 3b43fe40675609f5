// NumPy .npy (format 1.0) writer for float32 maps: `<f4`, C order, header padded to a multiple of 64 bytes.
export function npyFloat32(data: Float32Array, shape: number[]): Buffer {
  if (shape.reduce((a, b) => a * b, 1) !== data.length) throw new Error(`npy: ${data.length} values for shape (${shape})`);
  const shp = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shp}, }`;
  const pre = 10; // magic(6) + version(2) + header length(2)
  const total = Math.ceil((pre + header.length + 1) / 64) * 64;
  header = header.padEnd(total - pre - 1, " ") + "\n";
  const out = Buffer.alloc(total + data.length * 4);
  out.write("\x93NUMPY", 0, "latin1");
  out[6] = 1; out[7] = 0;
  out.writeUInt16LE(header.length, 8);
  out.write(header, pre, "latin1");
  for (let i = 0; i < data.length; i++) out.writeFloatLE(data[i], total + i * 4);
  return out;
}

/** Parse a float32 .npy written by `npyFloat32` (tests / tooling). */
export function readNpyFloat32(buf: Buffer): { shape: number[]; data: Float32Array } {
  if (buf.toString("latin1", 0, 6) !== "\x93NUMPY") throw new Error("not an npy file");
  const hl = buf[6] === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const off = buf[6] === 1 ? 10 : 12;
  const header = buf.toString("latin1", off, off + hl);
  if (!header.includes("'<f4'") || header.includes("'fortran_order': True")) throw new Error(`unsupported npy header ${header}`);
  const shape = (/'shape': \(([^)]*)\)/.exec(header)![1]).split(",").map((s) => s.trim()).filter(Boolean).map(Number);
  const start = off + hl;
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = buf.readFloatLE(start + i * 4);
  return { shape, data };
}
