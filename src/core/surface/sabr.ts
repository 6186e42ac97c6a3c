/**
 * SABR implied volatility by Hagan, Kumar, Lesniewski and Woodward's lognormal expansion ("Managing smile
 * risk", Wilmott Magazine, September 2002, equation (2.17a)); docs/numerics.md, "Calibrated surfaces".
 */

export interface SabrParameters {
  /** Volatility of the forward at time 0 (in the units of F^(1 - beta)). */
  readonly alpha: number;
  /** CEV exponent in [0, 1]. */
  readonly beta: number;
  /** Correlation of the forward and its volatility, in (-1, 1). */
  readonly rho: number;
  /** Volatility of volatility, >= 0. */
  readonly nu: number;
}

/** Below this |z| the ratio z / x(z) is taken from its Taylor series: the closed form loses digits to cancellation. */
const SERIES_Z = 1e-5;

/**
 * Black (lognormal) volatility of a European option on `forward` struck at `strike` expiring in `expiry` years,
 * under SABR. Inputs are not validated (calibration calls it in its inner loop): positive forward, strike and
 * alpha, beta in [0, 1], |rho| < 1, nu >= 0. The answer can be negative or NaN far in the wings of extreme
 * parameter sets; that is a property of the expansion, which callers must check where it matters.
 */
export function sabrVolatility(forward: number, strike: number, expiry: number, p: SabrParameters): number {
  const { alpha, beta, rho, nu } = p;
  const oneMinusBeta = 1 - beta;
  const ratio = forward / strike;
  // ln(F/K) as log1p of the exactly rounded relative difference near the money keeps relative accuracy.
  const logM = ratio >= 0.5 && ratio <= 2 ? Math.log1p((forward - strike) / strike) : Math.log(ratio);
  const fkPow = Math.pow(forward * strike, 0.5 * oneMinusBeta); // (FK)^((1-beta)/2)
  const z = (nu / alpha) * fkPow * logM;
  let zOverX: number;
  if (Math.abs(z) < SERIES_Z) {
    zOverX = 1 - 0.5 * rho * z + ((2 - 3 * rho * rho) * z * z) / 12;
  } else {
    const root = Math.sqrt(1 - 2 * rho * z + z * z);
    // x(z) = ln((root + z - rho) / (1 - rho)) = log1p((root - 1 + z) / (1 - rho)), root - 1 formed without cancellation.
    const x = Math.log1p((z + (z * z - 2 * rho * z) / (root + 1)) / (1 - rho));
    zOverX = z / x;
  }
  const c = oneMinusBeta * oneMinusBeta * logM * logM;
  const denominator = fkPow * (1 + c / 24 + (c * c) / 1920);
  const correction =
    1 +
    expiry *
      ((oneMinusBeta * oneMinusBeta * alpha * alpha) / (24 * fkPow * fkPow) +
        (rho * beta * nu * alpha) / (4 * fkPow) +
        ((2 - 3 * rho * rho) * nu * nu) / 24);
  return (alpha / denominator) * zOverX * correction;
}
