import type { OptionSpec, OptionType } from '../instruments/option-spec.js';
import type { MarketInputs } from '../market/market-inputs.js';
import { erf, millsRatio, millsRatioDerivative } from '../math/normal.js';
import type { PriceResult } from '../results.js';
import type { Price, Rate, Volatility, YearFraction } from '../types.js';
import { requireExercise, validateInputs } from '../validate.js';

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
// 4-point Gauss-Legendre nodes and weights on [-1, 1] (Abramowitz & Stegun, table 25.4).
const GL_X1 = 0.3399810435848563, GL_X2 = 0.8611363115940526;
const GL_W1 = 0.6521451548625461, GL_W2 = 0.3478548451374538;

/**
 * Generalised Black-Scholes-Merton (cost of carry b = r - q) for a European option, with analytic greeks in
 * raw units: delta and gamma per 1.0 of spot, theta per year as dV/dt, vega per 1.00 of volatility, rho per
 * 1.00 of rate (q held fixed). An American call with q = 0 is never exercised early, so it gets the same
 * price; every other American option is refused with ERR_CORE_UNSUPPORTED_EXERCISE (param 'exercise').
 *
 * Accuracy: relative error of a few 1e-16 times the problem's condition number in price and greeks,
 * including far out of the money (the out-of-the-money value is never formed as a difference that cancels
 * by more than LOSS_BUDGET) and the limits sigma -> 0 and T -> 0.
 */
export function priceBlackScholes(option: OptionSpec, market: MarketInputs, options?: PricingOptions): PriceResult {
  validateInputs(option, market);
  if (option.exercise === 'american' && !(option.type === 'call' && market.dividendYield === 0)) {
    requireExercise(option, ['european'], MODEL);
  }
  const isCall = option.type === 'call';
  const { spot, rate, dividendYield, volatility } = market;
  if (options?.greeks === false) {
    return {
      value: evaluateBlackScholes(isCall, spot, option.strike, option.expiry, volatility, rate, dividendYield, null),
      greeks: null,
      diagnostics: { model: MODEL, converged: true },
    };
  }
  const g = new Float64Array(5);
  const value = evaluateBlackScholes(isCall, spot, option.strike, option.expiry, volatility, rate, dividendYield, g);
  return {
    value,
    greeks: { delta: g[0]!, gamma: g[1]!, theta: g[2]!, vega: g[3]!, rho: g[4]! },
    diagnostics: { model: MODEL, converged: true },
  };
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
  return evaluateBlackScholes(type === 'call', spot, strike, expiry, volatility, rate, dividendYield, null);
}

/**
 * The kernel behind priceBlackScholes, blackScholesPrice and the batch engine (one code path, so all three
 * agree to the bit). Returns the price; when `greeks` is given, writes delta, gamma, theta, vega, rho into
 * greeks[0..5). Inputs are not validated here.
 */
export function evaluateBlackScholes(
  isCall: boolean,
  S: Price,
  K: Price,
  T: YearFraction,
  sigma: Volatility,
  r: Rate,
  q: Rate,
  greeks: Float64Array | null,
): Price {
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
  let n1 = 0, m1 = 0, n2 = 0, m2 = 0; // n = Phi(d), m = Phi(-d)
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
  // The forward intrinsic DS - DK cancels near the money; that costs ulp(DS)/price, below 1e-14 once
  // s >= 4/LOSS_BUDGET, so the dearer DK expm1(x) is kept for the hard regime, where s can be 1e-8.
  let price: number;
  if (isCall) {
    price = x <= 0 ? otm : (hard ? DK * Math.expm1(x) : DS - DK) + otm;
    if (price > DS) price = DS;
  } else {
    price = x > 0 ? otm : otm - (hard ? DK * Math.expm1(x) : DS - DK);
    if (price > DK) price = DK;
  }

  if (greeks !== null) {
    const densityTerm = DS * pdf1; // S e^{-qT} phi(d1)
    const thetaDecay = (-0.5 * densityTerm * sigma) / sqrtT;
    greeks[1] = (dfq * pdf1) / (S * s);
    greeks[3] = densityTerm * sqrtT;
    if (isCall) {
      greeks[0] = dfq * n1;
      greeks[2] = thetaDecay + q * DS * n1 - r * DK * n2;
      greeks[4] = T * DK * n2;
    } else {
      greeks[0] = -dfq * m1;
      greeks[2] = thetaDecay - q * DS * m1 + r * DK * m2;
      greeks[4] = -T * DK * m2;
    }
  }
  return price;
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
