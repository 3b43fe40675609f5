// Python 3's round() (round half to even), used where the legacy backend rounded with round().

/** Python's `round(x)`: nearest integer, ties to even (round(0.5) = 0, round(1.5) = 2, round(-2.5) = -2). */
export function roundHalfEven(x: number): number {
  if (!Number.isFinite(x)) return x;
  const f = Math.floor(x);
  const d = x - f;
  if (d < 0.5) return f;
  if (d > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}
