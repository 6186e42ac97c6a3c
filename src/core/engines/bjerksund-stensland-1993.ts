import type { OptionSpec, OptionType } from '../instruments/option-spec.js';
import type { MarketInputs } from '../market/market-inputs.js';
import type { PriceResult } from '../results.js';
import type { Price, Rate, Volatility, YearFraction } from '../types.js';
import type { PricingOptions } from './black-scholes.js';
import { quickNormCdf } from '../math/normal-from-density.js';
import {
  bjerksundStenslandAmericanPrice,
  phiScaled,
  priceWithBoundaryFormula,
  RUNAWAY_BOUNDARY_STD_DEVS,
  type FormulaStatus,
} from './bjerksund-stensland-common.js';

const MODEL = 'bjerksund_stensland_1993';

/**
 * Bjerksund and Stensland (1993), "Closed-form approximation of American options", Scandinavian Journal of
 * Management 9, S87-S99: the value of exercising the first time the spot reaches a flat trigger price I,
 * a lower bound to the American value, with I from the paper's heuristic between B0 = max(X, r/(r-b) X)
 * and the perpetual boundary B_inf. This is the method of QuantLib 1.29's
 * BjerksundStenslandApproximationEngine (ql/pricingengines/vanilla/bjerksundstenslandengine.cpp), and
 * agrees with it to ~1e-15 relative wherever that engine returns a number.
 *
 * American exercise only (European -> ERR_CORE_UNSUPPORTED_EXERCISE, param 'exercise'). Puts by the
 * put-call transformation P(S, X, T, r, b, sigma) = C(X, S, T, r - b, -b, sigma). Where early exercise is
 * never optimal (a call with q <= 0 and r >= 0; a put with r <= 0 and q >= 0) the European Black-Scholes value
 * is returned, as the paper and QuantLib do (their shortcut q <= 0 alone misses that a call pays early
 * exercise when r < 0). Guards QuantLib 1.29 lacks (its later engine has the first two):
 * - if the heuristic trigger falls below the strike (a cost of carry below about -2 sigma / sqrt(T), where
 *   QuantLib 1.29 throws "approximation not applicable"), the flat-boundary strategy is worthless and the
 *   result is the larger of the European value and intrinsic value, both lower bounds of the American value
 *   but possibly far below it, reported with converged: false;
 * - with r < 0 and no finite perpetual boundary (beta <= 1: a call without dividends and r > -sigma^2/2, or
 *   r < 0 with q < 0), likewise;
 * - the result is never below the European value or the intrinsic value.
 * Greeks by bump-and-revalue (bump-greeks.ts).
 */
export function priceBjerksundStensland1993(
  option: OptionSpec,
  market: MarketInputs,
  options?: PricingOptions,
): PriceResult {
  return priceWithBoundaryFormula(MODEL, bjerksundStensland1993Price, option, market, options);
}

/**
 * The American value alone, for callers with validated inputs (implied volatility, benchmarks). If the
 * closed form itself breaks down numerically (a non-finite term, not seen in tests but not excluded for
 * extreme inputs), the larger of the European and intrinsic values is returned and `status.formulaFailed`
 * is set.
 */
export function bjerksundStensland1993Price(
  type: OptionType,
  spot: Price,
  strike: Price,
  expiry: YearFraction,
  volatility: Volatility,
  rate: Rate,
  dividendYield: Rate,
  status?: FormulaStatus,
): Price {
  return bjerksundStenslandAmericanPrice(
    flatBoundaryCall,
    type,
    spot,
    strike,
    expiry,
    volatility,
    rate,
    dividendYield,
    status,
  );
}

/**
 * The 1993 call value for q > 0 or r < 0, before the European and intrinsic floors: -Infinity where the
 * European value is the answer (the trigger runs away, see RUNAWAY_BOUNDARY_STD_DEVS), NaN where the method
 * fails (the trigger falls below the strike, or r < 0 leaves no finite perpetual boundary). Internally the inputs
 * are totals over the life (rT = r T, bT = b T, variance = sigma^2 T), as QuantLib writes them. Two
 * arrangements of the same sum: a fast one when every factor is a representable double and a general one
 * that keeps the factors as logarithms; `generalOnly` forces the latter (exported so the tests can hold the
 * two against each other).
 */
export function flatBoundaryCall(
  S: number,
  X: number,
  T: number,
  sigma: number,
  r: number,
  q: number,
  generalOnly: boolean,
): number {
  const rT = r * T;
  const bT = (r - q) * T;
  const variance = sigma * sigma * T;
  const stdDev = sigma * Math.sqrt(T);
  const bOverV = bT / variance;
  // beta solves sigma^2/2 beta (beta - 1) + b beta - r = 0 (the perpetual call's exponent).
  const beta = 0.5 - bOverV + Math.sqrt((bOverV - 0.5) * (bOverV - 0.5) + (2 * rT) / variance);
  const bInfinity = (beta / (beta - 1)) * X;
  const b0 = Math.max(X, (rT / (rT - bT)) * X);
  const ht = (-(bT + 2 * stdDev) * b0) / (bInfinity - b0);
  const I = b0 - (bInfinity - b0) * Math.expm1(ht);
  // beta <= 1 (or complex, NaN): no finite perpetual boundary for the trigger heuristic to start from. With r >= 0
  // that is q a rounding error above 0, where the European value is the limit; with r < 0 early exercise still
  // pays (without dividends beta = 1 whenever r > -sigma^2/2), so NaN reports the formula as failed.
  if (!(beta > 1)) return rT >= 0 ? Number.NEGATIVE_INFINITY : Number.NaN;
  if (!(I >= X)) return Number.NaN;
  if (S >= I) return S - X;
  if (Math.log(I / S) - bT > RUNAWAY_BOUNDARY_STD_DEVS * stdDev) return Number.NEGATIVE_INFINITY;
  // alpha S^beta = (I - X) (S/I)^beta; with phi's own S^gamma folded in, every power is a ratio below 1.
  const L = Math.log(I / S);
  const logAlphaSBeta = Math.log(I - X) - beta * L;
  const kappa0 = (2 * bT) / variance - 1;
  if (
    !generalOnly &&
    Math.max(Math.abs(kappa0) + 2, Math.abs(kappa0 + beta)) * L + Math.abs(logAlphaSBeta) < SAFE_LOG_FACTOR
  ) {
    return fastFlatBoundary(S, X, rT, bT, variance, stdDev, beta, L, kappa0, logAlphaSBeta);
  }
  return (
    Math.exp(logAlphaSBeta) -
    phiScaled(logAlphaSBeta, S, beta, I, I, rT, bT, variance, stdDev) +
    S * phiScaled(0, S, 1, I, I, rT, bT, variance, stdDev) -
    S * phiScaled(0, S, 1, X, I, rT, bT, variance, stdDev) -
    X * phiScaled(0, S, 0, I, I, rT, bT, variance, stdDev) +
    X * phiScaled(0, S, 0, X, I, rT, bT, variance, stdDev)
  );
}

/** Below this every factor of the formula is evaluated directly (see fastFlatBoundary). */
const SAFE_LOG_FACTOR = 500;

/**
 * The same sum as flatBoundaryCall's general form, for when every factor is a representable double: the
 * exponentials are taken once (e^{lambda} is e^{-qT} for gamma = 1 and e^{-rT} for gamma = 0, and
 * (I/S)^kappa for gamma = 1 is (I/S)^2 times the one for gamma = 0), leaving the ten normal probabilities.
 * L = ln(I/S) > 0 and kappa0 = 2b/sigma^2 - 1.
 */
function fastFlatBoundary(
  S: number,
  X: number,
  rT: number,
  bT: number,
  variance: number,
  stdDev: number,
  beta: number,
  L: number,
  kappa0: number,
  logAlphaSBeta: number,
): number {
  const lnXS = Math.log(X / S);
  const twoLOverSd = (2 * L) / stdDev;
  // d_gamma(H) = (ln(H/S) - bT - (gamma - 1/2) variance) / stdDev and d' = d - 2 L / stdDev.
  const s0 = (bT - 0.5 * variance) / stdDev;
  const s1 = (bT + 0.5 * variance) / stdDev;
  const sBeta = (bT + (beta - 0.5) * variance) / stdDev;
  const dI0 = L / stdDev - s0;
  const dX0 = lnXS / stdDev - s0;
  const dI1 = L / stdDev - s1;
  const dX1 = lnXS / stdDev - s1;
  const dIBeta = L / stdDev - sBeta;

  const pow0 = Math.exp(kappa0 * L); // (I/S)^kappa(0)
  const pow1 = pow0 * Math.exp(2 * L); // (I/S)^kappa(1)
  const discountR = Math.exp(-rT); // e^{lambda(0)}
  const discountQ = Math.exp(bT - rT); // e^{lambda(1)}
  const lambdaBeta = -rT + beta * bT + 0.5 * beta * (beta - 1) * variance; // 0 up to rounding: beta is its root
  const alphaSBeta = Math.exp(logAlphaSBeta);
  // (I - X)(S/I)^beta e^{lambda(beta)} [N(d) - (I/S)^kappa(beta) N(d')], the powers of I/S added as exponents
  // (net (kappa(beta) - beta) L = (kappa0 + beta) L, which the caller bounded).
  const betaTerm =
    alphaSBeta * Math.exp(lambdaBeta) * quickNormCdf(dIBeta) -
    Math.exp(logAlphaSBeta + lambdaBeta + (kappa0 + 2 * beta) * L) * quickNormCdf(dIBeta - twoLOverSd);
  const phi1I = discountQ * (quickNormCdf(dI1) - pow1 * quickNormCdf(dI1 - twoLOverSd));
  const phi1X = discountQ * (quickNormCdf(dX1) - pow1 * quickNormCdf(dX1 - twoLOverSd));
  const phi0I = discountR * (quickNormCdf(dI0) - pow0 * quickNormCdf(dI0 - twoLOverSd));
  const phi0X = discountR * (quickNormCdf(dX0) - pow0 * quickNormCdf(dX0 - twoLOverSd));
  return alphaSBeta - betaTerm + S * (phi1I - phi1X) - X * (phi0I - phi0X);
}
