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
 * Price against volatility is one batch too, for European exercise. Volatility is market data (one per batch), but a
 * European price is e^(-rT) Black(F, K, sigma sqrt(T)) with F = S e^((r-q)T), Black homogeneous of degree one in
 * (F, K) and dependent on volatility only through the total sigma sqrt(T). So the value at volatility sigma is read
 * from the contract priced at the form's sigma0 with expiry T' = T (sigma / sigma0)^2 (same total volatility) and
 * strike K' = K e^((r-q)(T'-T)) (same moneyness K / F), times e^(q(T'-T)). Exact for black_scholes (and the models
 * that give European options its value); the trees and Monte Carlo price the transformed contract with their own
 * discretisation or sampling error. An American price depends on r, q and T separately, so no batch can sweep its
 * volatility: that chart is drawn for European exercise only. Every press of Price therefore sends one request
 * per chart, not one per point, and stays far inside RATE_LIMIT_DEFAULT (60 a minute by default). The Monte Carlo convergence chart is one batch of identical contracts: the API
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

/** The longest expiry the API accepts (years): volatilities whose T' would exceed it are left out of the sweep. */
export const MAX_EXPIRY = 50;

/**
 * The sweep's points: each volatility of the grid with the transformed contract's expiry, strike and the factor
 * that turns its price into the price at that volatility. European exercise only (see above).
 */
export function volatilitySweepPoints(request, grid) {
  const sigma0 = request.market_data.volatility;
  const { time_to_expiry: expiry, strike_price: strike } = request.contracts[0];
  const rate = request.market_data.risk_free_rate;
  const dividend = request.market_data.dividend_yield ?? 0;
  return grid
    .map((volatility) => {
      const transformedExpiry = volatility === sigma0 ? expiry : expiry * (volatility / sigma0) ** 2;
      const shift = transformedExpiry - expiry;
      return {
        volatility,
        expiry: transformedExpiry,
        strike: strike * Math.exp((rate - dividend) * shift),
        factor: Math.exp(dividend * shift),
      };
    })
    .filter((point) => point.expiry <= MAX_EXPIRY);
}

/** The batch that prices the volatility sweep: one transformed contract per point, price only, quantity 1. */
export function volatilitySweepRequest(request, points) {
  const contract = request.contracts[0];
  return {
    ...request,
    contracts: points.map((p) => ({ ...contract, quantity: 1, time_to_expiry: p.expiry, strike_price: p.strike })),
    calculate_greeks: false,
  };
}

/** Price at each point's volatility (null where that contract failed). */
export function volatilitySweepCurve(response, points) {
  return response.results.map((result, i) =>
    result.error === null && typeof result.theoretical_price === 'number'
      ? result.theoretical_price * points[i].factor
      : null,
  );
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
