/**
 * The exercise region of one Longstaff-Schwartz date as intervals of the log-return ln(S / S_0), so that the pricing
 * pass decides a path by comparing its log-return with at most five numbers instead of computing S = S_0 e^(...)
 * and the continuation polynomial (docs/numerics.md, "Longstaff-Schwartz").
 *
 * The rule exercises an in-the-money path when g(u) = P (1 - x) - C(u) >= 0, where x = S / K, u = (x - center)
 * scale, C(u) = sum_k c_k u^k (degree <= 5) and P = K side e^{-r t_j}. g is a polynomial of degree <= 5 in u: its
 * real roots in a range of u are found exactly enough by recursion on the derivatives (between consecutive roots
 * of g' the polynomial g is monotone, so each sign change there is one root, located by bisection down to adjacent
 * doubles), mapped to log-returns, and the sign of g is recorded on each interval between them. The decision then
 * differs from evaluating the rule directly only for a path within rounding of a root.
 */

export const MAX_BOUNDARIES = 5;

/** g(u) for coefficients g[0 .. degree] by Horner's scheme. */
function evaluate(g: Float64Array, degree: number, u: number): number {
  let sum = 0;
  for (let k = degree; k >= 0; k--) sum = sum * u + g[k]!;
  return sum;
}

/** A root of g in [a, b] where g(a) and g(b) differ in sign (or one is 0): bisection to adjacent doubles. */
function bisect(g: Float64Array, degree: number, a: number, b: number): number {
  let ga = evaluate(g, degree, a);
  if (ga === 0) return a;
  if (evaluate(g, degree, b) === 0) return b;
  for (;;) {
    const mid = 0.5 * a + 0.5 * b;
    if (mid <= a || mid >= b) return a;
    const gm = evaluate(g, degree, mid);
    if (gm === 0) return mid;
    if (gm < 0 === ga < 0) {
      a = mid;
      ga = gm;
    } else {
      b = mid;
    }
  }
}

/**
 * The distinct real roots of g (degree <= 5, coefficients g[0 .. degree]) strictly inside (low, high), ascending,
 * written to out; returns how many. `scratch` holds the derivatives (6 x 6).
 */
export function polynomialRoots(
  g: Float64Array,
  degree: number,
  low: number,
  high: number,
  out: Float64Array,
  scratch: Float64Array,
): number {
  let d = degree;
  while (d > 0 && g[d] === 0) d--;
  if (d === 0) return 0;
  if (d === 1) {
    const root = -g[0]! / g[1]!;
    if (root > low && root < high) {
      out[0] = root;
      return 1;
    }
    return 0;
  }
  // The derivative's roots split (low, high) into monotone pieces.
  const derivative = scratch.subarray(0, 6);
  for (let k = 1; k <= d; k++) derivative[k - 1] = k * g[k]!;
  const critical = new Float64Array(6);
  const count = polynomialRoots(derivative, d - 1, low, high, critical, scratch.subarray(6));
  let found = 0;
  let a = low;
  for (let i = 0; i <= count; i++) {
    const b = i < count ? critical[i]! : high;
    const ga = evaluate(g, d, a);
    const gb = evaluate(g, d, b);
    if ((ga < 0 && gb > 0) || (ga > 0 && gb < 0)) {
      const root = bisect(g, d, a, b);
      if (root > low && root < high && (found === 0 || root > out[found - 1]!)) out[found++] = root;
    } else if (gb === 0 && b > low && b < high && (found === 0 || b > out[found - 1]!)) {
      out[found++] = b;
    }
    a = b;
  }
  return found;
}

/**
 * The exercise region of one date over the in-the-money log-returns between lowLog and highLog (both finite;
 * outside them the caller evaluates the rule directly). Writes the ascending boundaries to
 * boundaries[at .. at + MAX_BOUNDARIES - 1] (+Infinity where unused) and, for n = 0 .. MAX_BOUNDARIES, whether the
 * interval above exactly n boundaries is exercised to exercise[at6 + n].
 */
export function exerciseBoundaries(
  coefficients: Float64Array,
  coefficientsAt: number,
  degree: number,
  center: number,
  scale: number,
  payoffScale: number,
  spotOverStrike: number,
  lowLog: number,
  highLog: number,
  boundaries: Float64Array,
  at: number,
  exercise: Uint8Array,
  at6: number,
  logOf: (x: number) => number,
  expOf: (x: number) => number,
): void {
  // g(u) = P (1 - center - u / scale) - C(u).
  const g = new Float64Array(6);
  for (let k = 0; k <= degree; k++) g[k] = -coefficients[coefficientsAt + k]!;
  g[0] = g[0]! + payoffScale * (1 - center);
  g[1] = g[1]! - payoffScale / scale;
  const uLow = (spotOverStrike * expOf(lowLog) - center) * scale;
  const uHigh = (spotOverStrike * expOf(highLog) - center) * scale;
  const roots = new Float64Array(6);
  const count = Math.min(MAX_BOUNDARIES, polynomialRoots(g, degree, uLow, uHigh, roots, new Float64Array(36)));
  const edges = [uLow];
  for (let i = 0; i < count; i++) edges.push(roots[i]!);
  edges.push(uHigh);
  for (let n = 0; n <= MAX_BOUNDARIES; n++) {
    if (n <= count) {
      const mid = 0.5 * edges[n]! + 0.5 * edges[n + 1]!;
      exercise[at6 + n] = evaluate(g, degree, mid) >= 0 ? 1 : 0;
    } else {
      exercise[at6 + n] = 0;
    }
  }
  for (let i = 0; i < MAX_BOUNDARIES; i++) {
    boundaries[at + i] = i < count ? logOf((center + roots[i]! / scale) / spotOverStrike) : Infinity;
  }
}
