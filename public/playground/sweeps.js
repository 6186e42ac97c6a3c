/**
 * The requests behind the charts, and the curves read back from their answers. Pure functions: no DOM, no fetch.
 *
 * Price and greeks against spot come from ONE batch request, though a batch shares one market_data (one spot). Every
 * model OPE prices is homogeneous of degree one in (spot, strike): with lambda = S / S0,
 *   V(S, K) = lambda * V(S0, K / lambda),
 * because the underlying is a geometric Brownian motion (trees and Monte Carlo paths scale with S; the bump
 * greeks bump spot by a fraction of it). So the value at spot S is read from the contract struck at K / lambda,
 * priced at the form's spot S0, and the greeks follow by the degree of each: delta is of degree 0, gamma of
 * degree -1, theta, vega and rho of degree 1 (as the price). Volatility is held at the value priced (the form's,
 * or the surface's estimate for this strike and expiry), i.e. a sticky-strike sweep.
 *
 * Price against volatility cannot be one batch (volatility is market data too, and no such scaling exists), so
 * it is a few single requests: eight or nine, since each counts against RATE_LIMIT_DEFAULT (60 a minute by default)
 * and the price is smooth in volatility. The Monte Carlo convergence chart is one batch of identical contracts: the API
 * gives contract i of a batch its own child stream of (seed, i), so they are independent runs of 20,000 paths
 * each, and after k runs the combined estimate is their mean with standard error sqrt(sum se_i^2) / k.
 */

export const SPOT_SWEEP_POINTS = 41;
export const VOLATILITY_SWEEP_POINTS = 8;
export const CONVERGENCE_RUNS = 20;
export const PATHS_PER_RUN = 20_000;
/** Phi^-1(0.975), the z the API uses for its 95% intervals. */
export const Z_95 = 1.959963984540054;
export const GREEKS = Object.freeze(['delta', 'gamma', 'theta', 'vega', 'rho']);

/** Degree of homogeneity in (spot, strike) of each result field. */
const DEGREE = Object.freeze({ theoretical_price: 1, delta: 0, gamma: -1, theta: 1, vega: 1, rho: 1 });

function sortedUnique(values) {
  return [...new Set(values)].sort((a, b) => a - b);
}

/**
 * Spots to chart: log-spaced, wide enough to hold the strike and the current spot with about three standard
 * deviations of the log-price on either side (at least 15%, at most a factor e), and the current spot itself.
 */
export function spotGrid({ spot, strike, volatility, expiry }, points = SPOT_SWEEP_POINTS) {
  const width = Math.min(1, Math.max(0.15, 3 * volatility * Math.sqrt(expiry)));
  const lo = Math.log(Math.min(spot, strike)) - width;
  const hi = Math.log(Math.max(spot, strike)) + width;
  const grid = [];
  for (let i = 0; i < points; i += 1) grid.push(Math.exp(lo + ((hi - lo) * i) / (points - 1)));
  return sortedUnique([...grid, spot]);
}

/** The batch that prices the sweep: the priced request's contract, once per spot, struck at K / lambda, quantity 1. */
export function spotSweepRequest(request, grid) {
  const spot = request.market_data.spot_price;
  const contract = request.contracts[0];
  return {
    ...request,
    contracts: grid.map((s) => ({ ...contract, quantity: 1, strike_price: contract.strike_price / (s / spot) })),
    calculate_greeks: true,
  };
}

function scaled(result, field, lambda) {
  const value = result[field];
  return typeof value === 'number' && result.error === null ? value * lambda ** DEGREE[field] : null;
}

/** Price and greeks at each spot of the grid (null where that contract failed), per option, in the API's units. */
export function spotSweepCurves(response, grid, spot) {
  const curves = { spot: grid, price: [] };
  for (const greek of GREEKS) curves[greek] = [];
  response.results.forEach((result, i) => {
    const lambda = grid[i] / spot;
    curves.price.push(scaled(result, 'theoretical_price', lambda));
    for (const greek of GREEKS) curves[greek].push(scaled(result, greek, lambda));
  });
  return curves;
}

/** Volatilities to chart: from a quarter of the priced one (at least 0.02) to 2.5 times it (at least +0.3, at most 5). */
export function volatilityGrid(volatility, points = VOLATILITY_SWEEP_POINTS) {
  const lo = Math.max(0.02, volatility / 4);
  const hi = Math.min(5, Math.max(volatility * 2.5, volatility + 0.3));
  const grid = [];
  for (let i = 0; i < points; i += 1) grid.push(lo + ((hi - lo) * i) / (points - 1));
  return sortedUnique([...grid, volatility]);
}

/** One single request per volatility, price only, quantity 1. */
export function volatilitySweepRequests(request, grid) {
  return grid.map((volatility) => ({
    ...request,
    contracts: [{ ...request.contracts[0], quantity: 1 }],
    market_data: { ...request.market_data, volatility },
    calculate_greeks: false,
  }));
}

/** `runs` identical contracts in one batch: independent Monte Carlo runs of the child streams (seed, 0..runs-1). */
export function convergenceRequest(request, runs = CONVERGENCE_RUNS) {
  const contract = { ...request.contracts[0], quantity: 1 };
  return { ...request, contracts: Array.from({ length: runs }, () => ({ ...contract })), calculate_greeks: false };
}

/**
 * The running combination of the runs: after k of them, `paths` = 20,000 k, `estimate` = mean of the k prices,
 * `low`/`high` = estimate -/+ z95 sqrt(sum se_i^2) / k. Stops at the first run that failed.
 */
export function convergenceCurve(response) {
  const curve = { paths: [], estimate: [], low: [], high: [] };
  let sum = 0;
  let variance = 0;
  for (const [i, result] of response.results.entries()) {
    if (result.error !== null || typeof result.standard_error !== 'number') break;
    const k = i + 1;
    sum += result.theoretical_price;
    variance += result.standard_error ** 2;
    const estimate = sum / k;
    const half = (Z_95 * Math.sqrt(variance)) / k;
    curve.paths.push(k * PATHS_PER_RUN);
    curve.estimate.push(estimate);
    curve.low.push(estimate - half);
    curve.high.push(estimate + half);
  }
  return curve;
}
