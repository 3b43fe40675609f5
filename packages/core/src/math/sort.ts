// Fast sorting of float32 values: order-preserving uint32 keys + LSD radix sort (3 passes of 11 bits),
// O(n) and an order of magnitude faster than a comparator sort on millions of pixels.
import { InvalidInputError } from "../errors.ts";

/**
 * Order-preserving uint32 keys of float32 values: a < b ⇔ key(a) < key(b), and −0 and +0 share a key.
 * Values are rounded to float32 first. NaN → InvalidInputError.
 */
export function float32SortKeys(values: ArrayLike<number>): Uint32Array {
  const n = values.length;
  const f = values instanceof Float32Array ? values : Float32Array.from(values);
  const bits = new Uint32Array(f.buffer, f.byteOffset, n);
  const keys = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const v = f[i]!;
    if (v !== v) throw new InvalidInputError(`value at index ${i} is NaN`);
    const b = v === 0 ? 0 : bits[i]!;
    keys[i] = b & 0x80000000 ? ~b >>> 0 : (b | 0x80000000) >>> 0;
  }
  return keys;
}

const BITS = 11;
const RADIX = 1 << BITS;
const MASK = RADIX - 1;

/**
 * One LSD pass's bucket offsets: counts the digit at `shift` of `keys[0, n)` into `count` and turns the counts into
 * start offsets. Returns false when every key has the same digit (the pass would not move anything).
 */
function digitOffsets(keys: Uint32Array, n: number, shift: number, count: Uint32Array): boolean {
  count.fill(0);
  for (let i = 0; i < n; i++) count[(keys[i]! >>> shift) & MASK]!++;
  if (n === 0 || count[(keys[0]! >>> shift) & MASK] === n) return false;
  let sum = 0;
  for (let d = 0; d < RADIX; d++) {
    const c = count[d]!;
    count[d] = sum;
    sum += c;
  }
  return true;
}

/** Sort uint32 keys ascending in place (LSD radix; passes whose digit is constant are skipped). */
export function radixSortUint32(keys: Uint32Array): Uint32Array {
  const n = keys.length;
  let src: Uint32Array = keys;
  let dst: Uint32Array = new Uint32Array(n);
  const count = new Uint32Array(RADIX);
  for (let shift = 0; shift < 32; shift += BITS) {
    if (!digitOffsets(src, n, shift, count)) continue;
    for (let i = 0; i < n; i++) {
      const k = src[i]!;
      dst[count[(k >>> shift) & MASK]!++] = k;
    }
    const t = src;
    src = dst;
    dst = t;
  }
  if (src !== keys) keys.set(src);
  return keys;
}

/**
 * Stable argsort of uint32 keys ascending: returns the permutation (indices) and the keys in sorted order.
 */
export function radixArgsortUint32(keys: Uint32Array): { order: Uint32Array; sortedKeys: Uint32Array } {
  const n = keys.length;
  let k0: Uint32Array = Uint32Array.from(keys);
  let i0: Uint32Array = new Uint32Array(n);
  for (let i = 0; i < n; i++) i0[i] = i;
  let k1: Uint32Array = new Uint32Array(n);
  let i1: Uint32Array = new Uint32Array(n);
  const count = new Uint32Array(RADIX);
  for (let shift = 0; shift < 32; shift += BITS) {
    if (!digitOffsets(k0, n, shift, count)) continue;
    for (let i = 0; i < n; i++) {
      const k = k0[i]!;
      const p = count[(k >>> shift) & MASK]!++;
      k1[p] = k;
      i1[p] = i0[i]!;
    }
    [k0, k1] = [k1, k0];
    [i0, i1] = [i1, i0];
  }
  return { order: i0, sortedKeys: k0 };
}

/** Stable argsort of float32 values ascending (NaN → InvalidInputError). */
export function argsortFloat32(values: ArrayLike<number>): Uint32Array {
  return radixArgsortUint32(float32SortKeys(values)).order;
}
