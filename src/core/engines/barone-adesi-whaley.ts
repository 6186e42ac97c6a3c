import type { OptionSpec } from '../instruments/option-spec.js';
import type { MarketInputs } from '../market/market-inputs.js';
import { normCdfFromDensity, quickNormCdf } from '../math/normal-from-density.js';
import { findRootBrent } from '../math/root-finding.js';
import type { PriceResult } from '../results.js';
import { requireApproximationDomain, requireExercise, requireFiniteResult } from '../validate.js';
import { blackScholesPrice, priceBlackScholes, type PricingOptions } from './black-scholes.js';
import { bumpGreeks } from './bump-greeks.js';

const MODEL = 'barone_adesi_whaley';
const INV_SQRT_2PI = 0.3989422804014327;

/**
 * Stopping rule of the critical-price iteration, |LHS - RHS| / K <= 1e-6: the value in Haug's published
 * code (Haug 1998, ch. 1) and in QuantLib 1.29's BaroneAdesiWhaleyApproximationEngine. The price depends on
 * where the iteration stops (at first order in the critical price's error), so matching QuantLib to 1e-8
 * needs the same seed, the same Newton update and this same rule; with them the two agree to ~1e-14.
 */
export const PUBLISHED_TOLERANCE = 1e-6;
/**
 * The rule used for the greeks: the iteration run to convergence, so that bumped prices are smooth in
 * their inputs. With the published rule the iteration count can change between two bumped inputs, and the
 * price jumps by up to ~1e-6 of the strike; divided by a bump of 1e-5 that would be noise of order 0.1.
 */
export const CONVERGED_TOLERANCE = 1e-13;
/** Newton's method from the published seed converges in a handful of steps; past this, Brent's method takes over. */
const MAX_ITERATIONS = 50;

/**
 * Barone-Adesi and Whaley (1987), "Efficient analytic approximation of American option values", Journal of
 * Finance 42, 301-320: the quadratic approximation of the early-exercise premium, as in Haug (1998) and
 * QuantLib 1.29 (ql/pricingengines/vanilla/baroneadesiwhaleyengine.cpp). For a call,
 *   C = c_BS(S) + A2 (S/S*)^q2 for S < S*, and S - K above the critical price S*,
 * where S* solves S* - K = c_BS(S*) + (1 - e^{-qT} N(d1(S*))) S* / q2 by Newton's method from the
 * published seed; puts are symmetric with q1 < 0. The iteration count is reported in diagnostics.iterations
 * and diagnostics.converged says whether the stopping rule was met within 100 steps.
 *
 * European options get exactly the black_scholes result (diagnostics.model stays 'barone_adesi_whaley').
 * A call with q <= 0 and r >= 0 is never exercised early and gets the Black-Scholes value, as in the paper
 * (with r < 0 paying the strike early pays, so the approximation runs). A put with r < 0 and q >= 0 gets the
 * Black-Scholes value too (early exercise is then never optimal; QuantLib 1.29's iteration fails there with
 * a negative forward); at r = 0 the approximation runs as published (Haug's
 * table has such a row, 4.2294). The value is never below the European value (nor, where no critical price
 * is needed, the intrinsic value); QuantLib's values on our reference rows never are either, beyond
 * rounding. Greeks by bump-and-revalue on the fully converged iteration.
 */
export function priceBaroneAdesiWhaley(
  option: OptionSpec,
  market: MarketInputs,
  options?: PricingOptions,
): PriceResult {
  requireApproximationDomain(option, market);
  requireExercise(option, ['american', 'european'], MODEL);
  if (option.exercise === 'european') {
    const bs = priceBlackScholes(option, market, options);
    return { value: bs.value, greeks: bs.greeks, diagnostics: { model: MODEL, converged: true } };
  }
  const out = new Float64Array(2);
  const value = baroneAdesiWhaleyKernel(
    option.type === 'call',
    market.spot,
    option.strike,
    option.expiry,
    market.volatility,
    market.rate,
    market.dividendYield,
    PUBLISHED_TOLERANCE,
    out,
  );
  const iterations = out[0]!;
  const converged = out[1] === 1;
  const greeks =
    options?.greeks === false
      ? null
      : bumpGreeks(
          (o, m) =>
            baroneAdesiWhaleyKernel(
              o.type === 'call',
              m.spot,
              o.strike,
              o.expiry,
              m.volatility,
              m.rate,
              m.dividendYield,
              CONVERGED_TOLERANCE,
              null,
            ),
          option,
          market,
        );
  const diagnostics = Number.isNaN(iterations) ? { model: MODEL, converged } : { model: MODEL, converged, iterations };
  return requireFiniteResult({ value, greeks, diagnostics }, MODEL);
}

/**
 * The American value by Barone-Adesi-Whaley, for validated inputs, stopping the critical-price iteration at
 * |LHS - RHS| / K <= tolerance. When `out` is given, out[0] receives the number of Newton updates (NaN when
 * no critical price was needed) and out[1] is 1 if the stopping rule was met, else 0.
 */
export function baroneAdesiWhaleyKernel(
  isCall: boolean,
  S: number,
  K: number,
  T: number,
  sigma: number,
  r: number,
  q: number,
  tolerance: number,
  out: Float64Array | null,
): number {
  const type = isCall ? 'call' : 'put';
  if ((isCall && q <= 0 && r >= 0) || (!isCall && r < 0 && q >= 0))
    return europeanValue(isCall, S, K, T, sigma, r, q, out);
  const variance = sigma * sigma * T;
  const stdDev = Math.sqrt(variance);
  const rT = r * T;
  const bT = (r - q) * T;
  const dq = Math.exp(-q * T);
  // n = 2b/sigma^2 and m = 2r/sigma^2 in the paper; k = m / (1 - e^{-rT}) = (2 / (sigma^2 T)) rT / (1 - e^{-rT}).
  // The ratio rT / (1 - e^{-rT}) is formed before scaling: variance * (1 - e^{-rT}) underflows to 0 for a
  // subnormal r. Below 1e-8 its series 1 + rT/2 is exact in doubles, and it is continuous through r = 0.
  const n = (2 * bT) / variance;
  const m = (2 * rT) / variance;
  const k = (2 / variance) * (Math.abs(rT) < 1e-8 ? 1 + rT / 2 : rT / -Math.expm1(-rT));
  const nm1 = n - 1;

  // Seed: the perpetual critical price Su (exponent from m), pulled toward K by h (Haug 1998; QuantLib).
  let Si: number;
  let Q: number;
  if (isCall) {
    const qu = (-nm1 + Math.sqrt(nm1 * nm1 + 4 * m)) / 2;
    const Su = K / (1 - 1 / qu);
    const h = (-(bT + 2 * stdDev) * K) / (Su - K);
    Si = K + (Su - K) * (1 - Math.exp(h));
    Q = (-nm1 + Math.sqrt(nm1 * nm1 + 4 * k)) / 2;
    // With q a rounding error above 0 the perpetual critical price overflows: no exercise region at all.
    if (!Number.isFinite(Si)) return europeanValue(isCall, S, K, T, sigma, r, q, out);
  } else {
    const qu = (-nm1 - Math.sqrt(nm1 * nm1 + 4 * m)) / 2;
    const Su = K / (1 - 1 / qu);
    const h = ((bT - 2 * stdDev) * K) / (K - Su);
    Si = Su + (K - Su) * Math.exp(h);
    Q = (-nm1 - Math.sqrt(nm1 * nm1 + 4 * k)) / 2;
  }

  // Newton's method on LHS(Si) = RHS(Si), with bi the slope of RHS, exactly as published: the residual is
  // tested before each update, so `iterations` counts updates.
  let iterations = 0;
  let converged = false;
  const dr = Math.exp(-rT);
  for (;;) {
    // The Black-Scholes value at Si written out, sharing N(d1) and the density with the update: the critical
    // price lies on the in-the-money side (Si > K for a call, Si < K for a put), where this difference does
    // not cancel. One exponential serves both densities, since F phi(d1) = K phi(d2) with F = Si dq / dr.
    const d1 = (Math.log(Si / K) + bT + 0.5 * variance) / stdDev;
    const d2 = d1 - stdDev;
    const pdf1 = INV_SQRT_2PI * Math.exp(-0.5 * d1 * d1);
    const pdf2 = (pdf1 * Si * dq) / (K * dr);
    let residual: number;
    let next: number;
    if (isCall) {
      const nd1 = normCdfFromDensity(d1, pdf1);
      const bs = dq * Si * nd1 - dr * K * normCdfFromDensity(d2, pdf2);
      const rhs = bs + ((1 - dq * nd1) * Si) / Q;
      const bi = dq * nd1 * (1 - 1 / Q) + (1 - (dq * pdf1) / stdDev) / Q;
      residual = Si - K - rhs;
      next = (K + rhs - bi * Si) / (1 - bi);
    } else {
      const nmd1 = normCdfFromDensity(-d1, pdf1);
      const bs = dr * K * normCdfFromDensity(-d2, pdf2) - dq * Si * nmd1;
      const rhs = bs - ((1 - dq * nmd1) * Si) / Q;
      const bi = -dq * nmd1 * (1 - 1 / Q) - (1 + (dq * pdf1) / stdDev) / Q;
      residual = K - Si - rhs;
      next = (K - rhs + bi * Si) / (1 + bi);
    }
    if (Math.abs(residual) / K <= tolerance) {
      converged = true;
      break;
    }
    if (iterations === MAX_ITERATIONS) break;
    // A Newton update to a non-positive price is replaced by a bisection step toward the edge of the domain
    // (K for a call, 0 for a put). QuantLib's iteration has no such guard and throws there (its Black formula
    // refuses a negative forward): deep in-the-money puts with a small volatility and a high rate, calls
    // with a tiny sigma sqrt(T) and a large q. Puts at r = 0 are the one case on both sides: the critical price
    // heads for 0 and the update lands on a rounding-sized number of either sign; QuantLib's positive one and
    // these halvings both end at the European value (to 1e-9 relative on our reference rows). Any other
    // update, even one outside the critical price's range, is taken as published.
    if (next > 0) Si = next;
    else Si = isCall ? K + (Si - K) / 2 : Si / 2;
    iterations++;
  }
  if (!converged) {
    // Rare (8 in 200,000 random inputs, all with sigma sqrt(T) below 0.07): the published iteration wanders.
    // The critical price is then found by Brent's method on the same residual over a bracket, with the same
    // stopping rule; QuantLib has no such fallback, so this changes no value it computes.
    const residual = (x: number): number => criticalResidual(isCall, x, K, bT, variance, stdDev, dq, dr, Q);
    // The residual is negative at K for a call (positive far above), positive near 0 for a put (negative at K).
    const bracket = isCall ? callBracket(residual, K) : ([K * 1e-12, K] as [number, number]);
    const lowerValue = bracket === null ? Number.NaN : residual(bracket[0]);
    if (bracket === null || (isCall ? lowerValue >= 0 : lowerValue <= 0)) {
      // No sign change: the critical price is 0 (put) or infinite (call), and there is no exercise region.
      Si = isCall ? Number.POSITIVE_INFINITY : 0;
      converged = true;
    } else if (!Number.isNaN(lowerValue)) {
      const root = findRootBrent(residual, bracket[0], bracket[1], {
        functionTolerance: tolerance,
        maxIterations: 200,
        lowerValue,
      });
      iterations += root.iterations;
      if (root.converged) {
        Si = root.root;
        converged = true;
      }
    }
  }
  const european = blackScholesPrice(type, S, K, T, sigma, r, q);
  const value = premiumFormula(isCall, S, K, Si, Q, bT, variance, stdDev, dq, european);
  if (out !== null) {
    out[0] = iterations;
    out[1] = converged ? 1 : 0;
  }
  if (!Number.isFinite(value)) {
    // Only seen for a call whose dividend yield is a rounding error above 0, where the critical price runs
    // off to infinity: no exercise region, the European value, reported as not converged.
    if (out !== null) out[1] = 0;
    return Math.max(european, isCall ? S - K : K - S);
  }
  // Below the critical price the approximation can fall short of the European value by rounding-level
  // amounts (and by ~1e-9 of the strike for a put at r = 0, where its critical price is spurious), or of the
  // intrinsic value where the iteration did not converge; an American option is worth at least both.
  return Math.max(value, european, isCall ? S - K : K - S);
}

/** (LHS - RHS) / K of the critical-price equation at Si: the quantity the stopping rule tests. */
function criticalResidual(
  isCall: boolean,
  Si: number,
  K: number,
  bT: number,
  variance: number,
  stdDev: number,
  dq: number,
  dr: number,
  Q: number,
): number {
  const d1 = (Math.log(Si / K) + bT + 0.5 * variance) / stdDev;
  const d2 = d1 - stdDev;
  const pdf1 = INV_SQRT_2PI * Math.exp(-0.5 * d1 * d1);
  const pdf2 = (pdf1 * Si * dq) / (K * dr);
  if (isCall) {
    const nd1 = normCdfFromDensity(d1, pdf1);
    const bs = dq * Si * nd1 - dr * K * normCdfFromDensity(d2, pdf2);
    return (Si - K - bs - ((1 - dq * nd1) * Si) / Q) / K;
  }
  const nmd1 = normCdfFromDensity(-d1, pdf1);
  const bs = dr * K * normCdfFromDensity(-d2, pdf2) - dq * Si * nmd1;
  return (K - Si - bs + ((1 - dq * nmd1) * Si) / Q) / K;
}

/** [K, upper] with a positive call residual at `upper` (doubling from 2K), or null if none below 2^60 K. */
function callBracket(residual: (x: number) => number, K: number): [number, number] | null {
  for (let upper = 2 * K, i = 0; i < 60; upper *= 2, i++) {
    if (residual(upper) > 0) return [K, upper];
  }
  return null;
}

/** The quadratic approximation's value given the critical price Si and the exponent Q. */
function premiumFormula(
  isCall: boolean,
  S: number,
  K: number,
  Si: number,
  Q: number,
  bT: number,
  variance: number,
  stdDev: number,
  dq: number,
  european: number,
): number {
  const d1 = (Math.log(Si / K) + bT + 0.5 * variance) / stdDev;
  if (isCall) {
    if (Si === Number.POSITIVE_INFINITY) return european;
    if (S >= Si) return S - K;
    const A2 = (Si / Q) * (1 - dq * quickNormCdf(d1));
    return european + A2 * Math.exp(Q * Math.log(S / Si));
  }
  if (Si === 0) return european;
  if (S <= Si) return K - S;
  const A1 = -(Si / Q) * (1 - dq * quickNormCdf(-d1));
  return european + A1 * Math.exp(Q * Math.log(S / Si));
}

/**
 * The Black-Scholes value where early exercise is never optimal in the model (no critical price to find),
 * floored at the intrinsic value: with a negative rate and a negative dividend yield together the
 * European value can fall below it, and an American option is always worth its immediate exercise.
 */
function europeanValue(
  isCall: boolean,
  S: number,
  K: number,
  T: number,
  sigma: number,
  r: number,
  q: number,
  out: Float64Array | null,
): number {
  if (out !== null) {
    out[0] = Number.NaN;
    out[1] = 1;
  }
  return Math.max(blackScholesPrice(isCall ? 'call' : 'put', S, K, T, sigma, r, q), isCall ? S - K : K - S);
}
