/**
 * blackScholesKernel of src/core/engines/black-scholes.ts for one option, line for line, over the fdlibm ports
 * of fdlibm.ts and the normal functions of normal.ts: the same IEEE-754 operations in the same order, hence the
 * same doubles.
 */
import { exp, expm1, log, log1p } from './fdlibm';
import { erf, millsRatio, millsRatioDerivative, INV_SQRT_2PI, SQRT1_2, SPLITTER } from './normal';

/** Beyond |d| = 0.4687 sqrt(2) Phi(d) comes from the density and the Mills ratio (Cody's intervals). */
export const CENTRAL: f64 = 0.6629126073623883;
/** The cancellation budget of the direct out-of-the-money difference (see black-scholes.ts). */
export const LOSS_BUDGET: f64 = 128;
// 4-point Gauss-Legendre nodes and weights (Abramowitz & Stegun, table 25.4).
const GL_X1: f64 = 0.33998104358485626, GL_X2: f64 = 0.8611363115940526;
const GL_W1: f64 = 0.6521451548625461, GL_W2: f64 = 0.34785484513745385;
const MIN_VALUE: f64 = 5e-324;

// Addresses of the current batch's arrays in linear memory (isCall is u8, 1 call / 0 put; the rest f64), set by
// `useBatch`. Plain globals rather than an object: nothing in these kernels allocates.
export let isCallArray: usize = 0;
export let spotArray: usize = 0;
export let strikeArray: usize = 0;
export let expiryArray: usize = 0;
export let volatilityArray: usize = 0;
export let rateArray: usize = 0;
export let dividendArray: usize = 0;
export let priceArray: usize = 0;
export let deltaArray: usize = 0;
export let gammaArray: usize = 0;
export let thetaArray: usize = 0;
export let vegaArray: usize = 0;
export let rhoArray: usize = 0;

export function useBatch(
  isCall: usize, spot: usize, strike: usize, expiry: usize, volatility: usize, rate: usize, dividendYield: usize,
  price: usize, delta: usize, gamma: usize, theta: usize, vega: usize, rho: usize,
): void {
  isCallArray = isCall;
  spotArray = spot;
  strikeArray = strike;
  expiryArray = expiry;
  volatilityArray = volatility;
  rateArray = rate;
  dividendArray = dividendYield;
  priceArray = price;
  deltaArray = delta;
  gammaArray = gamma;
  thetaArray = theta;
  vegaArray = vega;
  rhoArray = rho;
}

/** phi(d) with the square formed exactly. */
function gaussian(d: f64): f64 {
  const a = Math.abs(d);
  if (!(a < 40)) return 0;
  const p = a * a;
  const c = SPLITTER * a;
  const hi = c - (c - a);
  const lo = a - hi;
  const err = hi * hi - p + 2 * hi * lo + lo * lo;
  return INV_SQRT_2PI * exp(-0.5 * p) * (1 - 0.5 * err);
}

/** Y(mid + half) - Y(mid - half) by 4-point Gauss-Legendre (see black-scholes.ts). */
function millsDifference(mid: f64, half: f64): f64 {
  const sum =
    GL_W1 * (millsRatioDerivative(half * GL_X1 - mid) + millsRatioDerivative(-half * GL_X1 - mid)) +
    GL_W2 * (millsRatioDerivative(half * GL_X2 - mid) + millsRatioDerivative(-half * GL_X2 - mid));
  return -half * sum;
}

/**
 * Prices option i of the current batch (useBatch) exactly as blackScholesKernel does, branch for branch: the path
 * for the options the SIMD stages leave out (and a reference for the tests).
 */
export function priceScalar(i: i32, withGreeks: bool): void {
  const offset = <usize>i << 3;
  const isCall = load<u8>(isCallArray + <usize>i) === 1;
  const S = load<f64>(spotArray + offset);
  const K = load<f64>(strikeArray + offset);
  const T = load<f64>(expiryArray + offset);
  const sigma = load<f64>(volatilityArray + offset);
  const r = load<f64>(rateArray + offset);
  const q = load<f64>(dividendArray + offset);
  const sqrtT = Math.sqrt(T);
  let s = sigma * sqrtT;
  if (!(s > 0)) s = MIN_VALUE;
  const dfq = exp(-q * T);
  const dfr = exp(-r * T);
  const DS = S * dfq;
  const DK = K * dfr;
  const ratio = S / K;
  let lnSK: f64;
  if (ratio >= 0.5 && ratio <= 2) lnSK = log1p((S - K) / K);
  else if (ratio > 0 && ratio < Infinity) lnSK = log(ratio);
  else lnSK = log(S) - log(K);
  const x = lnSK + (r - q) * T;
  const h = x / s;
  const t = 0.5 * s;
  const d1 = h + t;
  const d2 = h - t;

  const pdf = gaussian(x < 0 ? d1 : d2);
  const pdf1 = x < 0 ? pdf : (pdf * DK) / DS;
  const pdf2 = x < 0 ? (pdf * DS) / DK : pdf;

  let n1: f64 = 0, m1: f64 = 0, n2: f64 = 0, m2: f64 = 0;
  for (let k = 0; k < 2; k++) {
    const d = k === 0 ? d1 : d2;
    const a = Math.abs(d);
    let small: f64;
    let large: f64;
    if (a > CENTRAL) {
      small = (k === 0 ? pdf1 : pdf2) * millsRatio(a);
      large = 1 - small;
    } else {
      const e = 0.5 * erf(a * SQRT1_2);
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

  const hard = s * LOSS_BUDGET < Math.max(Math.abs(h) + t, 4);
  let otm: f64;
  if (!hard) otm = x <= 0 ? DS * n1 - DK * n2 : DK * m2 - DS * m1;
  else if (x <= 0) otm = pdf1 > 0 ? DS * pdf1 * millsDifference(h, t) : 0;
  else otm = pdf2 > 0 ? DK * pdf2 * millsDifference(-h, t) : 0;
  if (!(otm > 0)) otm = 0;
  const intrinsic = hard && Math.abs(x) < 0.5 ? DK * expm1(x) : DS - DK;
  let price: f64;
  if (isCall) {
    price = x <= 0 ? otm : intrinsic + otm;
    if (price > DS) price = DS;
  } else {
    price = x > 0 ? otm : otm - intrinsic;
    if (price > DK) price = DK;
  }

  store<f64>(priceArray + offset, price);
  if (withGreeks) {
    const densityTerm = DS * pdf1;
    const thetaDecay = (-0.5 * densityTerm * sigma) / sqrtT;
    store<f64>(gammaArray + offset, pdf1 > 0 ? (dfq * pdf1) / (S * s) : 0);
    store<f64>(vegaArray + offset, densityTerm * sqrtT);
    if (isCall) {
      store<f64>(deltaArray + offset, dfq * n1);
      store<f64>(thetaArray + offset, thetaDecay + q * DS * n1 - r * DK * n2);
      store<f64>(rhoArray + offset, T * DK * n2);
    } else {
      store<f64>(deltaArray + offset, -dfq * m1);
      store<f64>(thetaArray + offset, thetaDecay - q * DS * m1 + r * DK * m2);
      store<f64>(rhoArray + offset, -T * DK * m2);
    }
  }
}

