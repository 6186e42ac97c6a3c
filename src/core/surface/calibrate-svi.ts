import { solveFromStarts, type LeastSquaresProblem } from './least-squares.js';
import {
  atTheMoneyVolatility,
  BROKEN_MODEL_RESIDUAL,
  requireSmile,
  type SmileFit,
  type SmileQuote,
} from './smile-quote.js';
import {
  SVI_MAX_WING_SLOPE,
  sviDensityFactor,
  sviMinimumVariance,
  sviTotalVariance,
  type SviParameters,
} from './svi.js';

export interface CalibrateSviOptions {
  /** A warm start, typically the previous expiry's parameters (a and b are rescaled by the ratio of expiries). */
  readonly initial?: SviParameters & { readonly expiry?: number };
  /** Solver iterations for the best start (the others get EXPLORE_ITERATIONS). Default 200. */
  readonly maxIterations?: number;
}

export interface SviCalibration extends SmileFit {
  readonly parameters: SviParameters;
  /** Gatheral-Jacquier g(k) >= 0 at every point of the check grid (the quoted range and half its width beyond). */
  readonly butterflyFree: boolean;
}

const RHO_LIMIT = 0.9999;
/** Iterations each start gets before the best one is polished. */
const EXPLORE_ITERATIONS = 30;
/**
 * Weight of a violated constraint, in volatility units per unit of violation, at first; a fit that still
 * violates one is re-solved from where it ended with the weight PENALTY_GROWTH times larger, at most
 * PENALTY_ROUNDS times (a penalty method's optimum sits slightly outside the constraint it penalises).
 */
const PENALTY = 10;
const PENALTY_GROWTH = 100;
const PENALTY_ROUNDS = 3;
/** The density condition is imposed as g >= this margin, so the optimum's small overshoot stays on the safe side. */
const DENSITY_MARGIN = 1e-4;
/** Points of the density check grid. */
const GRID_POINTS = 25;
/** Built-in starts (rho, m offset from the lowest quote in k, sigma). */
const STARTS: readonly (readonly [number, number, number])[] = [
  [-0.4, 0, 0.1],
  [0, 0, 0.2],
  [-0.7, 0.05, 0.05],
  [0.3, -0.05, 0.1],
];

/** The log-moneyness grid on which the no-butterfly condition is imposed and checked. */
export function sviCheckGrid(kMin: number, kMax: number): Float64Array {
  const span = Math.max(kMax - kMin, 0.1);
  const lo = kMin - span / 2;
  const step = (2 * span) / (GRID_POINTS - 1);
  return Float64Array.from({ length: GRID_POINTS }, (_, i) => lo + i * step);
}

/**
 * Fits raw SVI to one expiry's smile by bounded least squares on the volatility errors sqrt(w(k)/T) - v, with
 * three constraints as penalty residuals that vanish when met: minimum variance a + b sigma sqrt(1 - rho^2) >= 0,
 * Lee's wing bound b (1 + |rho|) <= 2, and Gatheral-Jacquier's g(k) >= 0 on a grid around the quotes
 * (docs/numerics.md, "Calibrated surfaces"). Several starts, the lowest error kept (first on a tie).
 * Throws CoreError ERR_CORE_INVALID_INPUT for unusable input (at least 5 distinct strikes).
 */
export function calibrateSvi(
  forward: number,
  expiry: number,
  quotes: readonly SmileQuote[],
  options: CalibrateSviOptions = {},
): SviCalibration {
  requireSmile(forward, expiry, quotes, 5);
  const m = quotes.length;
  const ks = Float64Array.from(quotes, (q) => Math.log(q.strike / forward));
  const vols = Float64Array.from(quotes, (q) => q.volatility);
  let kMin = Infinity;
  let kMax = -Infinity;
  let kLow = 0;
  let wMin = Infinity;
  let wMax = 0;
  for (let i = 0; i < m; i++) {
    kMin = Math.min(kMin, ks[i]!);
    kMax = Math.max(kMax, ks[i]!);
    const w = vols[i]! * vols[i]! * expiry;
    wMax = Math.max(wMax, w);
    if (w < wMin) {
      wMin = w;
      kLow = ks[i]!;
    }
  }
  const grid = sviCheckGrid(kMin, kMax);
  const penaltyRows = 2 + grid.length;
  let penalty = PENALTY;
  const unpack = (p: Float64Array): SviParameters => ({ a: p[0]!, b: p[1]!, rho: p[2]!, m: p[3]!, sigma: p[4]! });

  const problem: LeastSquaresProblem = {
    parameterCount: 5,
    residualCount: m + penaltyRows,
    lower: [-1 - wMax, 0, -RHO_LIMIT, kMin - 1, 1e-4],
    upper: [1 + 4 * wMax, SVI_MAX_WING_SLOPE, RHO_LIMIT, kMax + 1, 5],
    scale: [Math.max(wMax, 1e-4), 0.1, 0.1, 0.1, 0.1],
    residuals(p, out) {
      const params = unpack(p);
      for (let i = 0; i < m; i++) {
        const w = sviTotalVariance(ks[i]!, params);
        out[i] = w > 0 && w < Infinity ? Math.sqrt(w / expiry) - vols[i]! : BROKEN_MODEL_RESIDUAL;
      }
      out[m] = penalty * Math.min(0, sviMinimumVariance(params));
      out[m + 1] = penalty * Math.max(0, params.b * (1 + Math.abs(params.rho)) - SVI_MAX_WING_SLOPE);
      for (let j = 0; j < grid.length; j++) {
        const g = sviDensityFactor(grid[j]!, params);
        out[m + 2 + j] = Number.isNaN(g) ? 0 : penalty * Math.min(0, g - DENSITY_MARGIN);
      }
    },
  };

  const starts: number[][] = [];
  if (options.initial !== undefined) {
    const w = options.initial;
    const scale = w.expiry !== undefined && w.expiry > 0 ? expiry / w.expiry : 1;
    starts.push([w.a * scale, w.b * scale, w.rho, w.m, w.sigma]);
  }
  // The vertex of each start sits at the lowest quoted variance; b from the ATM level (a slope of w of about
  // 2 sigma_ATM^2 T per unit k is typical of equity smiles).
  const atm = atTheMoneyVolatility(forward, quotes);
  const b0 = Math.min(Math.max(atm * atm * expiry, 0.01), 1);
  for (const [rho, offset, sigma] of STARTS) {
    const mStart = kLow + offset;
    starts.push([wMin - b0 * sigma * Math.sqrt(1 - rho * rho), b0, rho, mStart, sigma]);
  }

  const maxIterations = options.maxIterations ?? 200;
  let best = solveFromStarts(problem, starts, EXPLORE_ITERATIONS, maxIterations);
  let iterations = best.iterations;
  const tried = best.starts;
  const isButterflyFree = (p: SviParameters): boolean =>
    sviMinimumVariance(p) >= 0 &&
    p.b * (1 + Math.abs(p.rho)) <= SVI_MAX_WING_SLOPE &&
    grid.every((k) => sviDensityFactor(k, p) >= 0);
  for (let round = 0; round < PENALTY_ROUNDS && !isButterflyFree(unpack(best.parameters)); round++) {
    penalty *= PENALTY_GROWTH;
    best = solveFromStarts(problem, [Array.from(best.parameters)], maxIterations, maxIterations);
    iterations += best.iterations;
  }
  const parameters = unpack(best.parameters);
  let quoteCost = 0;
  const residuals = new Float64Array(problem.residualCount);
  problem.residuals(best.parameters, residuals);
  for (let i = 0; i < m; i++) quoteCost += residuals[i]! * residuals[i]!;
  return {
    parameters,
    rmse: Math.sqrt(quoteCost / m),
    iterations,
    starts: tried,
    butterflyFree: isButterflyFree(parameters),
  };
}
