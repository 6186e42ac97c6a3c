/**
 * Test oracle: the standard normal CDF and the bivariate normal CDF by routes that share no code with
 * src/core/math: Phi from the all-positive erf series and the erfc continued fraction (about 2e-15 relative
 * down to Phi(-30); the exponential's rounding limits it beyond), M(x, y, rho) by
 * adaptive quadrature of the conditioning integral. Slow (tens of microseconds per call) and careful.
 */
import { integrate } from './adaptive-quadrature.js';

const SQRT2 = Math.SQRT2;
const SQRT_PI = Math.sqrt(Math.PI);

/** erf(z) = 2/sqrt(pi) exp(-z^2) sum_n 2^n z^(2n+1) / (1*3*...*(2n+1)): every term positive, no cancellation. */
function erfSeries(z: number): number {
  let term = z;
  let sum = z;
  for (let n = 1; n < 500; n++) {
    term *= (2 * z * z) / (2 * n + 1);
    sum += term;
    if (term < 1e-18 * sum) break;
  }
  return (2 / SQRT_PI) * Math.exp(-z * z) * sum;
}

/** erfc(z) for z >= 0.5 by the continued fraction erfc z = exp(-z^2)/sqrt(pi) * 1/(z + 1/2/(z + 1/(z + 3/2/(z + ...)))) (modified Lentz). */
function erfcContinuedFraction(z: number): number {
  const tiny = 1e-300;
  let f = z;
  let c = z;
  let d = 0;
  for (let n = 1; n < 100000; n++) {
    const an = n / 2;
    d = z + an * d;
    d = Math.abs(d) < tiny ? tiny : d;
    c = z + an / c;
    c = Math.abs(c) < tiny ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-17) break;
  }
  return Math.exp(-z * z) / SQRT_PI / f;
}

/** Standard normal CDF. */
export function oraclePhi(x: number): number {
  if (x === Number.POSITIVE_INFINITY) return 1;
  if (x === Number.NEGATIVE_INFINITY) return 0;
  const z = Math.abs(x) / SQRT2;
  // Below 0.5 the series has no cancellation to fear in 1 - erf (erf < 0.53); above it 1 - erf would lose
  // digits, so the tail comes straight from the continued fraction (slow near 0.5, ~700 terms, but exact to
  // ~2e-15 relative).
  if (z < 0.5) {
    const e = erfSeries(z);
    return x >= 0 ? 0.5 * (1 + e) : 0.5 * (1 - e);
  }
  const tail = 0.5 * erfcContinuedFraction(z);
  return x >= 0 ? 1 - tail : tail;
}

function density(t: number): number {
  return Math.exp(-0.5 * t * t) / Math.sqrt(2 * Math.PI);
}

/** M(x, y, rho) = int_{-inf}^{x} phi(t) Phi((y - rho t) / sqrt(1 - rho^2)) dt, with the limits rho = +-1 exact. */
export function oracleBivariateNormal(x: number, y: number, rho: number): number {
  if (rho === 1) return oraclePhi(Math.min(x, y));
  if (rho === -1) return Math.max(0, oraclePhi(x) - oraclePhi(-y));
  if (x === Number.NEGATIVE_INFINITY || y === Number.NEGATIVE_INFINITY) return 0;
  const s = Math.sqrt((1 - rho) * (1 + rho));
  const lower = -40;
  if (x <= lower) return 0;
  const upper = Math.min(x, 40);
  const breaks: number[] = [];
  if (rho !== 0) {
    // The conditional CDF switches from 1 to 0 (or back) over a width ~ s / |rho| around t = y / rho.
    const kink = y / rho;
    const width = s / Math.abs(rho);
    for (const k of [-8, -1, 0, 1, 8]) breaks.push(kink + k * width);
  }
  return integrate((t) => density(t) * oraclePhi((y - rho * t) / s), lower, upper, breaks, 1e-18);
}
