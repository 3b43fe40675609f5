// Squared Euclidean distances between rows of a row-major float32 matrix. The summation order is fixed
// (blocks of 16 dimensions, four interleaved partial sums per block) so that the bounded and unbounded
// variants return bit-identical values whenever the bounded one runs to the end.

/** Squared distance between rows a and b (row length d) of `x`. */
export function sqDistRows(x: Float32Array, a: number, b: number, d: number): number {
  return sqDistRowsBounded(x, a, b, d, Infinity);
}

/**
 * Squared distance between rows a and b, giving up as soon as a partial sum (checked every 16 dimensions)
 * reaches `bound`: the result is then some value ≥ bound (exact when < bound).
 */
export function sqDistRowsBounded(x: Float32Array, a: number, b: number, d: number, bound: number): number {
  let i = a * d;
  let j = b * d;
  const end = i + d;
  const end16 = i + (d & ~15);
  let s = 0;
  while (i < end16) {
    let t0 = x[i]! - x[j]!;
    let t1 = x[i + 1]! - x[j + 1]!;
    let t2 = x[i + 2]! - x[j + 2]!;
    let t3 = x[i + 3]! - x[j + 3]!;
    let s0 = t0 * t0;
    let s1 = t1 * t1;
    let s2 = t2 * t2;
    let s3 = t3 * t3;
    t0 = x[i + 4]! - x[j + 4]!;
    t1 = x[i + 5]! - x[j + 5]!;
    t2 = x[i + 6]! - x[j + 6]!;
    t3 = x[i + 7]! - x[j + 7]!;
    s0 += t0 * t0;
    s1 += t1 * t1;
    s2 += t2 * t2;
    s3 += t3 * t3;
    t0 = x[i + 8]! - x[j + 8]!;
    t1 = x[i + 9]! - x[j + 9]!;
    t2 = x[i + 10]! - x[j + 10]!;
    t3 = x[i + 11]! - x[j + 11]!;
    s0 += t0 * t0;
    s1 += t1 * t1;
    s2 += t2 * t2;
    s3 += t3 * t3;
    t0 = x[i + 12]! - x[j + 12]!;
    t1 = x[i + 13]! - x[j + 13]!;
    t2 = x[i + 14]! - x[j + 14]!;
    t3 = x[i + 15]! - x[j + 15]!;
    s0 += t0 * t0;
    s1 += t1 * t1;
    s2 += t2 * t2;
    s3 += t3 * t3;
    i += 16;
    j += 16;
    s += s0 + s1 + (s2 + s3);
    if (s >= bound) return s;
  }
  let r = 0;
  while (i < end) {
    const t = x[i]! - x[j]!;
    r += t * t;
    i++;
    j++;
  }
  return s + r;
}
