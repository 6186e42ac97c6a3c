import { CoreError } from '../errors.js';
import type { OptionSpec } from '../instruments/option-spec.js';
import type { MarketInputs } from '../market/market-inputs.js';
import {
  convexControlToFitSecondDerivativeAtLeft,
  convexControlToFitSecondDerivativeAtRight,
  rationalCubicInterpolation,
} from '../math/rational-cubic.js';
import { inverseNormalCdf } from '../math/inverse-normal.js';
import { erfcx, millsRatio, normCdf } from '../math/normal.js';
import { requireExerciseStyle, validateQuoteInputs } from '../validate.js';
import { normalisedBlackOtmAndVega, type VegaSink } from './normalised-black.js';

/**
 * European implied volatility by P. Jäckel's "Let's be rational" (Wilmott, January 2015, 40-53).
 *
 * In normalised coordinates x = ln(F/K), s = sigma sqrt(T), beta = undiscounted price / sqrt(F K), every quote
 * becomes an out-of-the-money call (x <= 0) by put-call parity and reciprocal-strike symmetry. The price axis
 * (0, e^(x/2)) is cut at the inflexion point s_c = sqrt(2|x|) of b(x, .) and at the two points where the
 * tangent there meets b = 0 and b = e^(x/2); on each of the four pieces a rational cubic (Delbourgo-Gregory)
 * in a transformed variable gives an initial guess within a few digits, and Householder steps of order four on
 * an objective chosen per piece (1/ln b in the lowest, ln(b_max - b) in the highest, b itself in between) bring
 * it to machine precision, in two steps on the whole range tested here.
 */

export interface ImpliedVolatilityResult {
  /** Annualised lognormal volatility, 0.2 = 20%. */
  readonly volatility: number;
  /** Householder steps taken after the initial guess. */
  readonly iterations: number;
  readonly converged: boolean;
}

/** Per-quote outcome codes, shared with the typed-array batch. */
export const IMPLIED_VOLATILITY_STATUS = {
  ok: 0,
  belowIntrinsic: 1,
  aboveMaximum: 2,
  invalidInput: 3,
  noConvergence: 4,
} as const;
export type ImpliedVolatilityStatus = (typeof IMPLIED_VOLATILITY_STATUS)[keyof typeof IMPLIED_VOLATILITY_STATUS];

/** Where the shared kernel writes its answer; one is reused for a whole batch. */
export class ImpliedVolatilityWorkspace implements VegaSink {
  /** The answer, 0 unless the status is ok. */
  volatility = 0;
  /** Householder steps taken. */
  iterations = 0;
  /** Scratch: the normalised vega of the last normalised Black evaluation. */
  vega = 0;
}

const DBL_MIN = 2.2250738585072014e-308;
const DBL_MAX = Number.MAX_VALUE;
const SQRT_DBL_MAX = Math.sqrt(DBL_MAX);
/** Beyond z = 0.46875 sqrt(2), Phi(-z) is formed from the density and the Mills ratio (Cody's intervals). */
const CENTRAL = 0.6629126073623883;
/**
 * A time value within this fraction of the price (or of the upper bound) is checked against the dimensional
 * bounds as documented, not only in normalised coordinates, whose rounding differs in the last bits.
 */
const BOUND_MARGIN = 1e-12;
/** A few times the evaluation error of b: agreement to this relative residual is all the price can tell. */
const RESOLUTION = 16 * 2 ** -52;
/** Steps after which the iteration gives up. Two suffice on the tested range; the spare ones are a safety margin. */
const MAX_ITERATIONS = 4;
/**
 * Stop once a step is below this fraction of s. A Householder(3) step has order four: the relative error it
 * leaves is about C d^4 for a step of relative size d, with C below 0.1 over the tested range, so d = 1e-6
 * leaves nothing at double precision.
 */
const STEP_TOLERANCE = 1e-6;
const TWO_PI = 2 * Math.PI;
const SQRT_THREE = Math.sqrt(3);
const SQRT_ONE_OVER_THREE = Math.sqrt(1 / 3);
const TWO_PI_OVER_SQRT_27 = TWO_PI / Math.sqrt(27);
const PI_OVER_SIX = Math.PI / 6;
const SQRT_PI_OVER_TWO = Math.sqrt(Math.PI / 2);
const INV_SQRT_2PI = 1 / Math.sqrt(TWO_PI);

/** Which objective the Householder steps drive to zero. */
const OBJECTIVE_PRICE = 0; // g = b - beta
const OBJECTIVE_LOWER = 1; // g = 1/ln b - 1/ln beta
const OBJECTIVE_UPPER = 2; // g = ln((b_max - beta) / (b_max - b))

/**
 * The shared kernel: writes volatility and iterations into `out` and returns the status. It never throws and
 * never allocates, so the batch and the scalar API give bit-identical answers.
 */
export function solveImpliedVolatility(
  price: number,
  isCall: boolean,
  spot: number,
  strike: number,
  expiry: number,
  rate: number,
  dividendYield: number,
  out: ImpliedVolatilityWorkspace,
): ImpliedVolatilityStatus {
  out.volatility = 0;
  out.iterations = 0;
  if (
    !(price >= 0 && price < Infinity) ||
    !(spot > 0 && spot < Infinity) ||
    !(strike > 0 && strike < Infinity) ||
    !(expiry > 0 && expiry < Infinity) ||
    !(rate > -Infinity && rate < Infinity) ||
    !(dividendYield > -Infinity && dividendYield < Infinity)
  ) {
    return IMPLIED_VOLATILITY_STATUS.invalidInput;
  }
  // The documented upper bound, checked in dimensional terms first: deep in the money the normalised time value
  // is a difference of two nearly equal numbers, and a quote exactly at the bound could pass as just below it.
  // (A bound that underflows to 0 or overflows means the forward is outside the doubles: refused further down.)
  const upper = upperBound(isCall, spot, strike, expiry, rate, dividendYield);
  if (upper > 0 && upper < Infinity && price >= upper) return IMPLIED_VOLATILITY_STATUS.aboveMaximum;
  // x = ln(F/K) from its parts. Near the money log1p of the exactly computed S - K (Sterbenz) keeps the
  // relative accuracy that log(S/K) loses to the rounding of S/K; at small s the price depends on it.
  // Elsewhere log of the ratio (one rounding) beats the difference of two logs, unless the ratio over/underflows.
  const ratio = spot / strike;
  const lnSpotOverStrike =
    ratio >= 0.5 && ratio <= 2
      ? Math.log1p((spot - strike) / strike)
      : ratio > 2.2250738585072014e-308 && ratio < Infinity
        ? Math.log(ratio)
        : Math.log(spot) - Math.log(strike);
  let x = lnSpotOverStrike + (rate - dividendYield) * expiry;
  // beta = price / sqrt(S e^(-qT) K e^(-rT)), the price in units of the geometric mean of the discounted forward
  // and the discounted strike.
  const beta = (price * Math.exp(0.5 * (rate + dividendYield) * expiry)) / (Math.sqrt(spot) * Math.sqrt(strike));
  if (!(beta < Infinity && x > -Infinity && x < Infinity)) return IMPLIED_VOLATILITY_STATUS.invalidInput;
  if (!isCall) x = -x; // a put at x is a call at -x
  let timeValue = beta;
  let bMax: number;
  if (x > 0) {
    // In the money: keep the time value, an out-of-the-money call at -x (put-call parity). With u = e^(x/2) - 1
    // from expm1, the intrinsic value e^(x/2) - e^(-x/2) = u + u e^(-x/2) is a sum of positive terms, accurate
    // to an ulp or two even near the money where the difference of exponentials would cancel.
    const u = Math.expm1(0.5 * x);
    bMax = 1 / (1 + u);
    timeValue -= u + u * bMax;
    x = -x;
  } else {
    bMax = Math.exp(0.5 * x);
  }
  // Near a bound the normalised tests could differ from the documented dimensional ones in the last bits; there
  // the dimensional bounds decide. A time value lost to rounding, or so small that it is subnormal (fewer than
  // 52 significant bits, so no volatility could be recovered to any useful accuracy), is "at the bound" too.
  if (!(timeValue > BOUND_MARGIN * beta && timeValue >= DBL_MIN)) {
    if (!(timeValue >= DBL_MIN) || price <= lowerBound(isCall, spot, strike, expiry, rate, dividendYield)) {
      return IMPLIED_VOLATILITY_STATUS.belowIntrinsic;
    }
  }
  if (!(bMax - timeValue > BOUND_MARGIN * bMax)) {
    if (price >= upperBound(isCall, spot, strike, expiry, rate, dividendYield) || !(timeValue < bMax)) {
      return IMPLIED_VOLATILITY_STATUS.aboveMaximum;
    }
  }
  const s = normalisedImpliedVolatilityOtm(timeValue, x, bMax, out);
  if (!(s > 0 && s < Infinity)) return IMPLIED_VOLATILITY_STATUS.noConvergence;
  out.volatility = s / Math.sqrt(expiry);
  return IMPLIED_VOLATILITY_STATUS.ok;
}

/** max(S e^(-qT) - K e^(-rT), 0) for a call, max(K e^(-rT) - S e^(-qT), 0) for a put. */
function lowerBound(
  isCall: boolean,
  spot: number,
  strike: number,
  expiry: number,
  rate: number,
  dividendYield: number,
): number {
  const discountedForward = spot * Math.exp(-dividendYield * expiry);
  const discountedStrike = strike * Math.exp(-rate * expiry);
  return Math.max(isCall ? discountedForward - discountedStrike : discountedStrike - discountedForward, 0);
}

/** S e^(-qT) for a call, K e^(-rT) for a put. */
function upperBound(
  isCall: boolean,
  spot: number,
  strike: number,
  expiry: number,
  rate: number,
  dividendYield: number,
): number {
  return isCall ? spot * Math.exp(-dividendYield * expiry) : strike * Math.exp(-rate * expiry);
}

/**
 * s = sigma sqrt(T) such that b(x, s) = beta, for 0 < beta < bMax = e^(x/2), x <= 0. Writes the step count into
 * out.iterations; returns NaN when the steps did not settle within MAX_ITERATIONS.
 */
function normalisedImpliedVolatilityOtm(
  beta: number,
  x: number,
  bMax: number,
  out: ImpliedVolatilityWorkspace,
): number {
  const sC = Math.sqrt(-2 * x);
  // At the inflexion point s_c = sqrt(2|x|): h = -t and h^2 + t^2 = |x|, so E = e^(x/2) and, from the erfcx form
  // of b, b_c = e^(x/2) (1 - erfcx(sqrt|x|)) / 2 and v_c = e^(x/2) / sqrt(2 pi), with no exponential of their own.
  // (1 - erfcx loses relative accuracy as x -> 0, but b_c only places the initial guess.)
  const bC = 0.5 * bMax * (1 - erfcx(Math.sqrt(-x)));
  const vC = INV_SQRT_2PI * bMax;
  let s: number;
  let sLeft = DBL_MIN;
  let sRight = DBL_MAX;
  let objective = OBJECTIVE_PRICE;

  if (beta < bC) {
    // Tangent at the inflexion point down to b = 0.
    const sL = sC - bC / vC;
    const bL = normalisedBlackOtmAndVega(x, sL, bMax, out);
    const vL = out.vega;
    if (beta < bL) {
      // Lowest piece: interpolate f(beta) = (2 pi / sqrt 27) |x| Phi(-z)^3, z = |x| / (sqrt3 s), an explicit map of
      // s that matches b to leading order as s -> 0, between f(0) = 0 and f(b_l); df/dbeta and d2f/dbeta2 at b_l
      // are Jäckel's. Phi(-z) = phi(z) R(z) with the Mills ratio R, and one exponential serves both derivatives.
      const ax = -x;
      const z = (SQRT_ONE_OVER_THREE * ax) / sL;
      const y = z * z;
      const sL2 = sL * sL;
      const density = INV_SQRT_2PI * Math.exp(-0.5 * y);
      const mills = z > CENTRAL ? millsRatio(z) : normCdf(-z) / density;
      const tail = z > CENTRAL ? density * mills : normCdf(-z);
      // exp(y + s^2/8) = exp(-y/2) / E_l, where E_l = exp(-3y/2 - s^2/8) is the exponential behind the vega at s_l.
      const growth = vL > DBL_MIN ? density / vL : Math.exp(y + 0.125 * sL2);
      const fL = TWO_PI_OVER_SQRT_27 * ax * tail * tail * tail;
      const dFL = TWO_PI * y * tail * tail * growth;
      const d2FL =
        ((PI_OVER_SIX * y) / (sL2 * sL)) *
        tail *
        (8 * SQRT_THREE * sL * ax + (3 * sL2 * (sL2 - 8) - 8 * x * x) * mills) *
        growth *
        growth;
      const r = convexControlToFitSecondDerivativeAtRight(0, bL, 0, fL, 1, dFL, d2FL, true);
      let f = rationalCubicInterpolation(beta, 0, bL, 0, fL, 1, dFL, r);
      if (!(f > 0)) {
        // Round-off for extreme |x|: the quadratic through f(0) = 0, f'(0) = 1 and f(b_l).
        const u = beta / bL;
        f = (fL * u + bL * (1 - u)) * u;
      }
      s = inverseLowerMap(ax, f);
      sRight = sL;
      objective = OBJECTIVE_LOWER;
    } else {
      const r = convexControlToFitSecondDerivativeAtRight(bL, bC, sL, sC, 1 / vL, 1 / vC, 0, false);
      s = rationalCubicInterpolation(beta, bL, bC, sL, sC, 1 / vL, 1 / vC, r);
      sLeft = sL;
      sRight = sC;
    }
  } else {
    // Tangent at the inflexion point up to b = b_max.
    const sH = vC > DBL_MIN ? sC + (bMax - bC) / vC : sC;
    const bH = normalisedBlackOtmAndVega(x, sH, bMax, out);
    const vH = out.vega;
    if (beta <= bH) {
      const r = convexControlToFitSecondDerivativeAtLeft(bC, bH, sC, sH, 1 / vC, 1 / vH, 0, false);
      s = rationalCubicInterpolation(beta, bC, bH, sC, sH, 1 / vC, 1 / vH, r);
      sLeft = sC;
      sRight = sH;
    } else {
      // Highest piece: interpolate f(beta) = Phi(-s/2), which tends to 0 as beta -> b_max, between f(b_h) and
      // f(b_max) = 0; with w = (x/s)^2, df/dbeta = -exp(w/2)/2 and d2f/dbeta2 = sqrt(pi/2) exp(w + s^2/8) w / s
      // (Jäckel), where exp(w + s^2/8) = exp(w/2) / E_h and E_h = exp(-w/2 - s^2/8) is behind the vega at s_h.
      const fH = normCdf(-0.5 * sH);
      const w = (x / sH) * (x / sH);
      const halfW = Math.exp(0.5 * w);
      const dFH = -0.5 * halfW;
      const d2FH =
        SQRT_PI_OVER_TWO *
        (vH > DBL_MIN ? (INV_SQRT_2PI * halfW) / vH : Math.exp(w + 0.125 * sH * sH)) *
        halfW *
        (w / sH);
      let f = -1;
      if (d2FH > -SQRT_DBL_MAX && d2FH < SQRT_DBL_MAX) {
        const r = convexControlToFitSecondDerivativeAtLeft(bH, bMax, fH, 0, dFH, -0.5, d2FH, true);
        f = rationalCubicInterpolation(beta, bH, bMax, fH, 0, dFH, -0.5, r);
      }
      if (!(f > 0)) {
        // The quadratic through f(b_h), f(b_max) = 0 and f'(b_max) = -1/2.
        const width = bMax - bH;
        const u = (beta - bH) / width;
        f = (fH * (1 - u) + 0.5 * width * u) * (1 - u);
      }
      s = -2 * inverseNormalCdf(Math.min(f, 0.5)); // f <= f(b_h) < 1/2; the clamp only guards round-off
      sLeft = sH;
      // Below half of b_max the plain price objective is as good and cheaper.
      if (beta > 0.5 * bMax) objective = OBJECTIVE_UPPER;
    }
  }

  const lnBeta = objective === OBJECTIVE_LOWER ? Math.log(beta) : 0;
  const invLnBeta = objective === OBJECTIVE_LOWER ? 1 / lnBeta : 0;
  const bMaxMinusBeta = bMax - beta;
  let ds = DBL_MAX;
  let iterations = 0;
  let converged = false;
  // Where the price itself pins s down only to within rounding (b within a few ulps of bMax, say), the steps
  // chase rounding noise and never shrink; a point where b(s) matched beta to within RESOLUTION is then the answer.
  let resolved = NaN;
  while (iterations < MAX_ITERATIONS) {
    if (!(s >= sLeft && s <= sRight)) {
      // The step left the bracket (only conceivable for extreme inputs): bisect instead.
      s = sRight < DBL_MAX ? 0.5 * (sLeft + sRight) : 2 * sLeft;
    }
    const b = normalisedBlackOtmAndVega(x, s, bMax, out);
    const bp = out.vega;
    if (Math.abs(b - beta) <= RESOLUTION * beta) resolved = s;
    if (b > beta && s < sRight) sRight = s;
    else if (b < beta && s > sLeft) sLeft = s;
    const invS = 1 / s;
    const h = x * invS;
    const hOverS = h * invS;
    const halleyB = h * hOverS - 0.25 * s; // b''/b' = x^2/s^3 - s/4
    const hh3B = halleyB * halleyB - 3 * hOverS * hOverS - 0.25; // b'''/b' = (b''/b')^2 - 3 x^2/s^4 - 1/4
    let newton: number;
    let halley: number;
    let hh3: number;
    if (objective === OBJECTIVE_PRICE) {
      newton = (beta - b) / bp;
      halley = halleyB;
      hh3 = hh3B;
    } else if (objective === OBJECTIVE_LOWER) {
      if (!(b > 0 && bp > 0)) {
        // Underflow: no usable derivative here, bisect.
        ds = 0.5 * (sLeft + sRight) - s;
        s += ds;
        iterations++;
        continue;
      }
      const lnB = Math.log(b);
      const invLnB = 1 / lnB;
      const bpOverB = bp / b;
      const factor = 1 + 2 * invLnB;
      newton = ((lnBeta - lnB) * lnB * invLnBeta * b) / bp;
      halley = halleyB - bpOverB * factor;
      hh3 = hh3B + 2 * bpOverB * bpOverB * (1 + 3 * invLnB * (1 + invLnB)) - 3 * halleyB * bpOverB * factor;
    } else {
      const bMaxMinusB = bMax - b;
      if (!(bMaxMinusB > 0 && bp > DBL_MIN)) {
        ds = (sRight < DBL_MAX ? 0.5 * (sLeft + sRight) : 2 * sLeft) - s;
        s += ds;
        iterations++;
        continue;
      }
      const g = Math.log(bMaxMinusBeta / bMaxMinusB);
      const gp = bp / bMaxMinusB;
      newton = -g / gp;
      halley = halleyB + gp;
      hh3 = hh3B + gp * (2 * gp + 3 * halleyB);
    }
    ds = (newton * (1 + 0.5 * halley * newton)) / (1 + newton * (halley + hh3 * newton * (1 / 6)));
    ds = Math.max(-0.5 * s, ds);
    s += ds;
    iterations++;
    if (Math.abs(ds) <= STEP_TOLERANCE * s) {
      converged = true;
      break;
    }
  }
  out.iterations = iterations;
  return converged ? s : resolved;
}

/**
 * Inverse of the lower map f(s) = (2 pi / sqrt 27) |x| Phi(-|x| / (sqrt3 s))^3, given |x|. Here f <= f(s_l), so the
 * probability is at most Phi(-z_l) < 1/2; the clamp only keeps round-off from ever reaching inverseNormalCdf's refusal.
 */
function inverseLowerMap(ax: number, f: number): number {
  if (!(f > 0)) return 0;
  return Math.abs(ax / (SQRT_THREE * inverseNormalCdf(Math.min(Math.cbrt(f / (TWO_PI_OVER_SQRT_27 * ax)), 0.5))));
}

/**
 * European option price -> volatility. `market.volatility` is not needed. Throws CoreError:
 * ERR_CORE_INVALID_INPUT for a NaN, infinite or negative price or any invalid market/option field;
 * ERR_CORE_PRICE_BELOW_INTRINSIC (param 'price') when price <= max(S e^(-qT) - K e^(-rT), 0) for a call
 * (max(K e^(-rT) - S e^(-qT), 0) for a put), the discounted intrinsic value;
 * ERR_CORE_PRICE_ABOVE_MAXIMUM (param 'price') when price >= S e^(-qT) for a call, K e^(-rT) for a put;
 * ERR_CORE_NO_CONVERGENCE if the iteration failed to settle (not observed on the tested range).
 * American exercise is accepted only where it is worth the same as European: a call with q = 0 and r >= 0.
 */
export function impliedVolatility(
  price: number,
  option: OptionSpec,
  market: Omit<MarketInputs, 'volatility'>,
): ImpliedVolatilityResult {
  validateQuote(price, option, market);
  const out = new ImpliedVolatilityWorkspace();
  const status = solveImpliedVolatility(
    price,
    option.type === 'call',
    market.spot,
    option.strike,
    option.expiry,
    market.rate,
    market.dividendYield,
    out,
  );
  if (status === IMPLIED_VOLATILITY_STATUS.ok)
    return { volatility: out.volatility, iterations: out.iterations, converged: true };
  throw statusError(status, price, option, market);
}

function validateQuote(price: number, option: OptionSpec, market: Omit<MarketInputs, 'volatility'>): void {
  validateQuoteInputs(price, option, market);
  if (option.exercise === 'american') {
    if (!(option.type === 'call' && market.dividendYield === 0 && market.rate >= 0)) {
      throw new CoreError(
        'ERR_CORE_UNSUPPORTED_EXERCISE',
        'the European implied volatility inverts American prices only for calls with no dividend yield and a non-negative rate; use impliedVolatilityAmerican',
        'exercise',
      );
    }
  } else {
    requireExerciseStyle(option);
  }
}

/** The CoreError for a non-ok status, naming the bound and its value. */
export function statusError(
  status: ImpliedVolatilityStatus,
  price: number,
  option: Pick<OptionSpec, 'type' | 'strike' | 'expiry'>,
  market: Omit<MarketInputs, 'volatility'>,
): CoreError {
  const discountedForward = market.spot * Math.exp(-market.dividendYield * option.expiry);
  const discountedStrike = option.strike * Math.exp(-market.rate * option.expiry);
  const isCall = option.type === 'call';
  switch (status) {
    case IMPLIED_VOLATILITY_STATUS.belowIntrinsic: {
      const bound = Math.max(isCall ? discountedForward - discountedStrike : discountedStrike - discountedForward, 0);
      const formula = isCall ? 'max(S e^(-qT) - K e^(-rT), 0)' : 'max(K e^(-rT) - S e^(-qT), 0)';
      const resolution = price > bound ? ' to within floating-point resolution' : '';
      return new CoreError(
        'ERR_CORE_PRICE_BELOW_INTRINSIC',
        `price ${price} is not above the lower no-arbitrage bound ${bound} of a European ${isCall ? 'call' : 'put'} (the discounted intrinsic value ${formula})${resolution}: no volatility gives it`,
        'price',
      );
    }
    case IMPLIED_VOLATILITY_STATUS.aboveMaximum: {
      const bound = isCall ? discountedForward : discountedStrike;
      const formula = isCall ? 'S e^(-qT)' : 'K e^(-rT)';
      return new CoreError(
        'ERR_CORE_PRICE_ABOVE_MAXIMUM',
        `price ${price} is not below the upper no-arbitrage bound ${bound} of a European ${isCall ? 'call' : 'put'} (${formula}): no volatility gives it`,
        'price',
      );
    }
    case IMPLIED_VOLATILITY_STATUS.noConvergence:
      return new CoreError(
        'ERR_CORE_NO_CONVERGENCE',
        `the implied volatility iteration did not converge for price ${price}`,
        'price',
      );
    default:
      // Every field passed validation, so only the scale is left: (r + q) T or ln(S/K) + (r - q) T beyond the
      // range of doubles.
      return new CoreError(
        'ERR_CORE_INVALID_INPUT',
        `rate ${market.rate}, dividend yield ${market.dividendYield} and expiry ${option.expiry} put the discounted forward or strike outside the range of doubles`,
        'rate',
      );
  }
}
