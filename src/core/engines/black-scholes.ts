import type { OptionSpec, OptionType } from '../instruments/option-spec.js';
import type { MarketInputs } from '../market/market-inputs.js';
import { erf, millsRatio, millsRatioDerivative } from '../math/normal.js';
import type { PriceResult } from '../results.js';
import type { BlackScholesBatchInput, BlackScholesBatchOutput } from './black-scholes-batch.js';
import type { Price, Rate, Volatility, YearFraction } from '../types.js';
import { requireExercise, requireFiniteResult, validateInputs } from '../validate.js';

/** Options shared by every engine's `price*` entry point. */
export interface PricingOptions {
  /** Compute the greeks (default true); when false the result carries `greeks: null`. */
  readonly greeks?: boolean;
}

const MODEL = 'black_scholes';
const INV_SQRT_2PI = 0.3989422804014327;
/** Beyond |d| = 0.4687 sqrt(2) Phi(d) is built from the density and the Mills ratio (Cody's intervals). */
const CENTRAL = 0.6629126073623883;
/** Veltkamp's splitting constant 2^27 + 1. */
const SPLITTER = 134217729;
/**
 * The out-of-the-money value F Phi(d1) - K Phi(d2) loses about max(|d2|, 3.6) / (sigma sqrt(T)) of its
 * relative accuracy to cancellation. Below this loss budget the direct difference is used (at most 7 bits
 * lost); above it the difference of Mills ratios is integrated by Gauss-Legendre quadrature instead.
 */
const LOSS_BUDGET = 128;
// 4-point Gauss-Legendre nodes and weights on [-1, 1] (Abramowitz & Stegun, table 25.4), rounded from their
// closed forms sqrt(3/7 -+ (2/7) sqrt(6/5)) and (18 +- sqrt(30))/36.
const GL_X1 = 0.33998104358485626,
  GL_X2 = 0.8611363115940526;
const GL_W1 = 0.6521451548625461,
  GL_W2 = 0.34785484513745385;

/**
 * Generalised Black-Scholes-Merton (cost of carry b = r - q) for a European option, with analytic greeks in
 * raw units: delta and gamma per 1.0 of spot, theta per year as dV/dt, vega per 1.00 of volatility, rho per
 * 1.00 of rate (q held fixed). An American call with q = 0 and r >= 0 is never exercised early, so it gets the
 * same price; every other American option (r < 0 included: paying the strike early then pays) is refused with
 * ERR_CORE_UNSUPPORTED_EXERCISE (param 'exercise').
 *
 * Accuracy (tested against mpmath at 60 digits): 1e-12 relative in price and 1e-10 in greeks (theta: relative
 * to the size of its three terms, as it crosses zero), far out of the money and in the limits sigma -> 0 and
 * T -> 0 included, except where the rounding of ln(F/K) to a double alone moves the answer by more than that. Never NaN for valid inputs, and the price always lies within
 * the no-arbitrage bounds; gamma alone can overflow to +Infinity, when S sigma sqrt(T) nears the bottom of
 * the double range (about 1e-300) at the money.
 */
export function priceBlackScholes(option: OptionSpec, market: MarketInputs, options?: PricingOptions): PriceResult {
  validateInputs(option, market);
  if (option.exercise === 'american' && !(option.type === 'call' && market.dividendYield === 0 && market.rate >= 0)) {
    requireExercise(option, ['european'], MODEL);
  }
  const withGreeks = options?.greeks !== false;
  load(option.type, market.spot, option.strike, option.expiry, market.volatility, market.rate, market.dividendYield);
  blackScholesKernel(one, oneOut, 0, 1, withGreeks);
  return requireFiniteResult(
    {
      value: oneOut.price[0]!,
      greeks: withGreeks
        ? {
            delta: oneOut.delta[0]!,
            gamma: oneOut.gamma[0]!,
            theta: oneOut.theta[0]!,
            vega: oneOut.vega[0]!,
            rho: oneOut.rho[0]!,
          }
        : null,
      diagnostics: { model: MODEL, converged: true },
    },
    MODEL,
  );
}

/**
 * The discounted European price only, for engines that call Black-Scholes in their own loops (control
 * variates, American approximations, implied volatility). Inputs must already be validated: positive finite
 * spot, strike, expiry and volatility; finite rate and dividend yield.
 */
export function blackScholesPrice(
  type: OptionType,
  spot: Price,
  strike: Price,
  expiry: YearFraction,
  volatility: Volatility,
  rate: Rate,
  dividendYield: Rate,
): Price {
  load(type, spot, strike, expiry, volatility, rate, dividendYield);
  blackScholesKernel(one, oneOut, 0, 1, false);
  return oneOut.price[0]!;
}

// One-element buffers through which the single-option entry points use the kernel. Module state, but never
// observable: every call fills them before reading them back, and nothing can run in between (no callbacks,
// no awaits; each worker thread has its own module instance).
const one: BlackScholesBatchInput = {
  isCall: new Uint8Array(1),
  spot: new Float64Array(1),
  strike: new Float64Array(1),
  expiry: new Float64Array(1),
  volatility: new Float64Array(1),
  rate: new Float64Array(1),
  dividendYield: new Float64Array(1),
};
const oneOut: BlackScholesBatchOutput = {
  price: new Float64Array(1),
  delta: new Float64Array(1),
  gamma: new Float64Array(1),
  theta: new Float64Array(1),
  vega: new Float64Array(1),
  rho: new Float64Array(1),
};

function load(type: OptionType, S: Price, K: Price, T: YearFraction, sigma: Volatility, r: Rate, q: Rate): void {
  one.isCall[0] = type === 'call' ? 1 : 0;
  one.spot[0] = S;
  one.strike[0] = K;
  one.expiry[0] = T;
  one.volatility[0] = sigma;
  one.rate[0] = r;
  one.dividendYield[0] = q;
}

/**
 * The one kernel behind priceBlackScholes, blackScholesPrice and priceBlackScholesBatch, so all three agree to
 * the bit: prices input[start..end) into output (price always; the greeks when withGreeks). Inputs are not
 * validated here. It is a loop over structure-of-arrays rather than a per-option function because a call
 * that the compiler does not inline boxes every double crossing it, and this body is too large to inline.
 */
export function blackScholesKernel(
  input: BlackScholesBatchInput,
  output: BlackScholesBatchOutput,
  start: number,
  end: number,
  withGreeks: boolean,
): void {
  const { spot, strike, expiry, volatility, rate, dividendYield } = input;
  for (let i = start; i < end; i++) {
    const isCall = input.isCall[i] === 1;
    const S = spot[i]!,
      K = strike[i]!,
      T = expiry[i]!,
      sigma = volatility[i]!,
      r = rate[i]!,
      q = dividendYield[i]!;
    const sqrtT = Math.sqrt(T);
    let s = sigma * sqrtT;
    // An underflowed total volatility would make x/s a 0/0; the smallest positive double gives the limit.
    if (!(s > 0)) s = Number.MIN_VALUE;
    const dfq = Math.exp(-q * T);
    const dfr = Math.exp(-r * T);
    const DS = S * dfq; // discounted forward, S e^{-qT}
    const DK = K * dfr; // discounted strike, K e^{-rT}
    // ln(F/K). Near the money, log1p of the exactly computed S - K (Sterbenz) keeps the relative accuracy
    // that log(S/K) would lose to the rounding of S/K; the at-the-money value depends on it at small s.
    const ratio = S / K;
    let lnSK: number;
    if (ratio >= 0.5 && ratio <= 2) lnSK = Math.log1p((S - K) / K);
    else if (ratio > 0 && ratio < Infinity) lnSK = Math.log(ratio);
    else lnSK = Math.log(S) - Math.log(K);
    const x = lnSK + (r - q) * T;
    const h = x / s;
    const t = 0.5 * s;
    const d1 = h + t;
    const d2 = h - t;

    // One exponential serves both densities, since F phi(d1) = K phi(d2). It is taken at whichever of d1, d2
    // is nearer 0, so the other density underflows first, never the one the price is built on.
    const pdf = gaussian(x < 0 ? d1 : d2);
    const pdf1 = x < 0 ? pdf : (pdf * DK) / DS;
    const pdf2 = x < 0 ? (pdf * DS) / DK : pdf;

    // Phi(d) and Phi(-d) for d1 and d2, each to full relative accuracy: the smaller of the two is phi(d) R(|d|)
    // (Mills ratio) in the tails, 1/2 - erf(|d|/sqrt 2)/2 in the centre. One loop body, so the normal
    // functions have one call site each and the compiler inlines them (a double crossing a call boundary
    // that is not inlined gets boxed on the heap: a measurable cost at ~100 ns per option).
    let n1 = 0,
      m1 = 0,
      n2 = 0,
      m2 = 0; // n = Phi(d), m = Phi(-d)
    for (let k = 0; k < 2; k++) {
      const d = k === 0 ? d1 : d2;
      const a = Math.abs(d);
      let small: number; // Phi(-|d|)
      let large: number; // Phi(|d|)
      if (a > CENTRAL) {
        small = (k === 0 ? pdf1 : pdf2) * millsRatio(a);
        large = 1 - small;
      } else {
        const e = 0.5 * erf(a * Math.SQRT1_2);
        small = 0.5 - e;
        large = 0.5 + e;
      }
      if (k === 0) {
        n1 = d < 0 ? small : large;
        m1 = d < 0 ? large : small;
      } else {
        n2 = d < 0 ? small : large;
        m2 = d < 0 ? large : small;
      }
    }

    // The out-of-the-money option (call if x <= 0, put if x > 0) is priced first; the in-the-money one is
    // its parity partner plus the forward intrinsic, a sum of two non-negative terms.
    const hard = s * LOSS_BUDGET < Math.max(Math.abs(h) + t, 4);
    let otm: number;
    if (!hard) otm = x <= 0 ? DS * n1 - DK * n2 : DK * m2 - DS * m1;
    // F phi(d1) = K phi(d2): scale by the density that was computed, not the one derived from it. Where
    // that density is 0 (|d| past 40, including an infinite x/s) the value is below the smallest double.
    else if (x <= 0) otm = pdf1 > 0 ? DS * pdf1 * millsDifference(h, t) : 0;
    else otm = pdf2 > 0 ? DK * pdf2 * millsDifference(-h, t) : 0;
    if (!(otm > 0)) otm = 0;
    // The forward intrinsic DS - DK cancels near the money, costing ulp(DS)/price: below 1e-14 once
    // s >= 4/LOSS_BUDGET, so the dearer DK expm1(x) is kept for small |x| in the hard regime, where s can be
    // 1e-8. Away from the money DS - DK is exact to an ulp, while expm1 would amplify the rounding of x.
    const intrinsic = hard && Math.abs(x) < 0.5 ? DK * Math.expm1(x) : DS - DK;
    let price: number;
    if (isCall) {
      price = x <= 0 ? otm : intrinsic + otm;
      if (price > DS) price = DS;
    } else {
      price = x > 0 ? otm : otm - intrinsic;
      if (price > DK) price = DK;
    }

    output.price[i] = price;
    if (withGreeks) {
      const densityTerm = DS * pdf1; // S e^{-qT} phi(d1)
      const thetaDecay = (-0.5 * densityTerm * sigma) / sqrtT;
      // S s can underflow with tiny inputs; a zero density then means a zero gamma, not 0/0.
      output.gamma[i] = pdf1 > 0 ? (dfq * pdf1) / (S * s) : 0;
      output.vega[i] = densityTerm * sqrtT;
      if (isCall) {
        output.delta[i] = dfq * n1;
        output.theta[i] = thetaDecay + q * DS * n1 - r * DK * n2;
        output.rho[i] = T * DK * n2;
      } else {
        output.delta[i] = -dfq * m1;
        output.theta[i] = thetaDecay - q * DS * m1 + r * DK * m2;
        output.rho[i] = -T * DK * m2;
      }
    }
  }
}

/** phi(d) with the square in the exponent formed exactly (its rounding would cost d^2 ulps at |d| ~ 37). */
function gaussian(d: number): number {
  const a = Math.abs(d);
  if (!(a < 40)) return 0;
  const p = a * a;
  const c = SPLITTER * a;
  const hi = c - (c - a);
  const lo = a - hi;
  const err = hi * hi - p + 2 * hi * lo + lo * lo;
  return INV_SQRT_2PI * Math.exp(-0.5 * p) * (1 - 0.5 * err);
}

/**
 * Y(mid + half) - Y(mid - half), where Y(u) = Phi(u)/phi(u) = R(-u) is the Mills ratio seen from the left: the
 * integral of Y'(u) = -R'(-u) over the interval. The interval is given by its centre and half-width, not
 * its ends: d1 - d2 formed from two rounded numbers near 20 would carry a relative error of 1e-12 when
 * the width is 1e-3. Used only where the interval is short against its distance from 0 (width below
 * max(|mid| + half, 4)/128), where four Gauss-Legendre points integrate the smooth, positive Y' to about
 * 1e-17 relative: no cancellation at all.
 */
function millsDifference(mid: number, half: number): number {
  const sum =
    GL_W1 * (millsRatioDerivative(half * GL_X1 - mid) + millsRatioDerivative(-half * GL_X1 - mid)) +
    GL_W2 * (millsRatioDerivative(half * GL_X2 - mid) + millsRatioDerivative(-half * GL_X2 - mid));
  return -half * sum;
}
