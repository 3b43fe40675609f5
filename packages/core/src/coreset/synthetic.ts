// Deterministic synthetic point sets for k-center tests and benchmarks.
import { randomNormal, seededRandom } from "../math/random.ts";

/** n×d i.i.d. standard normal (the worst case for any pruning: no low-dimensional structure). */
export function gaussianPoints(n: number, d: number, seed: number): Float32Array {
  const r = seededRandom(seed);
  const x = new Float32Array(n * d);
  for (let i = 0; i < x.length; i++) x[i] = randomNormal(r);
  return x;
}

/**
 * n×d points shaped like projected patch features: K clusters, each a random q-dimensional linear patch plus
 * small isotropic noise, rows L2-normalised.
 */
export function clusteredPoints(n: number, d: number, seed: number, K = 64, q = 8, noise = 0.05): Float32Array {
  const r = seededRandom(seed);
  const centres = gaussianPoints(K, d, seed + 1);
  const bases = gaussianPoints(K * q, d, seed + 2);
  const x = new Float32Array(n * d);
  const z = new Float64Array(q);
  for (let i = 0; i < n; i++) {
    const k = Math.min(K - 1, Math.floor(r() * K));
    for (let t = 0; t < q; t++) z[t] = randomNormal(r) * 0.15;
    let nn = 0;
    const o = i * d;
    for (let j = 0; j < d; j++) {
      let v = centres[k * d + j]!;
      for (let t = 0; t < q; t++) v += z[t]! * bases[(k * q + t) * d + j]!;
      v += noise * randomNormal(r);
      x[o + j] = v;
      nn += v * v;
    }
    nn = Math.sqrt(nn);
    for (let j = 0; j < d; j++) x[o + j] = x[o + j]! / nn;
  }
  return x;
}
