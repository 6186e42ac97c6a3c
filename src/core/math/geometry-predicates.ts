/**
 * Signs of the two geometric predicates a Delaunay triangulation needs, exact for any finite double inputs.
 *
 * Each predicate first evaluates its determinant in floating point and trusts the sign when the value exceeds a
 * forward error bound (the "stage A" bounds of Shewchuk, "Adaptive Precision Floating-Point Arithmetic and Fast
 * Robust Geometric Predicates", 1997: (3 + 16 eps) eps and (10 + 96 eps) eps times the determinant's permanent,
 * eps = 2^-53). Only near-degenerate inputs (collinear or cocircular within rounding) fail that filter; they are
 * decided exactly with integer arithmetic: every double is an integer times a power of two, so scaling all the
 * coordinates of one call by a common power of two makes them BigInts and the determinant exact. That path is slow
 * (microseconds) but rare, and keeps the code short enough to check by eye (docs/api.md, "Volatility surface").
 */

const EPS = 2 ** -53;
const ORIENT_BOUND = (3 + 16 * EPS) * EPS;
const INCIRCLE_BOUND = (10 + 96 * EPS) * EPS;

/**
 * A k >= 0 such that x * 2^k is an integer (exact: scaling by a power of two never rounds here). A double's 53-bit
 * significand ends at most 52 binary places below its leading bit, so k = 53 - floor(log2 |x|) suffices (one place
 * of margin for log2's rounding); the loop is for the cases that estimate cannot serve (subnormals, 2^k overflow).
 */
function binaryScale(x: number): number {
  if (x === 0) return 0;
  const estimate = Math.max(0, 53 - Math.floor(Math.log2(Math.abs(x))));
  if (estimate <= 1000 && Number.isInteger(x * 2 ** estimate)) return estimate;
  let k = 0;
  let scaled = x;
  while (!Number.isInteger(scaled)) {
    scaled *= 2;
    k += 1;
  }
  return k;
}

/** x * 2^k, in steps so that 2^k itself never overflows (k reaches 1074 for the smallest subnormal). */
function timesPowerOfTwo(x: number, k: number): number {
  let scaled = x;
  let rest = k;
  for (; rest > 1000; rest -= 1000) scaled *= 2 ** 1000;
  return scaled * 2 ** rest;
}

/** The doubles as exact BigInts, all scaled by the same power of two. */
function toCommonIntegers(values: readonly number[]): bigint[] {
  const scales = values.map(binaryScale);
  const shift = Math.max(...scales);
  return values.map((x, i) => BigInt(timesPowerOfTwo(x, scales[i]!)) << BigInt(shift - scales[i]!));
}

function sign(v: bigint): number {
  return v > 0n ? 1 : v < 0n ? -1 : 0;
}

function orientExact(ax: number, ay: number, bx: number, by: number, cx: number, cy: number): number {
  const [iax, iay, ibx, iby, icx, icy] = toCommonIntegers([ax, ay, bx, by, cx, cy]) as [
    bigint,
    bigint,
    bigint,
    bigint,
    bigint,
    bigint,
  ];
  return sign((iax - icx) * (iby - icy) - (iay - icy) * (ibx - icx));
}

/**
 * Positive when a, b, c turn counter-clockwise (c left of the directed line a -> b), negative when clockwise,
 * zero when collinear.
 */
export function orient2d(ax: number, ay: number, bx: number, by: number, cx: number, cy: number): number {
  const left = (ax - cx) * (by - cy);
  const right = (ay - cy) * (bx - cx);
  const det = left - right;
  const bound = ORIENT_BOUND * (Math.abs(left) + Math.abs(right));
  if (det > bound) return 1;
  if (-det > bound) return -1;
  return orientExact(ax, ay, bx, by, cx, cy);
}

function inCircleExact(
  ax: number,
  ay: number,
  bx: number,
  by: number,
  cx: number,
  cy: number,
  dx: number,
  dy: number,
): number {
  const [iax, iay, ibx, iby, icx, icy, idx, idy] = toCommonIntegers([ax, ay, bx, by, cx, cy, dx, dy]) as [
    bigint,
    bigint,
    bigint,
    bigint,
    bigint,
    bigint,
    bigint,
    bigint,
  ];
  const adx = iax - idx,
    ady = iay - idy,
    bdx = ibx - idx,
    bdy = iby - idy,
    cdx = icx - idx,
    cdy = icy - idy;
  const det =
    (adx * adx + ady * ady) * (bdx * cdy - cdx * bdy) +
    (bdx * bdx + bdy * bdy) * (cdx * ady - adx * cdy) +
    (cdx * cdx + cdy * cdy) * (adx * bdy - bdx * ady);
  return sign(det);
}

/**
 * Positive when d lies strictly inside the circle through a, b, c (which must turn counter-clockwise), negative
 * when strictly outside, zero when the four points are cocircular.
 */
export function inCircle(
  ax: number,
  ay: number,
  bx: number,
  by: number,
  cx: number,
  cy: number,
  dx: number,
  dy: number,
): number {
  const adx = ax - dx,
    ady = ay - dy,
    bdx = bx - dx,
    bdy = by - dy,
    cdx = cx - dx,
    cdy = cy - dy;
  const bdxcdy = bdx * cdy,
    cdxbdy = cdx * bdy,
    cdxady = cdx * ady,
    adxcdy = adx * cdy,
    adxbdy = adx * bdy,
    bdxady = bdx * ady;
  const alift = adx * adx + ady * ady,
    blift = bdx * bdx + bdy * bdy,
    clift = cdx * cdx + cdy * cdy;
  const det = alift * (bdxcdy - cdxbdy) + blift * (cdxady - adxcdy) + clift * (adxbdy - bdxady);
  const permanent =
    (Math.abs(bdxcdy) + Math.abs(cdxbdy)) * alift +
    (Math.abs(cdxady) + Math.abs(adxcdy)) * blift +
    (Math.abs(adxbdy) + Math.abs(bdxady)) * clift;
  const bound = INCIRCLE_BOUND * permanent;
  if (det > bound) return 1;
  if (-det > bound) return -1;
  return inCircleExact(ax, ay, bx, by, cx, cy, dx, dy);
}
