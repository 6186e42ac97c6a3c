import { CoreError } from '../errors.js';
import { solveFromStarts, type LeastSquaresProblem } from './least-squares.js';
import { sabrVolatility, type SabrParameters } from './sabr.js';
import {
  atTheMoneyVolatility,
  BROKEN_MODEL_RESIDUAL,
  requireSmile,
  type SmileFit,
  type SmileQuote,
} from './smile-quote.js';

export interface CalibrateSabrOptions {
  /** A fixed beta in [0, 1] (default 0.5), or 'fit' to calibrate it with the others. */
  readonly beta?: number | 'fit';
  /** A warm start, typically the previous expiry's parameters; tried before the built-in starts. */
  readonly initial?: SabrParameters;
  /** Solver iterations for the best start (the others get EXPLORE_ITERATIONS). Default 200. */
  readonly maxIterations?: number;
}

export interface SabrCalibration extends SmileFit {
  readonly parameters: SabrParameters;
}

const RHO_LIMIT = 0.9999;
/** Iterations each start gets before the best one is polished. */
const EXPLORE_ITERATIONS = 30;
const NU_MAX = 10;
/** Built-in starts (rho, nu): skew of either sign and none, moderate vol-of-vol; alpha comes from the ATM quote. */
const STARTS: readonly (readonly [number, number])[] = [
  [-0.3, 0.5],
  [0, 0.3],
  [0.3, 0.5],
  [-0.7, 1.5],
];

/**
 * Fits SABR to one expiry's smile by bounded least squares on the volatility errors (docs/numerics.md,
 * "Calibrated surfaces"): from the warm start if given, then from each built-in start, keeping the lowest
 * error (the first one on a tie), so the answer is a pure function of the inputs. Throws CoreError
 * ERR_CORE_INVALID_INPUT (param forward, expiry, quotes or quotes[i].field) for unusable input.
 */
export function calibrateSabr(
  forward: number,
  expiry: number,
  quotes: readonly SmileQuote[],
  options: CalibrateSabrOptions = {},
): SabrCalibration {
  const betaOption = options.beta ?? 0.5;
  const fitBeta = betaOption === 'fit';
  if (!fitBeta && !(betaOption >= 0 && betaOption <= 1)) {
    throw new CoreError('ERR_CORE_INVALID_INPUT', `beta must lie in [0, 1] or be 'fit', got ${betaOption}`, 'beta');
  }
  requireSmile(forward, expiry, quotes, fitBeta ? 4 : 3);
  const fixedBeta = fitBeta ? 0.5 : betaOption;
  const m = quotes.length;
  const strikes = Float64Array.from(quotes, (q) => q.strike);
  const vols = Float64Array.from(quotes, (q) => q.volatility);
  const atm = atTheMoneyVolatility(forward, quotes);
  const alphaFor = (beta: number): number => atm * Math.pow(forward, 1 - beta);
  const alphaMax = Math.max(10, 50 * alphaFor(0));

  const unpack = (p: Float64Array): SabrParameters =>
    fitBeta
      ? { alpha: p[0]!, beta: p[1]!, rho: p[2]!, nu: p[3]! }
      : { alpha: p[0]!, beta: fixedBeta, rho: p[1]!, nu: p[2]! };
  const pack = (s: SabrParameters): number[] => (fitBeta ? [s.alpha, s.beta, s.rho, s.nu] : [s.alpha, s.rho, s.nu]);

  const problem: LeastSquaresProblem = {
    parameterCount: fitBeta ? 4 : 3,
    residualCount: m,
    lower: fitBeta ? [1e-10, 0, -RHO_LIMIT, 0] : [1e-10, -RHO_LIMIT, 0],
    upper: fitBeta ? [alphaMax, 1, RHO_LIMIT, NU_MAX] : [alphaMax, RHO_LIMIT, NU_MAX],
    scale: fitBeta ? [alphaFor(fixedBeta), 0.1, 0.1, 0.1] : [alphaFor(fixedBeta), 0.1, 0.1],
    residuals(p, out) {
      const params = unpack(p);
      for (let i = 0; i < m; i++) {
        const v = sabrVolatility(forward, strikes[i]!, expiry, params);
        out[i] = v > 0 && v < Infinity ? v - vols[i]! : BROKEN_MODEL_RESIDUAL;
      }
    },
  };

  const starts: number[][] = [];
  if (options.initial !== undefined) {
    const warm = options.initial;
    starts.push(pack(fitBeta ? warm : { ...warm, beta: fixedBeta }));
  }
  for (const [rho, nu] of STARTS) starts.push(pack({ alpha: alphaFor(fixedBeta), beta: fixedBeta, rho, nu }));

  const best = solveFromStarts(problem, starts, EXPLORE_ITERATIONS, options.maxIterations ?? 200);
  return {
    parameters: unpack(best.parameters),
    rmse: Math.sqrt(best.cost / m),
    iterations: best.iterations,
    starts: best.starts,
  };
}
