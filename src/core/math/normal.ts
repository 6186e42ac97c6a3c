/**
 * The standard normal distribution and the error functions, to full relative accuracy in both tails.
 *
 * The rational approximations are W. J. Cody's near-minimax forms, "Rational Chebyshev approximations for
 * the error function", Math. Comp. 23 (1969) 631-638, with the coefficients of his netlib specfun packet
 * CALERF (https://www.netlib.org/specfun/erf, March 1990 revision):
 *   |w| <= 0.46875        erf(w)             = w A(w^2) / B(w^2)
 *   0.46875 < w <= 4      exp(w^2) erfc(w)   = C(w) / D(w)
 *   w > 4                 exp(w^2) erfc(w)   = (1/sqrt(pi) - P(1/w^2) / (w^2 Q(1/w^2))) / w
 * Tail values are built as exp(-x^2/2) times a rational function, never as 1 - cdf, so Phi(-37) keeps all
 * its digits. The exponent's own rounding error (x^2 rounded to a double) would cost x^2 * 2^-53 of relative
 * accuracy, 1e-13 at x = 37, so the square is formed exactly (Dekker's product) and its low part applied
 * as a first-order correction.
 */

// Cody's coefficients, in his order: numerators from the constant term up, denominators with an implicit
// leading 1. They are published constants (CALERF's DATA statements), not fitted here.
const A0 = 3.1611237438705655,
  A1 = 113.86415415105016,
  A2 = 377.485237685302,
  A3 = 3209.3775891384694,
  A4 = 0.18577770618460315;
const B0 = 23.601290952344122,
  B1 = 244.02463793444417,
  B2 = 1282.6165260773723,
  B3 = 2844.236833439171;
const C0 = 0.5641884969886701,
  C1 = 8.883149794388377,
  C2 = 66.11919063714163,
  C3 = 298.6351381974001;
const C4 = 881.952221241769,
  C5 = 1712.0476126340707,
  C6 = 2051.0783778260716,
  C7 = 1230.3393547979972;
const C8 = 2.1531153547440383e-8;
const D0 = 15.744926110709835,
  D1 = 117.6939508913125,
  D2 = 537.1811018620099,
  D3 = 1621.3895745666903;
const D4 = 3290.7992357334597,
  D5 = 4362.619090143247,
  D6 = 3439.3676741437216,
  D7 = 1230.3393548037495;
const P0 = 0.30532663496123236,
  P1 = 0.36034489994980445,
  P2 = 0.12578172611122926,
  P3 = 0.016083785148742275;
const P4 = 0.0006587491615298378,
  P5 = 0.016315387137302097;
const Q0 = 2.568520192289822,
  Q1 = 1.8729528499234604,
  Q2 = 0.5279051029514285,
  Q3 = 0.06051834131244132;
const Q4 = 0.0023352049762686918;

/** 1/sqrt(pi) */
const INV_SQRT_PI = 0.5641895835477563;
/** sqrt(pi) */
const SQRT_PI = 1.772453850905516;
/** 1/sqrt(2 pi) */
const INV_SQRT_2PI = 0.3989422804014327;
/** sqrt(pi/2): the Mills ratio in terms of erfcx, R(x) = sqrt(pi/2) erfcx(x/sqrt(2)). */
const SQRT_HALF_PI = 1.2533141373155003;
/** Boundary of Cody's first interval. */
const THRESHOLD = 0.46875;
/** The same boundary on the scale of the normal variable, 0.46875 * sqrt(2). */
const NORMAL_THRESHOLD = 0.6629126073623883;
/** e^-44 rounded to the nearest double (mpmath). */
const E_MINUS_44 = 7.781132241133797e-20;
/** Veltkamp's splitting constant 2^27 + 1: splits a double into two halves whose products are exact. */
const SPLITTER = 134217729;

/** erf(w) on Cody's first interval |w| <= 0.46875. */
function erfSmall(w: number): number {
  const z = w * w;
  return (w * ((((A4 * z + A0) * z + A1) * z + A2) * z + A3)) / ((((z + B0) * z + B1) * z + B2) * z + B3);
}

/** exp(w^2) erfc(w) on Cody's second interval, 0.46875 < w <= 4. */
function erfcxMiddle(w: number): number {
  const num = (((((((C8 * w + C0) * w + C1) * w + C2) * w + C3) * w + C4) * w + C5) * w + C6) * w + C7;
  const den = (((((((w + D0) * w + D1) * w + D2) * w + D3) * w + D4) * w + D5) * w + D6) * w + D7;
  return num / den;
}

/**
 * Cody's tail correction rho(w) for w > 4: exp(w^2) erfc(w) = (1/sqrt(pi) - rho(w)) / w. Kept separate
 * because rho itself is what 1 - x R(x) reduces to, without the cancellation the difference would suffer.
 */
function tailRho(w: number): number {
  const z = 1 / (w * w);
  const num = ((((P5 * z + P0) * z + P1) * z + P2) * z + P3) * z + P4;
  const den = ((((z + Q0) * z + Q1) * z + Q2) * z + Q3) * z + Q4;
  return (z * num) / den;
}

/**
 * exp(-x*x/2) with the square formed exactly. |x| must stay far below 1e150 so the split cannot overflow;
 * callers cut off near 40, where the result has underflowed anyway.
 */
function expHalfSquareNeg(x: number): number {
  const p = x * x;
  const c = SPLITTER * x;
  const hi = c - (c - x);
  const lo = x - hi;
  // p + err is exactly x^2; exp(-(p + err)/2) = exp(-p/2) (1 - err/2) to second order in err ~ 1e-16 p.
  const err = hi * hi - p + 2 * hi * lo + lo * lo;
  return Math.exp(-0.5 * p) * (1 - 0.5 * err);
}

/** exp(-w*w) with the square formed exactly (see expHalfSquareNeg). */
function expSquareNeg(w: number): number {
  const p = w * w;
  const c = SPLITTER * w;
  const hi = c - (c - w);
  const lo = w - hi;
  const err = hi * hi - p + 2 * hi * lo + lo * lo;
  return Math.exp(-p) * (1 - err);
}

/** erf(x), accurate to a few ulps everywhere (relative accuracy near 0, absolute near +-1). */
export function erf(x: number): number {
  const w = Math.abs(x);
  if (w <= THRESHOLD) return erfSmall(x);
  const tail = erfcPositive(w);
  return x > 0 ? 1 - tail : tail - 1;
}

/** erfc(w) for w > 0.46875. */
function erfcPositive(w: number): number {
  if (w <= 4) return expSquareNeg(w) * erfcxMiddle(w);
  // exp(-w^2) underflows completely past 27.3; the guard also keeps the exact-square split away from infinity.
  if (w >= 27.3) return 0;
  return (expSquareNeg(w) * (INV_SQRT_PI - tailRho(w))) / w;
}

/** Complementary error function erfc(x) = 1 - erf(x), with full relative accuracy for large positive x. */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (Math.abs(x) <= THRESHOLD) return 1 - erfSmall(x);
  return x > 0 ? erfcPositive(x) : 2 - erfcPositive(-x);
}

/**
 * Scaled complementary error function exp(x^2) erfc(x). Full relative accuracy for x >= 0, where it
 * decays like 1/(x sqrt(pi)) with no underflow; for x < 0 it is 2 exp(x^2) - erfcx(-x), which overflows
 * to Infinity below about -26.6.
 */
export function erfcx(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < -THRESHOLD) {
    const w = -x;
    return 2 * Math.exp(w * w) - erfcxPositive(w);
  }
  if (x <= THRESHOLD) return Math.exp(x * x) * (1 - erfSmall(x));
  return erfcxPositive(x);
}

/** erfcx(w) for w > 0.46875. */
function erfcxPositive(w: number): number {
  if (w <= 4) return erfcxMiddle(w);
  return (INV_SQRT_PI - tailRho(w)) / w;
}

/** Standard normal density exp(-x^2/2)/sqrt(2 pi), accurate to a few ulps until it underflows (|x| > 38.6). */
export function normPdf(x: number): number {
  const a = Math.abs(x);
  // Beyond 40 the density is below 1e-348: zero in doubles. The cut-off also keeps NaN and Infinity out of the split.
  if (!(a < 40)) return Number.isNaN(x) ? NaN : 0;
  return INV_SQRT_2PI * expHalfSquareNeg(a);
}

/**
 * Mills ratio R(x) = (1 - Phi(x)) / phi(x) = sqrt(pi/2) erfcx(x/sqrt(2)). Full relative accuracy for
 * x >= -0.66; grows like sqrt(2 pi) exp(x^2/2) for negative x and overflows below about -37.6.
 * No exponential is evaluated for x > 0.66, so callers that already hold phi(x) get Phi(-x) for the price of
 * a rational function.
 */
export function millsRatio(x: number): number {
  const w = x * Math.SQRT1_2;
  // The two tail intervals first and without nested branches: this is the pricing kernels' hot path.
  if (w > 4) return (SQRT_HALF_PI * (INV_SQRT_PI - tailRho(w))) / w;
  if (w > THRESHOLD) return SQRT_HALF_PI * erfcxMiddle(w);
  return SQRT_HALF_PI * erfcx(w);
}

/**
 * The derivative of the Mills ratio, R'(x) = x R(x) - 1 (always negative). For x > 4 sqrt(2) it is formed
 * as -sqrt(pi) rho(x/sqrt(2)) from Cody's tail correction, which avoids the cancellation in x R(x) - 1 as
 * R(x) approaches 1/x. Between 0.66 and 5.66 the cancellation costs up to a factor 35: errors of up to
 * ~50 ulps (measured against mpmath), harmless where it is used (a quadrature integrand in black-scholes.ts).
 */
export function millsRatioDerivative(x: number): number {
  const w = x * Math.SQRT1_2;
  if (w > 4) return -SQRT_PI * tailRho(w);
  return x * SQRT_HALF_PI * erfcx(w) - 1;
}

/**
 * Standard normal CDF Phi(x), with full relative accuracy in both tails: Phi(-10) = 7.619853024160527e-24,
 * and the lower tail continues into the subnormal range (Phi(-38) ~ 2.9e-316) before it reaches 0.
 */
export function normCdf(x: number): number {
  if (x < -NORMAL_THRESHOLD) return lowerTail(-x);
  if (x <= NORMAL_THRESHOLD) return 0.5 + 0.5 * erfSmall(x * Math.SQRT1_2);
  if (x > NORMAL_THRESHOLD) return 1 - lowerTail(x);
  return NaN;
}

/** Phi(-a) for a > 0.66: phi(a) R(a). */
function lowerTail(a: number): number {
  if (!(a < 39)) return 0;
  const r = SQRT_HALF_PI * erfcxPositive(a * Math.SQRT1_2);
  // Past a = 37.5 the density leaves the normal range; computing e^44 phi(a) keeps it there, so only the
  // final product rounds into the subnormal range.
  if (a > 37.5) return INV_SQRT_2PI * r * expHalfSquareNegScaled(a) * E_MINUS_44;
  return INV_SQRT_2PI * r * expHalfSquareNeg(a);
}

/** e^44 exp(-x^2/2) for 37.5 < x < 39, where the unscaled value would be subnormal. */
function expHalfSquareNegScaled(x: number): number {
  const p = x * x;
  const c = SPLITTER * x;
  const hi = c - (c - x);
  const lo = x - hi;
  const err = hi * hi - p + 2 * hi * lo + lo * lo;
  // -p/2 lies in [512, 1024) in magnitude, a multiple of its ulp, so adding the integer 44 is exact.
  return Math.exp(-0.5 * p + 44) * (1 - 0.5 * err);
}
