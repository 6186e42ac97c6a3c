import { portableExpInPlace } from './portable-exp.js';
import { portableLog } from './portable-log.js';
import { tableExp } from './table-exp.js';
import { nextXoshiro128 } from './xoshiro128.js';

/**
 * Standard normal variates by the ziggurat method of G. Marsaglia and W. W. Tsang, "The ziggurat method for
 * generating random variables", Journal of Statistical Software 5(8) (2000), with their 128 layers, driven by
 * xoshiro128** (`math/xoshiro128.ts`).
 *
 * The density f(x) = exp(-x^2 / 2) on x >= 0 is covered by 127 rectangles [0, x_i] x [f(x_i), f(x_{i-1})],
 * i = 1 .. 127, x_0 = 0 < x_1 < ... < x_127 = R, and a base layer 0 (the rectangle [0, R] x [0, f(R)] plus the
 * tail x > R), all of the same area V. R = 3.442619855899 and V = 9.91256303526217e-3 are the published constants;
 * the x_i follow from x_{i-1} = sqrt(-2 ln(V / x_i + f(x_i))), computed here at module load with the IEEE-only
 * `portableLog` and `portableExpInPlace`, so the tables are the same on every engine.
 *
 * One 32-bit word w makes a variate with probability 0.972 (measured; the top layer, x_0 = 0, never accepts at
 * once): bits 0-6 choose the layer i, and the signed integer j = w >> 7 (bits 7-31, in [-2^24, 2^24)) gives
 * a = j + 1/2, a symmetric grid of 2^25 half-integers with no zero. The candidate is a x_i 2^-24 (a Q 2^-24 on the base layer, Q = V / f(R)), accepted at once when
 * |a| x_i 2^-24 < x_{i-1} (inside the layer above's width; the base layer: < R). The sign rides on a, so the common
 * case has no data-dependent branch but the acceptance test, which is nearly always taken. The layer and the
 * magnitude come from disjoint bits, so the value is not correlated with the layer (the weakness J. Doornik, "An
 * improved ziggurat method to generate normal random samples" (2005), found in the original, which used the same
 * bits for both). Otherwise: on a layer i >= 1, a second word places y uniformly in [f(x_i), f(x_{i-1})] and
 * |x| is accepted when y < f(|x|) (by `tableExp`, IEEE-only too), else everything restarts with a fresh word; on
 * the base layer, Marsaglia's tail method: x = -ln(U1) / R, y = -ln(U2) until 2y > x^2, giving R + x. Uniforms
 * from words are (w + 1/2) 2^-32, strictly inside (0, 1).
 */

const R = 3.442619855899;
const V = 9.91256303526217e-3;
const LAYERS = 128;
const GRID = 2 ** 24;
const INV_R = 1 / R;
const TWO_POW_MINUS_32 = 2 ** -32;
/** Scratch of f(x) = e^(-x^2 / 2) for the tables, through the block interface of portableExpInPlace. */
const wedge = new Float64Array(1);

/** Fast-accept thresholds on |a|: 2^24 x_{i-1} / x_i, and 2^24 R / Q for the base layer. */
const KN = new Float64Array(LAYERS);
/** Scale of a: x_i 2^-24, and Q 2^-24 for the base layer. */
const WN = new Float64Array(LAYERS);
/**
 * The fast branch's tables, for a caller that draws the normals inside its own loop (the Longstaff-Schwartz
 * bridge): layer = w & 127, a = (w >> 7) + 1/2, the normal is a ZIGGURAT_WN[layer] when |a| < ZIGGURAT_KN[layer],
 * else zigguratSlowNormal(state, at, w). Read-only by convention.
 */
export const ZIGGURAT_KN: Float64Array = KN;
export const ZIGGURAT_WN: Float64Array = WN;
/** f(x_i), with f(x_0) = f(0) = 1. */
const FN = new Float64Array(LAYERS);

function density(x: number): number {
  wedge[0] = -0.5 * x * x;
  portableExpInPlace(wedge, 1);
  return wedge[0]!;
}

{
  const x = new Float64Array(LAYERS);
  x[LAYERS - 1] = R;
  for (let i = LAYERS - 1; i >= 2; i--) x[i - 1] = Math.sqrt(-2 * portableLog(V / x[i]! + density(x[i]!)));
  const q = V / density(R);
  KN[0] = (R / q) * GRID;
  WN[0] = q / GRID;
  FN[0] = 1;
  for (let i = 1; i < LAYERS; i++) {
    KN[i] = (x[i - 1]! / x[i]!) * GRID;
    WN[i] = x[i]! / GRID;
    FN[i] = density(x[i]!);
  }
}

/** The layer boundaries x_1 .. x_127 (index i), for the tests: the layers must have equal areas. */
export function zigguratLayerEdges(): Float64Array {
  const edges = new Float64Array(LAYERS);
  for (let i = 1; i < LAYERS; i++) edges[i] = WN[i]! * GRID;
  return edges;
}

function uniform(state: Int32Array, at: number): number {
  return ((nextXoshiro128(state, at) >>> 0) + 0.5) * TWO_POW_MINUS_32;
}

/**
 * The rare branch: word `w` fell outside its layer's inner rectangle (|a| >= ZIGGURAT_KN[layer]). Draws further
 * words from the generator at state[at] as needed and returns the normal.
 */
export function zigguratSlowNormal(state: Int32Array, at: number, w: number): number {
  for (;;) {
    const layer = w & (LAYERS - 1);
    const a = (w >> 7) + 0.5;
    if (Math.abs(a) < KN[layer]!) return a * WN[layer]!;
    if (layer === 0) {
      let x: number;
      let y: number;
      do {
        x = -portableLog(uniform(state, at)) * INV_R;
        y = -portableLog(uniform(state, at));
      } while (y + y < x * x);
      return a < 0 ? -(R + x) : R + x;
    }
    const z = a * WN[layer]!;
    const y = FN[layer]! + uniform(state, at) * (FN[layer - 1]! - FN[layer]!);
    if (y < tableExp(-0.5 * z * z)) return z;
    w = nextXoshiro128(state, at);
  }
}

/**
 * out[0 .. count - 1] = the next `count` standard normals of the xoshiro128** generator at state[at .. at + 3],
 * whose state advances. The generator step is written out in the inner loop (the same as `nextXoshiro128`), and
 * the inner loop leaves for the rare slow branch instead of calling it: with a call inside, V8 keeps the state
 * words in memory and the loop runs at half the speed.
 */
export function fillZigguratNormals(state: Int32Array, at: number, out: Float64Array, count: number): void {
  let s0 = state[at]!;
  let s1 = state[at + 1]!;
  let s2 = state[at + 2]!;
  let s3 = state[at + 3]!;
  let i = 0;
  for (;;) {
    let w = 0;
    for (; i < count; i++) {
      const product = Math.imul(s1, 5);
      w = Math.imul((product << 7) | (product >>> 25), 9);
      const t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = (s3 << 11) | (s3 >>> 21);
      const layer = w & (LAYERS - 1);
      const a = (w >> 7) + 0.5;
      if (!(Math.abs(a) < KN[layer]!)) break;
      out[i] = a * WN[layer]!;
    }
    state[at] = s0;
    state[at + 1] = s1;
    state[at + 2] = s2;
    state[at + 3] = s3;
    if (i >= count) return;
    out[i++] = zigguratSlowNormal(state, at, w);
    s0 = state[at]!;
    s1 = state[at + 1]!;
    s2 = state[at + 2]!;
    s3 = state[at + 3]!;
  }
}
