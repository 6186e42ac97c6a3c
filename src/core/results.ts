/**
 * Greeks in the core's raw units: delta and gamma per 1.0 of spot, theta per year (dV/dt, i.e. -dV/dT),
 * vega per 1.00 of volatility, rho per 1.00 of rate. The HTTP layer converts to the v1 display units.
 */
export interface Greeks {
  readonly delta: number;
  readonly gamma: number;
  readonly theta: number;
  readonly vega: number;
  readonly rho: number;
}

/** How a number was obtained: convergence is data, not an exception. */
export interface Diagnostics {
  /** Model name as on the wire, e.g. "black_scholes". */
  readonly model: string;
  readonly converged: boolean;
  /** Iterations (root finders) or tree steps; undefined for closed forms. */
  readonly iterations?: number;
  /** Monte Carlo only: standard error of the price, over antithetic pair averages. */
  readonly standardError?: number;
  /** Monte Carlo only: 95% confidence interval of the price, mean -/+ 1.959963984540054 * standardError. */
  readonly confidenceInterval?: readonly [number, number];
  /**
   * Monte Carlo only: true when the sample could not measure its own error (every pair gave the same discounted
   * payoff, typically no path in the money although the payoff is positive with positive probability). The
   * standardError is then not the sample's 0 but the model bound described in monte-carlo.ts.
   */
  readonly degenerateSample?: boolean;
  /** Monte Carlo only: number of simulated paths (2 per antithetic pair). */
  readonly paths?: number;
}

export interface PriceResult {
  readonly value: number;
  /** null when greeks were not requested. */
  readonly greeks: Greeks | null;
  readonly diagnostics: Diagnostics;
}
