/**
 * The normal-distribution functions of src/core/math/normal.ts, operation for operation (W. J. Cody's rational
 * approximations, the exact square in the exponent), over the fdlibm exponential of fdlibm.ts: each returns the
 * same double as its TypeScript original.
 */
import { exp } from './fdlibm';

// Cody's coefficients (netlib specfun CALERF), as in src/core/math/normal.ts.
export const A0: f64 = 3.1611237438705655, A1: f64 = 113.86415415105016, A2: f64 = 377.485237685302, A3: f64 = 3209.3775891384694, A4: f64 = 0.18577770618460315;
export const B0: f64 = 23.601290952344122, B1: f64 = 244.02463793444417, B2: f64 = 1282.6165260773723, B3: f64 = 2844.236833439171;
export const C0: f64 = 0.5641884969886701, C1: f64 = 8.883149794388377, C2: f64 = 66.11919063714163, C3: f64 = 298.6351381974001;
export const C4: f64 = 881.952221241769, C5: f64 = 1712.0476126340707, C6: f64 = 2051.0783778260716, C7: f64 = 1230.3393547979972;
export const C8: f64 = 2.1531153547440383e-8;
export const D0: f64 = 15.744926110709835, D1: f64 = 117.6939508913125, D2: f64 = 537.1811018620099, D3: f64 = 1621.3895745666903;
export const D4: f64 = 3290.7992357334597, D5: f64 = 4362.619090143247, D6: f64 = 3439.3676741437216, D7: f64 = 1230.3393548037495;
export const P0: f64 = 0.30532663496123236, P1: f64 = 0.36034489994980445, P2: f64 = 0.12578172611122926, P3: f64 = 0.016083785148742275;
export const P4: f64 = 0.0006587491615298378, P5: f64 = 0.016315387137302097;
export const Q0: f64 = 2.568520192289822, Q1: f64 = 1.8729528499234604, Q2: f64 = 0.5279051029514285, Q3: f64 = 0.06051834131244132;
export const Q4: f64 = 0.0023352049762686918;

export const INV_SQRT_PI: f64 = 0.5641895835477563;
export const SQRT_PI: f64 = 1.772453850905516;
export const INV_SQRT_2PI: f64 = 0.3989422804014327;
export const SQRT_HALF_PI: f64 = 1.2533141373155003;
export const SQRT1_2: f64 = 0.7071067811865476; // Math.SQRT1_2
/** Boundary of Cody's first interval. */
export const THRESHOLD: f64 = 0.46875;
/** Veltkamp's splitting constant 2^27 + 1. */
export const SPLITTER: f64 = 134217729;

/** erf(w) on |w| <= 0.46875. */
export function erfSmall(w: f64): f64 {
  const z = w * w;
  return (w * ((((A4 * z + A0) * z + A1) * z + A2) * z + A3)) / ((((z + B0) * z + B1) * z + B2) * z + B3);
}

/** exp(w^2) erfc(w) on 0.46875 < w <= 4. */
export function erfcxMiddle(w: f64): f64 {
  const num = (((((((C8 * w + C0) * w + C1) * w + C2) * w + C3) * w + C4) * w + C5) * w + C6) * w + C7;
  const den = (((((((w + D0) * w + D1) * w + D2) * w + D3) * w + D4) * w + D5) * w + D6) * w + D7;
  return num / den;
}

/** Cody's tail correction for w > 4: exp(w^2) erfc(w) = (1/sqrt(pi) - tailRho(w)) / w. */
export function tailRho(w: f64): f64 {
  const z = 1 / (w * w);
  const num = ((((P5 * z + P0) * z + P1) * z + P2) * z + P3) * z + P4;
  const den = ((((z + Q0) * z + Q1) * z + Q2) * z + Q3) * z + Q4;
  return (z * num) / den;
}

/** exp(-w*w) with the square formed exactly. */
function expSquareNeg(w: f64): f64 {
  const p = w * w;
  const c = SPLITTER * w;
  const hi = c - (c - w);
  const lo = w - hi;
  const err = hi * hi - p + 2 * hi * lo + lo * lo;
  return exp(-p) * (1 - err);
}

/** erfc(w) for w > 0.46875. */
function erfcPositive(w: f64): f64 {
  if (w <= 4) return expSquareNeg(w) * erfcxMiddle(w);
  if (w >= 27.3) return 0;
  return (expSquareNeg(w) * (INV_SQRT_PI - tailRho(w))) / w;
}

export function erf(x: f64): f64 {
  const w = Math.abs(x);
  if (w <= THRESHOLD) return erfSmall(x);
  const tail = erfcPositive(w);
  return x > 0 ? 1 - tail : tail - 1;
}

/** erfcx(w) for w > 0.46875. */
function erfcxPositive(w: f64): f64 {
  if (w <= 4) return erfcxMiddle(w);
  return (INV_SQRT_PI - tailRho(w)) / w;
}

export function erfcx(x: f64): f64 {
  if (x !== x) return NaN;
  if (x < -THRESHOLD) {
    const w = -x;
    return 2 * exp(w * w) - erfcxPositive(w);
  }
  if (x <= THRESHOLD) return exp(x * x) * (1 - erfSmall(x));
  return erfcxPositive(x);
}

/** Mills ratio R(x) = (1 - Phi(x)) / phi(x). */
export function millsRatio(x: f64): f64 {
  const w = x * SQRT1_2;
  if (w > 4) return (SQRT_HALF_PI * (INV_SQRT_PI - tailRho(w))) / w;
  if (w > THRESHOLD) return SQRT_HALF_PI * erfcxMiddle(w);
  return SQRT_HALF_PI * erfcx(w);
}

/** R'(x) = x R(x) - 1. */
export function millsRatioDerivative(x: f64): f64 {
  const w = x * SQRT1_2;
  if (w > 4) return -SQRT_PI * tailRho(w);
  return x * SQRT_HALF_PI * erfcx(w) - 1;
}
