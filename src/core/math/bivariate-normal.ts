import { CoreError } from '../errors.js';
import { normCdf } from './normal.js';

/**
 * The standard bivariate normal CDF, M(x, y, rho) = P(X <= x, Y <= y) for standard normal X, Y with
 * correlation rho, to about 1e-15 absolute.
 *
 * Method: A. Genz (2004), "Numerical computation of rectangular bivariate and trivariate normal and t
 * probabilities", Statistics and Computing 14, 251-260, which refines Drezner & Wesolowsky (1990):
 * - |rho| < 0.925: Plackett's identity dM/drho = phi2 integrated in theta = asin(rho), where the integrand is
 *   smooth and bell-shaped, by Gauss-Legendre with 6, 12 or 20 points as |rho| grows (< 0.3, < 0.75, else);
 * - |rho| >= 0.925: the integral runs from rho to +-1 instead, in x = sqrt(1 - t^2); the leading terms of
 *   the integrand's expansion near x = 0 (where it is singular) are integrated in closed form and only the
 *   smooth remainder by 20-point Gauss-Legendre.
 * The code is ours; the algorithm and its branch points are Genz's.
 */
export function bivariateNormalCdf(x: number, y: number, rho: number): number {
  if (!(rho >= -1 && rho <= 1)) {
    throw new CoreError('ERR_CORE_INVALID_INPUT', `rho must be a correlation in [-1, 1], got ${String(rho)}`, 'rho');
  }
  if (Number.isNaN(x) || Number.isNaN(y)) return Number.NaN;
  if (x === Number.NEGATIVE_INFINITY || y === Number.NEGATIVE_INFINITY) return 0;
  if (x === Number.POSITIVE_INFINITY) return normCdf(y);
  if (y === Number.POSITIVE_INFINITY) return normCdf(x);
  const absRho = Math.abs(rho);
  if (absRho < HIGH_CORRELATION) {
    const rule = absRho < 0.3 ? GL6 : absRho < 0.75 ? GL12 : GL20;
    return plackettSum(x, y, Math.asin(rho), rule) + normCdf(x) * normCdf(y);
  }
  return highCorrelation(-x, -y, rho);
}

/**
 * M(x, y, rho) for one correlation fixed in advance (|rho| < 0.925), with the sines of the quadrature angles
 * computed once: the same numbers as bivariateNormalCdf(x, y, rho), for callers that evaluate many (x, y)
 * at a constant rho. `points` overrides Genz's choice of rule (6, 12 or 20 by |rho|) when a caller has
 * measured that fewer suffice at its correlation (see plackettIntegralAtCorrelation).
 */
export function bivariateNormalCdfAtCorrelation(rho: number, points?: number): (x: number, y: number) => number {
  if (!(Math.abs(rho) < HIGH_CORRELATION)) {
    return (x: number, y: number) => bivariateNormalCdf(x, y, rho);
  }
  const integral = plackettIntegralAtCorrelation(rho, points);
  return (x: number, y: number): number => {
    if (Number.isNaN(x) || Number.isNaN(y)) return Number.NaN;
    if (x === Number.NEGATIVE_INFINITY || y === Number.NEGATIVE_INFINITY) return 0;
    if (x === Number.POSITIVE_INFINITY) return normCdf(y);
    if (y === Number.POSITIVE_INFINITY) return normCdf(x);
    return integral(x, y) + normCdf(x) * normCdf(y);
  };
}

/**
 * M(x, y, rho) - Phi(x) Phi(y) for a fixed |rho| < 0.925: the Plackett integral alone, by Gauss-Legendre with
 * `points` nodes (default: Genz's 6, 12 or 20 by |rho|), for callers that already hold Phi(x) and Phi(y).
 * Finite x and y only. Terms whose exponent is below -40 (weight times e^-40 < 1e-18) are skipped.
 */
export function plackettIntegralAtCorrelation(rho: number, points?: number): (x: number, y: number) => number {
  const absRho = Math.abs(rho);
  if (!(absRho < HIGH_CORRELATION)) {
    throw new CoreError(
      'ERR_CORE_INVALID_INPUT',
      `the Plackett integral form needs |rho| < ${HIGH_CORRELATION}, got ${String(rho)}`,
      'rho',
    );
  }
  const rule = points === undefined ? (absRho < 0.3 ? GL6 : absRho < 0.75 ? GL12 : GL20) : gaussLegendre(points);
  const asr = Math.asin(rho);
  const n = rule.nodes.length;
  // exp((sn hk - hs) / (1 - sn^2)) = exp(a_i hk - c_i hs) with a_i = sn / (1 - sn^2), c_i = 1 / (1 - sn^2).
  const a = new Float64Array(n);
  const c = new Float64Array(n);
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const sn = Math.sin((asr * (rule.nodes[i]! + 1)) / 2);
    const inv = 1 / (1 - sn * sn);
    a[i] = sn * inv;
    c[i] = inv;
    w[i] = (rule.weights[i]! * asr) / (4 * Math.PI);
  }
  return (x: number, y: number): number => {
    const hk = x * y;
    const hs = (x * x + y * y) / 2;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const exponent = a[i]! * hk - c[i]! * hs;
      if (exponent > -40) sum += w[i]! * Math.exp(exponent);
    }
    return sum;
  };
}

/** Genz switches to the integral from rho to +-1 at this |rho|. */
const HIGH_CORRELATION = 0.925;
const TWO_PI = 2 * Math.PI;
const SQRT_TWO_PI = Math.sqrt(TWO_PI);

interface QuadratureRule {
  readonly nodes: Float64Array;
  readonly weights: Float64Array;
}

/**
 * Gauss-Legendre nodes and weights on [-1, 1], found by Newton's iteration on the Legendre polynomial (three-term
 * recurrence) from the usual cosine guesses; converges to the last bit for these small orders.
 */
function gaussLegendre(n: number): QuadratureRule {
  const nodes = new Float64Array(n);
  const weights = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let z = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let derivative = 0;
    for (let iteration = 0; iteration < 100; iteration++) {
      let p0 = 1;
      let p1 = z;
      for (let j = 2; j <= n; j++) {
        const p2 = ((2 * j - 1) * z * p1 - (j - 1) * p0) / j;
        p0 = p1;
        p1 = p2;
      }
      derivative = (n * (z * p1 - p0)) / (z * z - 1);
      const step = p1 / derivative;
      z -= step;
      if (Math.abs(step) <= 1e-17) break;
    }
    nodes[i] = z;
    weights[i] = 2 / ((1 - z * z) * derivative * derivative);
  }
  return { nodes, weights };
}

const GL6 = gaussLegendre(6);
const GL12 = gaussLegendre(12);
const GL20 = gaussLegendre(20);

/** (1 / 2 pi) * integral over theta in [0, asin rho] of exp(-(x^2 - 2 x y sin theta + y^2) / (2 cos^2 theta)). */
function plackettSum(x: number, y: number, asr: number, rule: QuadratureRule): number {
  const hk = x * y;
  const hs = (x * x + y * y) / 2;
  const nodes = rule.nodes;
  const weights = rule.weights;
  let sum = 0;
  for (let i = 0; i < nodes.length; i++) {
    const sn = Math.sin((asr * (nodes[i]! + 1)) / 2);
    sum += weights[i]! * Math.exp((sn * hk - hs) / (1 - sn * sn));
  }
  return (sum * asr) / (4 * Math.PI);
}

/**
 * Upper orthant P(X > h, Y > k) for |rho| >= 0.925. For rho > 0 it is Phi(-max(h, k)) minus the integral of
 * phi2 from rho to 1; for rho < 0 the reflection Y -> -Y reduces it to the positive case.
 */
function highCorrelation(h: number, k: number, rho: number): number {
  let kk = k;
  let hk = h * k;
  if (rho < 0) {
    kk = -k;
    hk = -hk;
  }
  let bvn = 0;
  if (Math.abs(rho) < 1) {
    const as = (1 - rho) * (1 + rho);
    let a = Math.sqrt(as);
    const bs = (h - kk) * (h - kk);
    const c = (4 - hk) / 8;
    const d = (12 - hk) / 16;
    // Closed form of the integral of exp(-(bs / x^2 + hk) / 2) * (1 + c x^2 + c d x^4) over x in [0, a].
    bvn = a * Math.exp(-(bs / as + hk) / 2) * (1 - (c * (bs - as) * (1 - (d * bs) / 5)) / 3 + (c * d * as * as) / 5);
    if (hk > -160) {
      const b = Math.sqrt(bs);
      bvn -= Math.exp(-hk / 2) * SQRT_TWO_PI * normCdf(-b / a) * b * (1 - (c * bs * (1 - (d * bs) / 5)) / 3);
    }
    // The remainder, smooth on [0, a], by 20-point Gauss-Legendre.
    a /= 2;
    const nodes = GL20.nodes;
    const weights = GL20.weights;
    for (let i = 0; i < nodes.length; i++) {
      const xs = (a * (nodes[i]! + 1)) ** 2;
      const rs = Math.sqrt(1 - xs);
      const exponent = -(bs / xs + hk) / 2;
      if (exponent > -100) {
        bvn +=
          a *
          weights[i]! *
          Math.exp(exponent) *
          (Math.exp((-hk * xs) / (2 * (1 + rs) ** 2)) / rs - (1 + c * xs * (1 + d * xs)));
      }
    }
    bvn = -bvn / TWO_PI;
  }
  if (rho > 0) return bvn + normCdf(-Math.max(h, kk));
  bvn = -bvn;
  if (kk > h) bvn += normCdf(kk) - normCdf(h);
  return bvn;
}
