/**
 * Shape-preserving rational cubic interpolation on one interval, after R. Delbourgo and J. A. Gregory,
 * "Shape preserving piecewise rational interpolation", SIAM J. Sci. Stat. Comput. 6 (1985) 967-976, as used by
 * P. Jäckel, "Let's be rational" (2015) for the initial guess of the implied volatility.
 *
 * On [xl, xr] with end values yl, yr, end slopes dl, dr and a control parameter r > -1, with h = xr - xl and
 * u = (x - xl)/h:
 *
 *   P(u) = [yr u^3 + (r yr - h dr) u^2 (1-u) + (r yl + h dl) u (1-u)^2 + yl (1-u)^3] / [1 + (r - 3) u (1-u)].
 *
 * r = 3 gives the cubic Hermite interpolant; r -> infinity tends to the straight line. Choosing r to match a
 * second derivative at one end makes the interpolant osculate the function there.
 */

const EPSILON = 2 ** -52;
/** The smallest normal double (C's DBL_MIN). */
const DBL_MIN = 2.2250738585072014e-308;
/** Below -1 the denominator can vanish; Jäckel keeps a margin of sqrt(eps). */
const MINIMUM_CONTROL = -(1 - Math.sqrt(EPSILON));
/** Large enough that P is the straight line to machine precision. */
const MAXIMUM_CONTROL = 2 / (EPSILON * EPSILON);

function isZero(value: number): boolean {
  return Math.abs(value) < DBL_MIN;
}

/** P(x) on [xl, xr]; see the module comment. */
export function rationalCubicInterpolation(
  x: number,
  xl: number,
  xr: number,
  yl: number,
  yr: number,
  dl: number,
  dr: number,
  r: number,
): number {
  const h = xr - xl;
  if (Math.abs(h) <= 0) return 0.5 * (yl + yr);
  const u = (x - xl) / h;
  if (r >= MAXIMUM_CONTROL) return yr * u + yl * (1 - u);
  const v = 1 - u;
  const u2 = u * u;
  const v2 = v * v;
  return (yr * u2 * u + (r * yr - h * dr) * u2 * v + (r * yl + h * dl) * u * v2 + yl * v2 * v) / (1 + (r - 3) * u * v);
}

/**
 * The r at which P''(xl) (atRight false) or P''(xr) (atRight true) equals `secondDerivative`, from differentiating
 * P twice at u = 0 or u = 1; `slope` is (yr - yl)/(xr - xl).
 */
function controlToFitSecondDerivative(
  h: number,
  slope: number,
  dl: number,
  dr: number,
  secondDerivative: number,
  atRight: boolean,
): number {
  const numerator = 0.5 * h * secondDerivative + (dr - dl);
  if (isZero(numerator)) return 0;
  const denominator = atRight ? dr - slope : slope - dl;
  if (isZero(denominator)) return numerator > 0 ? MAXIMUM_CONTROL : MINIMUM_CONTROL;
  return numerator / denominator;
}

/**
 * The smallest r that keeps P monotone (Delbourgo & Gregory's condition (3.8)) and convex or concave
 * (condition (3.18)) when the data allow it; `slope` is (yr - yl)/(xr - xl).
 */
function minimumShapePreservingControl(
  dl: number,
  dr: number,
  slope: number,
  preferShapePreservation: boolean,
): number {
  const monotonic = dl * slope >= 0 && dr * slope >= 0;
  const convex = dl <= slope && slope <= dr;
  const concave = dl >= slope && slope >= dr;
  if (!monotonic && !convex && !concave) return MINIMUM_CONTROL;
  let rMonotonic = -Number.MAX_VALUE;
  let rConvex = -Number.MAX_VALUE;
  if (monotonic) {
    if (!isZero(slope)) rMonotonic = (dr + dl) / slope;
    else if (preferShapePreservation) rMonotonic = MAXIMUM_CONTROL;
  }
  if (convex || concave) {
    const rightGap = Math.abs(dr - slope);
    const leftGap = Math.abs(slope - dl);
    // max(|dr - dl| / rightGap, |dr - dl| / leftGap) with one division.
    if (!(isZero(leftGap) || isZero(rightGap))) rConvex = Math.abs(dr - dl) / Math.min(leftGap, rightGap);
    else if (preferShapePreservation) rConvex = MAXIMUM_CONTROL;
  } else if (monotonic && preferShapePreservation) {
    // Slopes at the ends disagree with the chord: only the straight line keeps the shape.
    rConvex = MAXIMUM_CONTROL;
  }
  return Math.max(MINIMUM_CONTROL, rMonotonic, rConvex);
}

/** The control parameter that matches P''(xl), raised where needed so that P keeps the data's shape. */
export function convexControlToFitSecondDerivativeAtLeft(
  xl: number,
  xr: number,
  yl: number,
  yr: number,
  dl: number,
  dr: number,
  secondDerivative: number,
  preferShapePreservation: boolean,
): number {
  const h = xr - xl;
  const slope = (yr - yl) / h;
  const r = controlToFitSecondDerivative(h, slope, dl, dr, secondDerivative, false);
  return Math.max(r, minimumShapePreservingControl(dl, dr, slope, preferShapePreservation));
}

/** The control parameter that matches P''(xr), raised where needed so that P keeps the data's shape. */
export function convexControlToFitSecondDerivativeAtRight(
  xl: number,
  xr: number,
  yl: number,
  yr: number,
  dl: number,
  dr: number,
  secondDerivative: number,
  preferShapePreservation: boolean,
): number {
  const h = xr - xl;
  const slope = (yr - yl) / h;
  const r = controlToFitSecondDerivative(h, slope, dl, dr, secondDerivative, true);
  return Math.max(r, minimumShapePreservingControl(dl, dr, slope, preferShapePreservation));
}
