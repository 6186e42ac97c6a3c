import type { OptionSpec, OptionType } from '../instruments/option-spec.js';
import type { MarketInputs } from '../market/market-inputs.js';
import { millsRatio, normCdf } from '../math/normal.js';
import type { PriceResult } from '../results.js';
import { requireApproximationDomain, requireExercise, requireFiniteResult } from '../validate.js';
import { blackScholesPrice, type PricingOptions } from './black-scholes.js';
import { bumpGreeks } from './bump-greeks.js';

/**
 * Pieces shared by the two Bjerksund-Stensland engines (1993 flat boundary, 2002 two-step boundary).
 * Notation as in the papers and in Haug, "The Complete Guide to Option Pricing Formulas" (2nd ed., 2007,
 * section 3.3): spot S, strike X, cost of carry b = r - q, and everything for a call; puts go through the
 * put-call transformation P(S, X, T, r, b, sigma) = C(X, S, T, r - b, -b, sigma).
 */

/** ln(sqrt(2 pi)) */
const LOG_SQRT_2PI = 0.9189385332046728;

/**
 * exp(logFactor) * Phi(d) without overflow or underflow in the intermediate factors: Bjerksund-Stensland
 * terms multiply powers like (I/S)^kappa, huge when sigma is small, by normal probabilities far in the tail.
 * In the tail Phi(d) = phi(d) R(-d) (Mills ratio), so the exponents are added before exponentiating.
 */
export function expTimesNormCdf(logFactor: number, d: number): number {
  // The usual case: both factors representable, and normCdf keeps full relative accuracy down to -37.
  if (logFactor < 700 && d > -37) return Math.exp(logFactor) * normCdf(d);
  if (Number.isNaN(d) || d === Number.NEGATIVE_INFINITY) return Number.isNaN(d) ? Number.NaN : 0;
  if (d > -37) return Math.exp(logFactor) * normCdf(d); // a genuine overflow: the caller sees Infinity
  return Math.exp(logFactor - 0.5 * d * d - LOG_SQRT_2PI) * millsRatio(-d);
}

/**
 * Bjerksund-Stensland's phi(S, T, gamma, H, I) divided by S^gamma (the caller combines S^gamma with its own
 * power of S in log form), times exp(logScale):
 *   exp(lambda T) [ N(d) - (I/S)^kappa N(d - 2 ln(I/S) / (sigma sqrt(T))) ],
 *   lambda = -r + gamma b + gamma (gamma - 1) sigma^2 / 2,
 *   d = -(ln(S/H) + (b + (gamma - 1/2) sigma^2) T) / (sigma sqrt(T)),
 *   kappa = 2 b / sigma^2 + 2 gamma - 1.
 * The arguments are the totals over the period: rT = r T, bT = b T, variance = sigma^2 T.
 */
export function phiScaled(
  logScale: number,
  S: number,
  gamma: number,
  H: number,
  I: number,
  rT: number,
  bT: number,
  variance: number,
  stdDev: number,
): number {
  const lambda = -rT + gamma * bT + 0.5 * gamma * (gamma - 1) * variance;
  const d = -(Math.log(S / H) + bT + (gamma - 0.5) * variance) / stdDev;
  const kappa = (2 * bT) / variance + 2 * gamma - 1;
  const logIS = Math.log(I / S);
  return (
    expTimesNormCdf(logScale + lambda, d) - expTimesNormCdf(logScale + lambda + kappa * logIS, d - (2 * logIS) / stdDev)
  );
}

/**
 * Where the trigger price lies this many standard deviations above the forward, the chance of reaching it
 * is below Phi(-12.5) ~ 4e-36 and the early-exercise premium is invisible in a double: the European value
 * is returned (QuantLib's later engine makes the same cut, "run away exercise boundary"). It also keeps
 * the formula away from the tiny-sigma region where its factors overflow.
 */
export const RUNAWAY_BOUNDARY_STD_DEVS = 12.5;

/** Set when the method failed (outside its domain, or not evaluable in doubles) and a fallback value was returned. */
export interface FormulaStatus {
  formulaFailed: boolean;
}

/**
 * The approximations value a feasible (not optimal) exercise strategy, so they are lower bounds of the
 * American value, and so are the European value and the intrinsic value: the largest of the three is
 * returned. `american` is -Infinity where the European value is the answer (runaway boundary) and NaN or
 * +Infinity where the method failed (trigger below the strike, no finite perpetual boundary with r < 0, or a
 * broken evaluation): the fallback can then be far below the American value, which is reported through `status`.
 */
export function floorAmericanValue(
  american: number,
  european: number,
  intrinsic: number,
  status?: FormulaStatus,
): number {
  if (Number.isNaN(american) || american === Number.POSITIVE_INFINITY) {
    if (status !== undefined) status.formulaFailed = true;
    return Math.max(european, intrinsic);
  }
  return Math.max(american, european, intrinsic);
}

/** A Bjerksund-Stensland call formula before the floors (the 1993 flat boundary or the 2002 two-step one). */
export type BoundaryCallFormula = (
  S: number,
  X: number,
  T: number,
  sigma: number,
  r: number,
  q: number,
  generalOnly: boolean,
) => number;

/**
 * The American value by a Bjerksund-Stensland call formula, for any option type: puts through the put-call
 * transformation P(S, X, T, r, b, sigma) = C(X, S, T, r - b, -b, sigma) (spot and strike swap, and so do the rate
 * and the dividend yield: r - b = q, -b = q - r); a call with q <= 0 and r >= 0 is never exercised early (with
 * r < 0 paying the strike early pays); never below the European or intrinsic value (floorAmericanValue).
 */
export function bjerksundStenslandAmericanPrice(
  callFormula: BoundaryCallFormula,
  type: OptionType,
  spot: number,
  strike: number,
  expiry: number,
  volatility: number,
  rate: number,
  dividendYield: number,
  status?: FormulaStatus,
): number {
  const european = blackScholesPrice(type, spot, strike, expiry, volatility, rate, dividendYield);
  const isCall = type === 'call';
  const S = isCall ? spot : strike;
  const X = isCall ? strike : spot;
  const r = isCall ? rate : dividendYield;
  const q = isCall ? dividendYield : rate;
  const intrinsic = Math.max(S - X, 0);
  if (q <= 0 && r >= 0) return Math.max(european, intrinsic);
  return floorAmericanValue(callFormula(S, X, expiry, volatility, r, q, false), european, intrinsic, status);
}

/** The engine shared by both Bjerksund-Stensland models: validation, the value, bumped greeks, diagnostics. */
export function priceWithBoundaryFormula(
  model: string,
  price: (
    type: OptionType,
    spot: number,
    strike: number,
    expiry: number,
    volatility: number,
    rate: number,
    dividendYield: number,
    status?: FormulaStatus,
  ) => number,
  option: OptionSpec,
  market: MarketInputs,
  options?: PricingOptions,
): PriceResult {
  requireApproximationDomain(option, market);
  requireExercise(option, ['american'], model);
  const status: FormulaStatus = { formulaFailed: false };
  const value = price(
    option.type,
    market.spot,
    option.strike,
    option.expiry,
    market.volatility,
    market.rate,
    market.dividendYield,
    status,
  );
  const greeks =
    options?.greeks === false
      ? null
      : bumpGreeks(
          (o, m) => price(o.type, m.spot, o.strike, o.expiry, m.volatility, m.rate, m.dividendYield),
          option,
          market,
          value,
        );
  return requireFiniteResult({ value, greeks, diagnostics: { model, converged: !status.formulaFailed } }, model);
}
