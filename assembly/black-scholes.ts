/**
 * The Black-Scholes-Merton batch kernel of src/core/engines/black-scholes.ts (blackScholesKernel) in WebAssembly
 * SIMD: price and the five greeks, in raw units, for options [0, n) of structure-of-arrays inputs.
 *
 * Options go two to a 128-bit vector (f64x2), through the TypeScript kernel's common path: moderate total
 * volatility, exponents within the normal range, Phi from Cody's central, middle or tail rational function. An
 * option that needs anything else (the quadrature of the "hard" regime, a logarithm near a special case, a total
 * volatility that underflowed) is priced by priceScalar (black-scholes-scalar.ts), a line-by-line port of the
 * TypeScript kernel. Every path performs the TypeScript kernel's IEEE-754 operations in its order, on exp, log and
 * log1p that return V8's doubles (fdlibm.ts, fdlibm-x2.ts), so every output equals the TypeScript result to the
 * bit; the tests check exactly that.
 *
 * Why stages: per pair of options the work is one long chain of dependent operations (log, exponentials,
 * Horner polynomials, divisions), several hundred cycles of latency and too many instructions for the processor
 * to overlap two pairs. So a block of pairs goes through a sequence of short loops, each doing one step for every
 * pair of the block and keeping its results in a scratch area: the iterations of a short loop are independent and
 * overlap. Rarely needed work (the logarithm far from the money, the far tail of Phi, the scalar path) runs over
 * lists of the pairs that need it, so no loop branches on the data.
 */
import { lanes } from './lanes';
import { expNonPositiveX2, expX2, log1pX2, log1pX2Rare, logX2, logX2Rare, splat } from './fdlibm-x2';
import {
  A0, A1, A2, A3, A4, B0, B1, B2, B3,
  C0, C1, C2, C3, C4, C5, C6, C7, C8, D0, D1, D2, D3, D4, D5, D6, D7,
  P0, P1, P2, P3, P4, P5, Q0, Q1, Q2, Q3, Q4,
  INV_SQRT_PI, INV_SQRT_2PI, SQRT_HALF_PI, SQRT1_2, THRESHOLD, SPLITTER,
} from './normal';
import {
  CENTRAL, LOSS_BUDGET, priceScalar, useBatch,
  isCallArray, spotArray, strikeArray, expiryArray, volatilityArray, rateArray, dividendArray,
  priceArray, deltaArray, gammaArray, thetaArray, vegaArray, rhoArray,
} from './black-scholes-scalar';

/** Pairs of options per block: the scratch area (SLOTS vectors per pair) stays within the L1 cache. */
const BLOCK_PAIRS = 64;
// Scratch slots, one vector per pair each.
const SLOT_SQRT_T = 0;
const SLOT_TOTAL_VOL = 1; // s = sigma sqrt(T)
const SLOT_RATE_EXPONENT = 2; // -r T
const SLOT_YIELD_EXPONENT = 3; // -q T
const SLOT_RATIO = 4; // S / K
const SLOT_LOG1P_ARGUMENT = 5; // (S - K) / K
const SLOT_NEAR_MONEY = 6; // mask: 0.5 <= S/K <= 2
const SLOT_RARE = 7; // mask: lanes for the scalar path
const SLOT_LN_SK = 8;
const SLOT_DFQ = 9;
const SLOT_DFR = 10;
const SLOT_FORWARD_LOG = 11; // x = ln(F/K)
const SLOT_D1 = 12;
const SLOT_D2 = 13;
const SLOT_DENSITY_EXPONENT = 14; // -d^2/2 with d^2 rounded
const SLOT_DENSITY_CORRECTION = 15; // 1 - err/2
const SLOT_PDF1 = 16;
const SLOT_PDF2 = 17;
const SLOT_SMALL1 = 18;
const SLOT_LARGE1 = 19;
const SLOT_SMALL2 = 20;
const SLOT_LARGE2 = 21;
const SLOTS = 22;
const SCRATCH_BYTES: usize = SLOTS * BLOCK_PAIRS * 16;
// Lists of pair indices (i32) after the vectors: pairs needing log, pairs needing the far tail; then options
// (absolute indices) for the scalar path.
const LOG_LIST: usize = SCRATCH_BYTES;
const FAR_LIST: usize = LOG_LIST + BLOCK_PAIRS * 4;
const SCALAR_LIST: usize = FAR_LIST + BLOCK_PAIRS * 4;
/** Bytes of linear memory the kernel uses from the start of the heap; callers' buffers go after. */
export const KERNEL_SCRATCH_BYTES: usize = SCALAR_LIST + BLOCK_PAIRS * 2 * 4;

// Vector constants (lanes.ts).
const V_A0: usize = memory.data<f64>([A0, A0], 16);
const V_A1: usize = memory.data<f64>([A1, A1], 16);
const V_A2: usize = memory.data<f64>([A2, A2], 16);
const V_A3: usize = memory.data<f64>([A3, A3], 16);
const V_A4: usize = memory.data<f64>([A4, A4], 16);
const V_B0: usize = memory.data<f64>([B0, B0], 16);
const V_B1: usize = memory.data<f64>([B1, B1], 16);
const V_B2: usize = memory.data<f64>([B2, B2], 16);
const V_B3: usize = memory.data<f64>([B3, B3], 16);
const V_C0: usize = memory.data<f64>([C0, C0], 16);
const V_C1: usize = memory.data<f64>([C1, C1], 16);
const V_C2: usize = memory.data<f64>([C2, C2], 16);
const V_C3: usize = memory.data<f64>([C3, C3], 16);
const V_C4: usize = memory.data<f64>([C4, C4], 16);
const V_C5: usize = memory.data<f64>([C5, C5], 16);
const V_C6: usize = memory.data<f64>([C6, C6], 16);
const V_C7: usize = memory.data<f64>([C7, C7], 16);
const V_C8: usize = memory.data<f64>([C8, C8], 16);
const V_CENTRAL: usize = memory.data<f64>([CENTRAL, CENTRAL], 16);
const V_D0: usize = memory.data<f64>([D0, D0], 16);
const V_D1: usize = memory.data<f64>([D1, D1], 16);
const V_D2: usize = memory.data<f64>([D2, D2], 16);
const V_D3: usize = memory.data<f64>([D3, D3], 16);
const V_D4: usize = memory.data<f64>([D4, D4], 16);
const V_D5: usize = memory.data<f64>([D5, D5], 16);
const V_D6: usize = memory.data<f64>([D6, D6], 16);
const V_D7: usize = memory.data<f64>([D7, D7], 16);
const V_DENSITY_ARGUMENT_LIMIT: usize = memory.data<f64>([37, 37], 16);
const V_EXP_ARGUMENT_LIMIT: usize = memory.data<f64>([708, 708], 16);
const V_FOUR: usize = memory.data<f64>([4, 4], 16);
const V_HALF: usize = memory.data<f64>([0.5, 0.5], 16);
const V_INV_SQRT_2PI: usize = memory.data<f64>([INV_SQRT_2PI, INV_SQRT_2PI], 16);
const V_INV_SQRT_PI: usize = memory.data<f64>([INV_SQRT_PI, INV_SQRT_PI], 16);
const V_LOSS_BUDGET: usize = memory.data<f64>([LOSS_BUDGET, LOSS_BUDGET], 16);
const V_MINUS_HALF: usize = memory.data<f64>([-0.5, -0.5], 16);
const V_ONE: usize = memory.data<f64>([1, 1], 16);
const V_P0: usize = memory.data<f64>([P0, P0], 16);
const V_P1: usize = memory.data<f64>([P1, P1], 16);
const V_P2: usize = memory.data<f64>([P2, P2], 16);
const V_P3: usize = memory.data<f64>([P3, P3], 16);
const V_P4: usize = memory.data<f64>([P4, P4], 16);
const V_P5: usize = memory.data<f64>([P5, P5], 16);
const V_Q0: usize = memory.data<f64>([Q0, Q0], 16);
const V_Q1: usize = memory.data<f64>([Q1, Q1], 16);
const V_Q2: usize = memory.data<f64>([Q2, Q2], 16);
const V_Q3: usize = memory.data<f64>([Q3, Q3], 16);
const V_Q4: usize = memory.data<f64>([Q4, Q4], 16);
const V_SPLITTER: usize = memory.data<f64>([SPLITTER, SPLITTER], 16);
const V_SQRT1_2: usize = memory.data<f64>([SQRT1_2, SQRT1_2], 16);
const V_SQRT_HALF_PI: usize = memory.data<f64>([SQRT_HALF_PI, SQRT_HALF_PI], 16);
const V_THRESHOLD: usize = memory.data<f64>([THRESHOLD, THRESHOLD], 16);
const V_TWO: usize = memory.data<f64>([2, 2], 16);

function scratchBase(): usize {
  return (__heap_base + 15) & ~(<usize>15);
}

let scratch: usize = 0;

function slot(kind: i32, pair: i32): usize {
  return scratch + ((<usize>(kind * BLOCK_PAIRS + pair)) << 4);
}

function get(kind: i32, pair: i32): v128 {
  return v128.load(slot(kind, pair));
}

function put(kind: i32, pair: i32, value: v128): void {
  v128.store(slot(kind, pair), value);
}

/**
 * Prices options [0, n). Inputs: isCall (u8, 1 call / 0 put) and six f64 arrays; outputs: six f64 arrays (the
 * greeks only when withGreeks). Inputs must be valid (priceBlackScholesBatch's checks). Returns how many options
 * took the scalar path.
 */
export function blackScholesBatch(
  isCall: usize, spot: usize, strike: usize, expiry: usize, volatility: usize, rate: usize, dividendYield: usize,
  price: usize, delta: usize, gamma: usize, theta: usize, vega: usize, rho: usize,
  n: i32, withGreeks: bool,
): i32 {
  useBatch(isCall, spot, strike, expiry, volatility, rate, dividendYield, price, delta, gamma, theta, vega, rho);
  scratch = scratchBase();
  let scalar = 0;
  const pairs = n >> 1;
  for (let first = 0; first < pairs; first += BLOCK_PAIRS) {
    const count = min(BLOCK_PAIRS, pairs - first);
    scalar += priceBlock(first << 1, count, withGreeks);
  }
  if (n & 1) {
    priceScalar(n - 1, withGreeks);
    scalar++;
  }
  return scalar;
}

/** Options first .. first + 2 count - 1; returns how many took the scalar path. */
function priceBlock(first: i32, count: i32, withGreeks: bool): i32 {
  const base = <usize>first << 3;
  let logCount = 0;

  // Stage 1: everything up to the arguments of the logarithm and the two discount exponentials.
  for (let j = 0; j < count; j++) {
    const offset = base + (<usize>j << 4);
    const S = v128.load(spotArray + offset);
    const K = v128.load(strikeArray + offset);
    const T = v128.load(expiryArray + offset);
    const q = v128.load(dividendArray + offset);
    const r = v128.load(rateArray + offset);
    const sqrtT = f64x2.sqrt(T);
    const s = f64x2.mul(v128.load(volatilityArray + offset), sqrtT);
    const qT = f64x2.mul(f64x2.neg(q), T);
    const rT = f64x2.mul(f64x2.neg(r), T);
    const ratio = f64x2.div(S, K);
    const nearMoney = v128.and(f64x2.ge(ratio, lanes(V_HALF)), f64x2.le(ratio, lanes(V_TWO)));
    const f = f64x2.div(f64x2.sub(S, K), K);
    const limit = lanes(V_EXP_ARGUMENT_LIMIT);
    // Phrased so that NaN counts as out of range.
    const ordinary = v128.and(f64x2.gt(s, splat(0)), v128.and(f64x2.le(f64x2.abs(qT), limit), f64x2.le(f64x2.abs(rT), limit)));
    put(SLOT_SQRT_T, j, sqrtT);
    put(SLOT_TOTAL_VOL, j, s);
    put(SLOT_YIELD_EXPONENT, j, qT);
    put(SLOT_RATE_EXPONENT, j, rT);
    put(SLOT_RATIO, j, ratio);
    put(SLOT_LOG1P_ARGUMENT, j, f);
    put(SLOT_NEAR_MONEY, j, nearMoney);
    put(SLOT_RARE, j, v128.or(v128.not(ordinary), v128.and(log1pX2Rare(f), nearMoney)));
    store<i32>(scratch + LOG_LIST + (<usize>logCount << 2), j);
    logCount += i32(i64x2.bitmask(nearMoney) !== 3);
  }

  // Stage 2: ln(S/K) by log1p near the money (every pair), by log elsewhere (the listed pairs).
  for (let j = 0; j < count; j++) put(SLOT_LN_SK, j, log1pX2(get(SLOT_LOG1P_ARGUMENT, j)));
  for (let k = 0; k < logCount; k++) {
    const j = load<i32>(scratch + LOG_LIST + (<usize>k << 2));
    const ratio = get(SLOT_RATIO, j);
    const nearMoney = get(SLOT_NEAR_MONEY, j);
    put(SLOT_LN_SK, j, v128.bitselect(get(SLOT_LN_SK, j), logX2(ratio), nearMoney));
    put(SLOT_RARE, j, v128.or(get(SLOT_RARE, j), v128.andnot(logX2Rare(ratio), nearMoney)));
  }

  // Stage 3: the discount factors.
  for (let j = 0; j < count; j++) {
    put(SLOT_DFQ, j, expX2(get(SLOT_YIELD_EXPONENT, j)));
    put(SLOT_DFR, j, expX2(get(SLOT_RATE_EXPONENT, j)));
  }

  // Stage 4: d1, d2 and the exponent of the density.
  for (let j = 0; j < count; j++) {
    const offset = base + (<usize>j << 4);
    const T = v128.load(expiryArray + offset);
    const r = v128.load(rateArray + offset);
    const q = v128.load(dividendArray + offset);
    const s = get(SLOT_TOTAL_VOL, j);
    const x = f64x2.add(get(SLOT_LN_SK, j), f64x2.mul(f64x2.sub(r, q), T));
    const h = f64x2.div(x, s);
    const t = f64x2.mul(lanes(V_HALF), s);
    const d1 = f64x2.add(h, t);
    const d2 = f64x2.sub(h, t);
    // The quadrature regime (s * 128 < max(|h| + t, 4)) and densities past |d| = 37 go to the scalar path.
    const hard = f64x2.lt(f64x2.mul(s, lanes(V_LOSS_BUDGET)), f64x2.pmax(f64x2.add(f64x2.abs(h), t), lanes(V_FOUR)));
    const a = f64x2.abs(v128.bitselect(d1, d2, f64x2.lt(x, splat(0))));
    const p = f64x2.mul(a, a);
    const c = f64x2.mul(lanes(V_SPLITTER), a);
    const hi = f64x2.sub(c, f64x2.sub(c, a));
    const lo = f64x2.sub(a, hi);
    const err = f64x2.add(
      f64x2.add(f64x2.sub(f64x2.mul(hi, hi), p), f64x2.mul(f64x2.mul(lanes(V_TWO), hi), lo)),
      f64x2.mul(lo, lo),
    );
    put(SLOT_FORWARD_LOG, j, x);
    put(SLOT_D1, j, d1);
    put(SLOT_D2, j, d2);
    put(SLOT_DENSITY_EXPONENT, j, f64x2.mul(lanes(V_MINUS_HALF), p));
    put(SLOT_DENSITY_CORRECTION, j, f64x2.sub(lanes(V_ONE), f64x2.mul(lanes(V_HALF), err)));
    put(SLOT_RARE, j, v128.or(get(SLOT_RARE, j), v128.or(hard, v128.not(f64x2.le(a, lanes(V_DENSITY_ARGUMENT_LIMIT))))));
  }

  // Stage 5: the density at d1 and at d2 (F phi(d1) = K phi(d2): one exponential, taken nearer 0).
  for (let j = 0; j < count; j++) {
    const offset = base + (<usize>j << 4);
    const DS = f64x2.mul(v128.load(spotArray + offset), get(SLOT_DFQ, j));
    const DK = f64x2.mul(v128.load(strikeArray + offset), get(SLOT_DFR, j));
    const pdf = f64x2.mul(f64x2.mul(lanes(V_INV_SQRT_2PI), expNonPositiveX2(get(SLOT_DENSITY_EXPONENT, j))), get(SLOT_DENSITY_CORRECTION, j));
    const xNegative = f64x2.lt(get(SLOT_FORWARD_LOG, j), splat(0));
    put(SLOT_PDF1, j, v128.bitselect(pdf, f64x2.div(f64x2.mul(pdf, DK), DS), xNegative));
    put(SLOT_PDF2, j, v128.bitselect(f64x2.div(f64x2.mul(pdf, DS), DK), pdf, xNegative));
  }

  // Stage 6: Phi(-|d|) and Phi(|d|) for d1 and d2, centre and middle intervals; pairs with a far tail are listed.
  let farCount = 0;
  for (let j = 0; j < count; j++) {
    const far1 = centreAndMiddle(get(SLOT_D1, j), get(SLOT_PDF1, j), j, SLOT_SMALL1, SLOT_LARGE1);
    const far2 = centreAndMiddle(get(SLOT_D2, j), get(SLOT_PDF2, j), j, SLOT_SMALL2, SLOT_LARGE2);
    store<i32>(scratch + FAR_LIST + (<usize>farCount << 2), j);
    farCount += i32(v128.any_true(v128.or(far1, far2)));
  }
  for (let k = 0; k < farCount; k++) {
    const j = load<i32>(scratch + FAR_LIST + (<usize>k << 2));
    farTail(get(SLOT_D1, j), get(SLOT_PDF1, j), j, SLOT_SMALL1, SLOT_LARGE1);
    farTail(get(SLOT_D2, j), get(SLOT_PDF2, j), j, SLOT_SMALL2, SLOT_LARGE2);
  }

  // Stage 7: prices and greeks; the lanes marked rare are listed for the scalar path.
  let scalarCount = 0;
  for (let j = 0; j < count; j++) {
    const skip = i64x2.bitmask(get(SLOT_RARE, j));
    if (skip !== 3) combine(first + (j << 1), base + (<usize>j << 4), j, skip, withGreeks);
    store<i32>(scratch + SCALAR_LIST + (<usize>scalarCount << 2), first + (j << 1));
    scalarCount += skip & 1;
    store<i32>(scratch + SCALAR_LIST + (<usize>scalarCount << 2), first + (j << 1) + 1);
    scalarCount += skip >> 1;
  }
  for (let k = 0; k < scalarCount; k++) priceScalar(load<i32>(scratch + SCALAR_LIST + (<usize>k << 2)), withGreeks);
  return scalarCount;
}

/**
 * Phi(-|d|) ("small") and Phi(|d|) ("large") for the lanes in Cody's first two intervals: erfSmall for
 * |d| <= 0.6629, density times the Mills ratio sqrt(pi/2) erfcx(|d|/sqrt 2) from the middle rational function
 * beyond. Stores both; marks as rare the lanes where the scalar code's w-based tests would disagree with the |d|
 * test (a rounding boundary); returns the mask of lanes in the far tail (|d|/sqrt 2 > 4), which farTail fills in.
 */
function centreAndMiddle(d: v128, density: v128, j: i32, smallSlot: i32, largeSlot: i32): v128 {
  const a = f64x2.abs(d);
  const w = f64x2.mul(a, lanes(V_SQRT1_2));
  const outside = f64x2.gt(a, lanes(V_CENTRAL));
  // Centre: e = erf(w)/2 = erfSmall(w)/2.
  const z = f64x2.mul(w, w);
  let num = f64x2.add(f64x2.mul(lanes(V_A4), z), lanes(V_A0));
  let den = f64x2.add(z, lanes(V_B0));
  num = f64x2.add(f64x2.mul(num, z), lanes(V_A1));
  den = f64x2.add(f64x2.mul(den, z), lanes(V_B1));
  num = f64x2.add(f64x2.mul(num, z), lanes(V_A2));
  den = f64x2.add(f64x2.mul(den, z), lanes(V_B2));
  num = f64x2.add(f64x2.mul(num, z), lanes(V_A3));
  den = f64x2.add(f64x2.mul(den, z), lanes(V_B3));
  const e = f64x2.mul(lanes(V_HALF), f64x2.div(f64x2.mul(w, num), den));
  // Middle: sqrt(pi/2) erfcxMiddle(w).
  let mn = f64x2.add(f64x2.mul(lanes(V_C8), w), lanes(V_C0));
  let md = f64x2.add(w, lanes(V_D0));
  mn = f64x2.add(f64x2.mul(mn, w), lanes(V_C1));
  md = f64x2.add(f64x2.mul(md, w), lanes(V_D1));
  mn = f64x2.add(f64x2.mul(mn, w), lanes(V_C2));
  md = f64x2.add(f64x2.mul(md, w), lanes(V_D2));
  mn = f64x2.add(f64x2.mul(mn, w), lanes(V_C3));
  md = f64x2.add(f64x2.mul(md, w), lanes(V_D3));
  mn = f64x2.add(f64x2.mul(mn, w), lanes(V_C4));
  md = f64x2.add(f64x2.mul(md, w), lanes(V_D4));
  mn = f64x2.add(f64x2.mul(mn, w), lanes(V_C5));
  md = f64x2.add(f64x2.mul(md, w), lanes(V_D5));
  mn = f64x2.add(f64x2.mul(mn, w), lanes(V_C6));
  md = f64x2.add(f64x2.mul(md, w), lanes(V_D6));
  mn = f64x2.add(f64x2.mul(mn, w), lanes(V_C7));
  md = f64x2.add(f64x2.mul(md, w), lanes(V_D7));
  const outsideSmall = f64x2.mul(density, f64x2.mul(lanes(V_SQRT_HALF_PI), f64x2.div(mn, md)));
  put(smallSlot, j, v128.bitselect(outsideSmall, f64x2.sub(lanes(V_HALF), e), outside));
  put(largeSlot, j, v128.bitselect(f64x2.sub(lanes(V_ONE), outsideSmall), f64x2.add(lanes(V_HALF), e), outside));
  const boundary = v128.bitselect(f64x2.le(w, lanes(V_THRESHOLD)), f64x2.gt(w, lanes(V_THRESHOLD)), outside);
  put(SLOT_RARE, j, v128.or(get(SLOT_RARE, j), boundary));
  return v128.and(outside, f64x2.gt(w, lanes(V_FOUR)));
}

/** The far-tail lanes (|d|/sqrt 2 > 4): Mills ratio sqrt(pi/2) (1/sqrt(pi) - rho(w)) / w from Cody's tail rho. */
function farTail(d: v128, density: v128, j: i32, smallSlot: i32, largeSlot: i32): void {
  const w = f64x2.mul(f64x2.abs(d), lanes(V_SQRT1_2));
  const far = f64x2.gt(w, lanes(V_FOUR));
  const z = f64x2.div(lanes(V_ONE), f64x2.mul(w, w));
  let num = f64x2.add(f64x2.mul(lanes(V_P5), z), lanes(V_P0));
  let den = f64x2.add(z, lanes(V_Q0));
  num = f64x2.add(f64x2.mul(num, z), lanes(V_P1));
  den = f64x2.add(f64x2.mul(den, z), lanes(V_Q1));
  num = f64x2.add(f64x2.mul(num, z), lanes(V_P2));
  den = f64x2.add(f64x2.mul(den, z), lanes(V_Q2));
  num = f64x2.add(f64x2.mul(num, z), lanes(V_P3));
  den = f64x2.add(f64x2.mul(den, z), lanes(V_Q3));
  num = f64x2.add(f64x2.mul(num, z), lanes(V_P4));
  den = f64x2.add(f64x2.mul(den, z), lanes(V_Q4));
  const rho = f64x2.div(f64x2.mul(z, num), den);
  const small = f64x2.mul(density, f64x2.div(f64x2.mul(lanes(V_SQRT_HALF_PI), f64x2.sub(lanes(V_INV_SQRT_PI), rho)), w));
  put(smallSlot, j, v128.bitselect(small, get(smallSlot, j), far));
  put(largeSlot, j, v128.bitselect(f64x2.sub(lanes(V_ONE), small), get(largeSlot, j), far));
}

/** Stores the lanes of `value` whose bit in `skip` is clear (bit 0: lane 0). */
function storeLanes(ptr: usize, value: v128, skip: i32): void {
  if (skip === 0) v128.store(ptr, value);
  else if (skip === 1) v128.store_lane<f64>(ptr + 8, value, 1);
  else v128.store_lane<f64>(ptr, value, 0);
}

/** The price and greeks of options i, i + 1 (byte offset `offset`) from the stage results of pair j. */
function combine(i: i32, offset: usize, j: i32, skip: i32, withGreeks: bool): void {
  const S = v128.load(spotArray + offset);
  const K = v128.load(strikeArray + offset);
  const dfq = get(SLOT_DFQ, j);
  const DS = f64x2.mul(S, dfq);
  const DK = f64x2.mul(K, get(SLOT_DFR, j));
  const x = get(SLOT_FORWARD_LOG, j);
  const d1Negative = f64x2.lt(get(SLOT_D1, j), splat(0));
  const d2Negative = f64x2.lt(get(SLOT_D2, j), splat(0));
  const small1 = get(SLOT_SMALL1, j), large1 = get(SLOT_LARGE1, j), small2 = get(SLOT_SMALL2, j), large2 = get(SLOT_LARGE2, j);
  const n1 = v128.bitselect(small1, large1, d1Negative);
  const m1 = v128.bitselect(large1, small1, d1Negative);
  const n2 = v128.bitselect(small2, large2, d2Negative);
  const m2 = v128.bitselect(large2, small2, d2Negative);

  const xNotPositive = f64x2.le(x, splat(0));
  let otm = v128.bitselect(
    f64x2.sub(f64x2.mul(DS, n1), f64x2.mul(DK, n2)),
    f64x2.sub(f64x2.mul(DK, m2), f64x2.mul(DS, m1)),
    xNotPositive,
  );
  otm = v128.and(otm, f64x2.gt(otm, splat(0)));
  const intrinsic = f64x2.sub(DS, DK);
  const isCall = i64x2.ne(
    i64x2.extend_low_i32x4_u(i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load16_splat(isCallArray + <usize>i)))),
    i64x2.splat(0),
  );
  let callPrice = v128.bitselect(otm, f64x2.add(intrinsic, otm), xNotPositive);
  callPrice = v128.bitselect(DS, callPrice, f64x2.gt(callPrice, DS));
  let putPrice = v128.bitselect(otm, f64x2.sub(otm, intrinsic), v128.not(xNotPositive));
  putPrice = v128.bitselect(DK, putPrice, f64x2.gt(putPrice, DK));
  storeLanes(priceArray + offset, v128.bitselect(callPrice, putPrice, isCall), skip);
  if (!withGreeks) return;

  const T = v128.load(expiryArray + offset);
  const sigma = v128.load(volatilityArray + offset);
  const r = v128.load(rateArray + offset);
  const q = v128.load(dividendArray + offset);
  const sqrtT = get(SLOT_SQRT_T, j);
  const pdf1 = get(SLOT_PDF1, j);
  const densityTerm = f64x2.mul(DS, pdf1);
  const thetaDecay = f64x2.div(f64x2.mul(f64x2.mul(lanes(V_MINUS_HALF), densityTerm), sigma), sqrtT);
  const gamma = v128.and(f64x2.div(f64x2.mul(dfq, pdf1), f64x2.mul(S, get(SLOT_TOTAL_VOL, j))), f64x2.gt(pdf1, splat(0)));
  storeLanes(gammaArray + offset, gamma, skip);
  storeLanes(vegaArray + offset, f64x2.mul(densityTerm, sqrtT), skip);
  const qDS = f64x2.mul(q, DS);
  const rDK = f64x2.mul(r, DK);
  storeLanes(deltaArray + offset, v128.bitselect(f64x2.mul(dfq, n1), f64x2.mul(f64x2.neg(dfq), m1), isCall), skip);
  const callTheta = f64x2.sub(f64x2.add(thetaDecay, f64x2.mul(qDS, n1)), f64x2.mul(rDK, n2));
  const putTheta = f64x2.add(f64x2.sub(thetaDecay, f64x2.mul(qDS, m1)), f64x2.mul(rDK, m2));
  storeLanes(thetaArray + offset, v128.bitselect(callTheta, putTheta, isCall), skip);
  const callRho = f64x2.mul(f64x2.mul(T, DK), n2);
  const putRho = f64x2.mul(f64x2.mul(f64x2.neg(T), DK), m2);
  storeLanes(rhoArray + offset, v128.bitselect(callRho, putRho, isCall), skip);
}
