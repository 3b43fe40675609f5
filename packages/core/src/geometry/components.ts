// Connected-component labelling of binary images.
import { InvalidInputError } from "../errors.ts";

export interface Components {
  /** 0 = background, 1..count = component id, row-major. */
  labels: Int32Array;
  count: number;
  /** sizes[k] = pixel count of component k (sizes[0] = background pixels). */
  sizes: Int32Array;
}

/** Label the non-zero pixels of a w×h binary image (8-connectivity by default, like scipy's ones((3, 3))). */
export function labelComponents(binary: Uint8Array, w: number, h: number, connectivity: 4 | 8 = 8): Components {
  if (binary.length !== w * h) throw new InvalidInputError(`binary image has ${binary.length} values, expected ${w}×${h}`);
  const labels = new Int32Array(w * h);
  const sizes: number[] = [0];
  let stack = new Int32Array(256);
  let count = 0;
  for (let start = 0; start < binary.length; start++) {
    if (binary[start] === 0 || labels[start] !== 0) continue;
    const id = ++count;
    let size = 0;
    let top = 0;
    labels[start] = id;
    stack[top++] = start;
    while (top > 0) {
      const i = stack[--top]!;
      size++;
      const x = i % w;
      const y = (i - x) / w;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= h) continue;
        for (let dx = -1; dx <= 1; dx++) {
          if (dx === 0 && dy === 0) continue;
          if (connectivity === 4 && dx !== 0 && dy !== 0) continue;
          const xx = x + dx;
          if (xx < 0 || xx >= w) continue;
          const j = yy * w + xx;
          if (binary[j] !== 0 && labels[j] === 0) {
            labels[j] = id;
            if (top === stack.length) {
              const s = new Int32Array(stack.length * 2);
              s.set(stack);
              stack = s;
            }
            stack[top++] = j;
          }
        }
      }
    }
    sizes.push(size);
  }
  let bg = 0;
  for (let i = 0; i < binary.length; i++) if (binary[i] === 0) bg++;
  sizes[0] = bg;
  return { labels, count, sizes: Int32Array.from(sizes) };
}
