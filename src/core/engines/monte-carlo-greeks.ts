/**
 * Per-path greek estimators of a European vanilla under geometric Brownian motion, in the core's raw units
 * (results.ts). For one path with normal Z, S_T = F e^{sigma sqrt(T) Z}, discount D = e^{-rT}, payoff slope
 * w = f'(S_T) (1 / -1 in the money for a call / put, else 0):
 * - delta, pathwise: D w S_T / S (Broadie and Glasserman, "Estimating security price derivatives using
 *   simulation", Management Science 42, 1996);
 * - vega, pathwise: D w S_T (sqrt(T) Z - sigma T);
 * - rho, pathwise including the discount factor: T (D w S_T - D f);
 * - theta, pathwise in the expiry: -d(D f)/dT = r D f - D w S_T (r - q - sigma^2/2 + sigma Z / (2 sqrt T));
 * - gamma, likelihood ratio applied to the pathwise delta (Glasserman, "Monte Carlo Methods in Financial
 *   Engineering", 2004, section 7.3): D w S_T (Z / (sigma sqrt T) - 1) / S^2. Its variance grows like
 *   1 / (sigma^2 T), so below GAMMA_LR_MIN_TOTAL_VOLATILITY the estimator switches to a central difference of
 *   the pathwise delta at S (1 +- h) on the same normals (common random numbers): D S_T / S (w(S_T (1 + h)) -
 *   w(S_T (1 - h))) / (2 h S), with h = GAMMA_FD_RELATIVE_BUMP sigma sqrt(T).
 * Every estimator is an average of i.i.d. per-path (or per-pair) samples, so each greek carries the standard
 * error of its own sample, and the result records which method produced it.
 */

export type GreekMethod = 'pathwise' | 'likelihood-ratio-pathwise' | 'finite-difference-crn';

export interface GreekMethods {
  readonly delta: GreekMethod;
  readonly gamma: GreekMethod;
  readonly theta: GreekMethod;
  readonly vega: GreekMethod;
  readonly rho: GreekMethod;
}

/** Below this sigma sqrt(T) the likelihood-ratio gamma's variance (~ 1 / (sigma^2 T)) makes it unusable. */
export const GAMMA_LR_MIN_TOTAL_VOLATILITY = 0.05;
/** Relative spot bump of the finite-difference gamma, in units of sigma sqrt(T): bias ~ (h / 4)^2 relative. */
export const GAMMA_FD_RELATIVE_BUMP = 0.25;

export function greekMethodsFor(totalVolatility: number): GreekMethods {
  return {
    delta: 'pathwise',
    gamma: totalVolatility < GAMMA_LR_MIN_TOTAL_VOLATILITY ? 'finite-difference-crn' : 'likelihood-ratio-pathwise',
    theta: 'pathwise',
    vega: 'pathwise',
    rho: 'pathwise',
  };
}

/** Constants of one contract the per-path samples need. */
export interface PathGreekContext {
  readonly isCall: boolean;
  readonly spot: number;
  readonly strike: number;
  readonly expiry: number;
  readonly volatility: number;
  readonly rate: number;
  readonly dividendYield: number;
  readonly discount: number;
  readonly totalVolatility: number;
  readonly finiteDifferenceGamma: boolean;
  /** Relative spot bump h of the finite-difference gamma. */
  readonly gammaBump: number;
}

/** Greek samples of one path, in the order delta, gamma, theta, vega, rho, added (times `weight`) into out. */
export function addPathGreeks(
  context: PathGreekContext,
  terminal: number,
  z: number,
  payoff: number,
  weight: number,
  out: Float64Array,
  offset: number,
  stride: number,
): void {
  const { isCall, spot, strike, expiry, volatility, rate, dividendYield, discount, totalVolatility } = context;
  const slope = isCall ? (terminal > strike ? 1 : 0) : terminal < strike ? -1 : 0;
  const slopeTerm = discount * slope * terminal;
  const sqrtExpiry = Math.sqrt(expiry);
  let gamma: number;
  if (context.finiteDifferenceGamma) {
    const h = context.gammaBump;
    const up = terminal * (1 + h);
    const down = terminal * (1 - h);
    const slopeUp = isCall ? (up > strike ? 1 : 0) : up < strike ? -1 : 0;
    const slopeDown = isCall ? (down > strike ? 1 : 0) : down < strike ? -1 : 0;
    gamma = (((discount * terminal) / spot) * (slopeUp - slopeDown)) / (2 * h * spot);
  } else {
    gamma = (slopeTerm * (z / totalVolatility - 1)) / (spot * spot);
  }
  out[offset] = out[offset]! + weight * (slopeTerm / spot);
  out[offset + stride] = out[offset + stride]! + weight * gamma;
  out[offset + 2 * stride] =
    out[offset + 2 * stride]! +
    weight *
      (rate * discount * payoff -
        slopeTerm * (rate - dividendYield - 0.5 * volatility * volatility + (volatility * z) / (2 * sqrtExpiry)));
  out[offset + 3 * stride] = out[offset + 3 * stride]! + weight * slopeTerm * (sqrtExpiry * z - volatility * expiry);
  out[offset + 4 * stride] = out[offset + 4 * stride]! + weight * expiry * (slopeTerm - discount * payoff);
}
