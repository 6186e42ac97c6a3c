/**
 * monte_carlo_20k's price path (src/core/engines/monte-carlo.ts with greeks off) in WebAssembly: per canonical
 * block of antithetic pairs, the Philox4x32-10 words of the stream, their AS241 normal quantiles
 * (src/core/math/inverse-normal.ts), the growth factors e^(sigma sqrt(T) Z) by the exponential of
 * src/core/math/portable-exp.ts, the discounted pair payoffs, and the block's two-pass moments, each with the
 * TypeScript code's operations in its order (sums included, which stay sequential), so the moments, and the
 * result the TypeScript side combines from them, are the same doubles.
 */
import { log } from './fdlibm';
import { expWithExponent } from './fdlibm-x2';
import { lanes } from './lanes';
import { INV_LN2, LN2_HI, LN2_LO, EXP_P1, EXP_P2, EXP_P3, EXP_P4, EXP_P5 } from './fdlibm';

/** Pairs per canonical block (MONTE_CARLO_BLOCK_PAIRS). */
const MONTE_CARLO_BLOCK_PAIRS = 1000;
/** Below this |sigma sqrt(T) Z| the antithetic difference S_T(Z) - S_T(-Z) is taken from the sinh series. */
const SINH_SERIES_LIMIT: f64 = 1e-2;

// Philox4x32-10 constants (Salmon et al., SC'11; Random123 philox.h).
const PHILOX_M0: u64 = 0xd2511f53;
const PHILOX_M1: u64 = 0xcd9e8d57;
const PHILOX_W0: u32 = 0x9e3779b9;
const PHILOX_W1: u32 = 0xbb67ae85;
const WORD_UNIT: f64 = 2.3283064365386963e-10; // 2^-32

// AS241 (Wichura 1988), as in inverse-normal.ts.
const SPLIT1: f64 = 0.425;
const SPLIT2: f64 = 5;
const CONST1: f64 = 0.180625;
const CONST2: f64 = 1.6;
const A0: f64 = 3.3871328727963665,
  A1: f64 = 133.14166789178438,
  A2: f64 = 1971.5909503065513,
  A3: f64 = 13731.69376550946;
const A4: f64 = 45921.95393154987,
  A5: f64 = 67265.7709270087,
  A6: f64 = 33430.57558358813,
  A7: f64 = 2509.0809287301227;
const B1: f64 = 42.31333070160091,
  B2: f64 = 687.1870074920579,
  B3: f64 = 5394.196021424751,
  B4: f64 = 21213.794301586597;
const B5: f64 = 39307.89580009271,
  B6: f64 = 28729.085735721943,
  B7: f64 = 5226.495278852854;
const C0: f64 = 1.4234371107496835,
  C1: f64 = 4.630337846156546,
  C2: f64 = 5.769497221460691,
  C3: f64 = 3.6478483247632045;
const C4: f64 = 1.2704582524523684,
  C5: f64 = 0.2417807251774506,
  C6: f64 = 0.022723844989269184,
  C7: f64 = 0.0007745450142783414;
const D1: f64 = 2.053191626637759,
  D2: f64 = 1.6763848301838038,
  D3: f64 = 0.6897673349851,
  D4: f64 = 0.14810397642748008;
const D5: f64 = 0.015198666563616457,
  D6: f64 = 0.0005475938084995345,
  D7: f64 = 1.0507500716444169e-9;
const E0: f64 = 6.657904643501103,
  E1: f64 = 5.463784911164114,
  E2: f64 = 1.7848265399172913,
  E3: f64 = 0.29656057182850487;
const E4: f64 = 0.026532189526576124,
  E5: f64 = 0.0012426609473880784,
  E6: f64 = 0.000027115555687434876,
  E7: f64 = 2.0103343992922881e-7;
const F1: f64 = 0.599832206555888,
  F2: f64 = 0.1369298809227358,
  F3: f64 = 0.014875361290850615,
  F4: f64 = 0.0007868691311456133;
const F5: f64 = 0.000018463183175100548,
  F6: f64 = 1.421511758316446e-7,
  F7: f64 = 2.0442631033899397e-15;

// Vector constants (lanes.ts).
const V_HALF: usize = memory.data<f64>([0.5, 0.5], 16);
const V_ONE: usize = memory.data<f64>([1, 1], 16);
const V_TWO: usize = memory.data<f64>([2, 2], 16);
const V_SIX: usize = memory.data<f64>([6, 6], 16);
const V_TWENTY: usize = memory.data<f64>([20, 20], 16);
const V_FORTY_TWO: usize = memory.data<f64>([42, 42], 16);
const V_SINH_SERIES_LIMIT: usize = memory.data<f64>([SINH_SERIES_LIMIT, SINH_SERIES_LIMIT], 16);
const V_SPLIT1: usize = memory.data<f64>([SPLIT1, SPLIT1], 16);
const V_CONST1: usize = memory.data<f64>([CONST1, CONST1], 16);
const V_A0: usize = memory.data<f64>([A0, A0], 16);
const V_A1: usize = memory.data<f64>([A1, A1], 16);
const V_A2: usize = memory.data<f64>([A2, A2], 16);
const V_A3: usize = memory.data<f64>([A3, A3], 16);
const V_A4: usize = memory.data<f64>([A4, A4], 16);
const V_A5: usize = memory.data<f64>([A5, A5], 16);
const V_A6: usize = memory.data<f64>([A6, A6], 16);
const V_A7: usize = memory.data<f64>([A7, A7], 16);
const V_B1: usize = memory.data<f64>([B1, B1], 16);
const V_B2: usize = memory.data<f64>([B2, B2], 16);
const V_B3: usize = memory.data<f64>([B3, B3], 16);
const V_B4: usize = memory.data<f64>([B4, B4], 16);
const V_B5: usize = memory.data<f64>([B5, B5], 16);
const V_B6: usize = memory.data<f64>([B6, B6], 16);
const V_B7: usize = memory.data<f64>([B7, B7], 16);
const V_INV_LN2: usize = memory.data<f64>([INV_LN2, INV_LN2], 16);
const V_EXP_TINY: usize = memory.data<u32>([0, 0x3e300000, 0, 0x3e300000], 16);
const V_SIGN_BIT: usize = memory.data<u32>([0, 0x80000000, 0, 0x80000000], 16);

/**
 * Simulates canonical blocks 0 .. ceil(totalPairs / 1000) - 1 of a run and writes each block's (count, mean,
 * m2) at out + 24 block. Seed words k0, k1 and stream words s0, s1 as in normal-stream.ts; forward is
 * S e^((r - q - sigma^2/2) T), totalVolatility sigma sqrt(T), halfDiscount e^(-rT)/2.
 */
export function monteCarloPriceBlocks(
  k0: u32,
  k1: u32,
  s0: u32,
  s1: u32,
  totalPairs: i32,
  forward: f64,
  totalVolatility: f64,
  halfDiscount: f64,
  strike: f64,
  isCall: bool,
  scratch: usize,
  out: usize,
): void {
  // Scratch (from the caller, 20,000 bytes): normals, pair samples, tail indices.
  const normals = scratch;
  const samples = scratch + MONTE_CARLO_BLOCK_PAIRS * 8;
  const tails = samples + MONTE_CARLO_BLOCK_PAIRS * 8;
  let block = 0;
  for (let first = 0; first < totalPairs; first += MONTE_CARLO_BLOCK_PAIRS) {
    const count = min(MONTE_CARLO_BLOCK_PAIRS, totalPairs - first);
    uniforms(k0, k1, s0, s1, first, normals, count);
    quantiles(normals, count, tails);
    payoffs(normals, samples, count, forward, totalVolatility, halfDiscount, strike, isCall);
    // Two-pass moments, sequentially as in summary-stats.ts.
    let sum: f64 = 0;
    for (let i = 0; i < count; i++) sum += load<f64>(samples + ((<usize>i) << 3));
    const mean = sum / <f64>count;
    let m2: f64 = 0;
    for (let i = 0; i < count; i++) {
      const deviation = load<f64>(samples + ((<usize>i) << 3)) - mean;
      m2 += deviation * deviation;
    }
    const record = out + <usize>block * 24;
    store<f64>(record, <f64>count);
    store<f64>(record, mean, 8);
    store<f64>(record, m2, 16);
    block++;
  }
}

/**
 * monte_carlo_20k with greeks: canonical blocks firstBlock .. firstBlock + blockCount - 1 of a run, each block's
 * moments of the six per-pair samples (price, delta, gamma, theta, vega, rho, in the order of
 * MonteCarloBlockPartial.moments) written as 6 x (count, mean, m2) at out + 144 (block - firstBlock). The
 * estimators are accumulateWithGreeks's (src/core/engines/monte-carlo.ts), operation for operation. `later` and
 * `sooner` are forward, sigma sqrt(T') and e^(-rT')/2 at the theta expiries T' = T (1 +- bump); thetaWidth is
 * their difference. `scratch` needs 60,000 bytes.
 */
export function monteCarloGreekBlocks(
  k0: u32,
  k1: u32,
  s0: u32,
  s1: u32,
  totalPairs: i32,
  firstBlock: i32,
  blockCount: i32,
  isCall: bool,
  strike: f64,
  spot: f64,
  expiry: f64,
  volatility: f64,
  forward: f64,
  totalVolatility: f64,
  halfDiscount: f64,
  laterForward: f64,
  laterTotalVolatility: f64,
  laterHalfDiscount: f64,
  soonerForward: f64,
  soonerTotalVolatility: f64,
  soonerHalfDiscount: f64,
  thetaWidth: f64,
  scratch: usize,
  out: usize,
): void {
  // Scratch: normals, then the samples as three arrays of (quantity 2k, quantity 2k + 1) per pair, then tail indices.
  const normals = scratch;
  const samples = scratch + MONTE_CARLO_BLOCK_PAIRS * 8;
  const tails = samples + MONTE_CARLO_BLOCK_PAIRS * 48;
  for (let block = firstBlock; block < firstBlock + blockCount; block++) {
    const first = block * MONTE_CARLO_BLOCK_PAIRS;
    const count = min(MONTE_CARLO_BLOCK_PAIRS, totalPairs - first);
    uniforms(k0, k1, s0, s1, first, normals, count);
    quantiles(normals, count, tails);
    // An odd count leaves the last vector half empty: a finite normal there keeps that unused lane harmless.
    if (count & 1) store<f64>(normals + ((<usize>count) << 3), 0);
    greekSamples(
      normals,
      samples,
      count,
      isCall,
      strike,
      spot,
      expiry,
      volatility,
      forward,
      totalVolatility,
      halfDiscount,
      laterForward,
      laterTotalVolatility,
      laterHalfDiscount,
      soonerForward,
      soonerTotalVolatility,
      soonerHalfDiscount,
      thetaWidth,
    );
    const record = out + <usize>(block - firstBlock) * 144;
    for (let k = 0; k < 3; k++)
      pairedMoments(samples + <usize>k * MONTE_CARLO_BLOCK_PAIRS * 16, count, record + <usize>k * 48);
  }
}

/** Positions first .. first + count - 1 of the stream as uniforms (w + 1/2) 2^-32; first is a multiple of 4. */
function uniforms(k0: u32, k1: u32, s0: u32, s1: u32, first: i32, out: usize, count: i32): void {
  for (let i = 0; i < count; i += 4) {
    const group = (<u64>(first + i)) >> 2;
    let c0 = <u32>group;
    let c1 = <u32>(group >> 32);
    let c2 = s0;
    let c3 = s1;
    let key0 = k0;
    let key1 = k1;
    for (let round = 0; round < 10; round++) {
      const product0 = PHILOX_M0 * <u64>c0;
      const product1 = PHILOX_M1 * <u64>c2;
      const next0 = (<u32>(product1 >> 32)) ^ c1 ^ key0;
      const next2 = (<u32>(product0 >> 32)) ^ c3 ^ key1;
      c1 = <u32>product1;
      c3 = <u32>product0;
      c0 = next0;
      c2 = next2;
      key0 += PHILOX_W0;
      key1 += PHILOX_W1;
    }
    const at = out + ((<usize>i) << 3);
    store<f64>(at, (<f64>c0 + 0.5) * WORD_UNIT);
    if (i + 1 < count) store<f64>(at, (<f64>c1 + 0.5) * WORD_UNIT, 8);
    if (i + 2 < count) store<f64>(at, (<f64>c2 + 0.5) * WORD_UNIT, 16);
    if (i + 3 < count) store<f64>(at, (<f64>c3 + 0.5) * WORD_UNIT, 24);
  }
}

/**
 * The uniforms in place through AS241: the central region |p - 1/2| <= 0.425 two at a time, the tails (about
 * 15% of draws) one at a time from a list, as inverseNormalCdfInPlace does.
 */
function quantiles(values: usize, count: i32, tails: usize): void {
  let tailCount = 0;
  let i = 0;
  for (; i + 1 < count; i += 2) {
    const at = values + ((<usize>i) << 3);
    const q = f64x2.sub(v128.load(at), lanes(V_HALF));
    const central = f64x2.le(f64x2.abs(q), lanes(V_SPLIT1));
    const r = f64x2.sub(lanes(V_CONST1), f64x2.mul(q, q));
    let num = f64x2.add(f64x2.mul(lanes(V_A7), r), lanes(V_A6));
    let den = f64x2.add(f64x2.mul(lanes(V_B7), r), lanes(V_B6));
    num = f64x2.add(f64x2.mul(num, r), lanes(V_A5));
    den = f64x2.add(f64x2.mul(den, r), lanes(V_B5));
    num = f64x2.add(f64x2.mul(num, r), lanes(V_A4));
    den = f64x2.add(f64x2.mul(den, r), lanes(V_B4));
    num = f64x2.add(f64x2.mul(num, r), lanes(V_A3));
    den = f64x2.add(f64x2.mul(den, r), lanes(V_B3));
    num = f64x2.add(f64x2.mul(num, r), lanes(V_A2));
    den = f64x2.add(f64x2.mul(den, r), lanes(V_B2));
    num = f64x2.add(f64x2.mul(num, r), lanes(V_A1));
    den = f64x2.add(f64x2.mul(den, r), lanes(V_B1));
    num = f64x2.add(f64x2.mul(num, r), lanes(V_A0));
    den = f64x2.add(f64x2.mul(den, r), lanes(V_ONE));
    const x = f64x2.div(f64x2.mul(q, num), den);
    const mask = i64x2.bitmask(central);
    // The tail lanes keep their uniform, for the tail pass.
    v128.store(at, v128.bitselect(x, v128.load(at), central));
    store<i32>(tails + ((<usize>tailCount) << 2), i);
    tailCount += i32((mask & 1) === 0);
    store<i32>(tails + ((<usize>tailCount) << 2), i + 1);
    tailCount += i32((mask & 2) === 0);
  }
  if (i < count) {
    const at = values + ((<usize>i) << 3);
    const q = load<f64>(at) - 0.5;
    if (Math.abs(q) <= SPLIT1) {
      store<f64>(at, centralQuantile(q));
    } else {
      store<i32>(tails + ((<usize>tailCount) << 2), i);
      tailCount++;
    }
  }
  for (let t = 0; t < tailCount; t++) {
    const at = values + ((<usize>load<i32>(tails + ((<usize>t) << 2))) << 3);
    const p = load<f64>(at);
    store<f64>(at, tailQuantile(p < 0.5 ? p : 1 - p, p < 0.5));
  }
}

function centralQuantile(q: f64): f64 {
  const r = CONST1 - q * q;
  return (
    (q * (((((((A7 * r + A6) * r + A5) * r + A4) * r + A3) * r + A2) * r + A1) * r + A0)) /
    (((((((B7 * r + B6) * r + B5) * r + B4) * r + B3) * r + B2) * r + B1) * r + 1)
  );
}

function tailQuantile(tailProbability: f64, lower: bool): f64 {
  let r = Math.sqrt(-log(tailProbability));
  let x: f64;
  if (r <= SPLIT2) {
    r -= CONST2;
    x =
      (((((((C7 * r + C6) * r + C5) * r + C4) * r + C3) * r + C2) * r + C1) * r + C0) /
      (((((((D7 * r + D6) * r + D5) * r + D4) * r + D3) * r + D2) * r + D1) * r + 1);
  } else {
    r -= SPLIT2;
    x =
      (((((((E7 * r + E6) * r + E5) * r + E4) * r + E3) * r + E2) * r + E1) * r + E0) /
      (((((((F7 * r + F6) * r + F5) * r + F4) * r + F3) * r + F2) * r + F1) * r + 1);
  }
  return lower ? -x : x;
}

/**
 * samples[i] = halfDiscount (payoff(F g) + payoff(F / g)) with g = e^(totalVolatility z_i), the exponential as
 * portableExpInPlace computes it (fdlibm's method; k rounded half away from zero; 1 + x below 2^-28). The
 * exponents here lie within 6.34 totalVolatility <= 634 in magnitude, so 2^k is always a normal double.
 */
function payoffs(
  normals: usize,
  samples: usize,
  count: i32,
  forward: f64,
  totalVolatility: f64,
  halfDiscount: f64,
  strike: f64,
  isCall: bool,
): void {
  const volatility = f64x2.splat(totalVolatility);
  const F = f64x2.splat(forward);
  const K = f64x2.splat(strike);
  const discount = f64x2.splat(halfDiscount);
  let i = 0;
  for (; i + 1 < count; i += 2) {
    const offset = (<usize>i) << 3;
    const growth = inline.always(portableExpLanes(f64x2.mul(volatility, v128.load(normals + offset))));
    const up = f64x2.mul(F, growth);
    const down = f64x2.div(F, growth);
    let payoff: v128;
    if (isCall) {
      payoff = f64x2.add(v128.and(f64x2.sub(up, K), f64x2.gt(up, K)), v128.and(f64x2.sub(down, K), f64x2.gt(down, K)));
    } else {
      payoff = f64x2.add(v128.and(f64x2.sub(K, up), f64x2.lt(up, K)), v128.and(f64x2.sub(K, down), f64x2.lt(down, K)));
    }
    v128.store(samples + offset, f64x2.mul(discount, payoff));
  }
  if (i < count) {
    const offset = (<usize>i) << 3;
    const growth = portableExp(totalVolatility * load<f64>(normals + offset));
    const up = forward * growth;
    const down = forward / growth;
    const payoff = isCall
      ? (up > strike ? up - strike : 0) + (down > strike ? down - strike : 0)
      : (up < strike ? strike - up : 0) + (down < strike ? strike - down : 0);
    store<f64>(samples + offset, halfDiscount * payoff);
  }
}

/**
 * accumulateWithGreeks of monte-carlo.ts on two pairs per vector. Its branches become selections between values
 * computed for both lanes: each selected value is formed by the same operations on the same operands as the
 * TypeScript branch that would have run, hence the same double. The samples of pair i go to three arrays, as
 * (price, delta), (gamma, theta) and (vega, rho), so pairedMoments sums two quantities per vector.
 */
function greekSamples(
  normals: usize,
  samples: usize,
  count: i32,
  isCall: bool,
  strike: f64,
  spot: f64,
  expiry: f64,
  volatility: f64,
  forward: f64,
  totalVolatility: f64,
  halfDiscount: f64,
  laterForward: f64,
  laterTotalVolatility: f64,
  laterHalfDiscount: f64,
  soonerForward: f64,
  soonerTotalVolatility: f64,
  soonerHalfDiscount: f64,
  thetaWidth: f64,
): void {
  const K = f64x2.splat(strike);
  const S = f64x2.splat(spot);
  const T = f64x2.splat(expiry);
  const F = f64x2.splat(forward);
  const vol = f64x2.splat(totalVolatility);
  const discount = f64x2.splat(halfDiscount);
  const sqrtExpiry = Math.sqrt(expiry);
  const rootT = f64x2.splat(sqrtExpiry);
  const minusRootT = f64x2.splat(-sqrtExpiry);
  const varianceTime = f64x2.splat(volatility * expiry); // sigma T
  const sign = f64x2.splat(isCall ? 1.0 : -1.0);
  const zero = f64x2.splat(0);
  const pricePairs = samples;
  const curvaturePairs = samples + MONTE_CARLO_BLOCK_PAIRS * 16;
  const sensitivityPairs = samples + MONTE_CARLO_BLOCK_PAIRS * 32;
  for (let i = 0; i < count; i += 2) {
    const z = v128.load(normals + ((<usize>i) << 3));
    const exponent = f64x2.mul(vol, z);
    const growth = inline.always(portableExpLanes(exponent));
    const up = f64x2.mul(F, growth);
    const down = f64x2.div(F, growth);
    const inUp = isCall ? f64x2.gt(up, K) : f64x2.lt(up, K);
    const inDown = isCall ? f64x2.gt(down, K) : f64x2.lt(down, K);
    // Payoff slopes in S_T: sign in the money, else +0.
    const wUp = v128.and(sign, inUp);
    const wDown = v128.and(sign, inDown);
    const value = f64x2.mul(discount, inline.always(pairPayoff(up, down, K, inUp, inDown, isCall)));

    const slopeSum = f64x2.mul(discount, f64x2.add(f64x2.mul(wUp, up), f64x2.mul(wDown, down)));
    const delta = f64x2.div(slopeSum, S);
    const rho = f64x2.mul(T, f64x2.sub(slopeSum, value));

    // Both paths in the money: the sinh form, its series for a small exponent (rare: computed only when a lane needs it).
    let differenceOverVol = f64x2.div(f64x2.sub(up, down), vol);
    const small = f64x2.lt(f64x2.abs(exponent), lanes(V_SINH_SERIES_LIMIT));
    if (v128.any_true(small)) {
      const square = f64x2.mul(exponent, exponent);
      const series = f64x2.mul(
        f64x2.mul(f64x2.mul(lanes(V_TWO), F), z),
        f64x2.add(
          lanes(V_ONE),
          f64x2.mul(
            f64x2.div(square, lanes(V_SIX)),
            f64x2.add(
              lanes(V_ONE),
              f64x2.mul(
                f64x2.div(square, lanes(V_TWENTY)),
                f64x2.add(lanes(V_ONE), f64x2.div(square, lanes(V_FORTY_TWO))),
              ),
            ),
          ),
        ),
      );
      differenceOverVol = v128.bitselect(series, differenceOverVol, small);
    }
    const core = f64x2.sub(f64x2.mul(z, differenceOverVol), f64x2.add(up, down));
    const weight = f64x2.mul(discount, wUp);
    const gammaSame = f64x2.div(f64x2.div(f64x2.mul(weight, core), S), S);
    const vegaSame = f64x2.mul(f64x2.mul(weight, varianceTime), core);
    // Exactly one path in the money.
    const ratio = f64x2.div(z, vol);
    const slopeUp = f64x2.mul(wUp, up);
    const slopeDown = f64x2.mul(wDown, down);
    const gammaSplit = f64x2.div(
      f64x2.div(
        f64x2.mul(
          discount,
          f64x2.add(
            f64x2.mul(slopeUp, f64x2.sub(ratio, lanes(V_ONE))),
            f64x2.mul(slopeDown, f64x2.sub(f64x2.neg(ratio), lanes(V_ONE))),
          ),
        ),
        S,
      ),
      S,
    );
    const vegaSplit = f64x2.mul(
      discount,
      f64x2.add(
        f64x2.mul(slopeUp, f64x2.sub(f64x2.mul(rootT, z), varianceTime)),
        f64x2.mul(slopeDown, f64x2.sub(f64x2.mul(minusRootT, z), varianceTime)),
      ),
    );
    const same = f64x2.eq(wUp, wDown);
    // Neither in the money: +0, as the TypeScript's literal 0.
    const neither = v128.and(same, f64x2.eq(wUp, zero));
    const gamma = v128.bitselect(v128.andnot(gammaSame, neither), gammaSplit, same);
    const vega = v128.bitselect(v128.andnot(vegaSame, neither), vegaSplit, same);

    // Theta: the payoffs at the bumped expiries on the same normals; dV/dt = -dV/dT.
    const valueLater = inline.always(
      bumpedPairValue(laterForward, laterTotalVolatility, laterHalfDiscount, z, K, isCall),
    );
    const valueSooner = inline.always(
      bumpedPairValue(soonerForward, soonerTotalVolatility, soonerHalfDiscount, z, K, isCall),
    );
    const theta = f64x2.div(f64x2.sub(valueSooner, valueLater), f64x2.splat(thetaWidth));

    const offset = (<usize>i) << 4;
    inline.always(storeTransposed(pricePairs + offset, value, delta));
    inline.always(storeTransposed(curvaturePairs + offset, gamma, theta));
    inline.always(storeTransposed(sensitivityPairs + offset, vega, rho));
  }
}

/** payoff(up) + payoff(down) as the TypeScript writes it, (in the money ? distance : 0) for each, up first. */
function pairPayoff(up: v128, down: v128, K: v128, inUp: v128, inDown: v128, isCall: bool): v128 {
  return isCall
    ? f64x2.add(v128.and(f64x2.sub(up, K), inUp), v128.and(f64x2.sub(down, K), inDown))
    : f64x2.add(v128.and(f64x2.sub(K, up), inUp), v128.and(f64x2.sub(K, down), inDown));
}

/** Lanes (a_i, a_i+1) and (b_i, b_i+1) stored as (a_i, b_i), (a_i+1, b_i+1). */
function storeTransposed(at: usize, a: v128, b: v128): void {
  v128.store(at, i8x16.shuffle(a, b, 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23));
  v128.store(at, i8x16.shuffle(a, b, 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31), 16);
}

/**
 * Two-pass moments (summary-stats.ts's sampleMoments) of two quantities stored as pairs, one per lane: each lane's
 * sums run sequentially over the pairs, as the scalar code's. Writes (count, mean, m2) of the first quantity, then
 * of the second.
 */
function pairedMoments(values: usize, count: i32, out: usize): void {
  let sum = f64x2.splat(0);
  for (let i = 0; i < count; i++) sum = f64x2.add(sum, v128.load(values + ((<usize>i) << 4)));
  const mean = f64x2.div(sum, f64x2.splat(<f64>count));
  let m2 = f64x2.splat(0);
  for (let i = 0; i < count; i++) {
    const deviation = f64x2.sub(v128.load(values + ((<usize>i) << 4)), mean);
    m2 = f64x2.add(m2, f64x2.mul(deviation, deviation));
  }
  store<f64>(out, <f64>count);
  store<f64>(out, f64x2.extract_lane(mean, 0), 8);
  store<f64>(out, f64x2.extract_lane(m2, 0), 16);
  store<f64>(out, <f64>count, 24);
  store<f64>(out, f64x2.extract_lane(mean, 1), 32);
  store<f64>(out, f64x2.extract_lane(m2, 1), 40);
}

/**
 * portable-exp.ts's exponential on both lanes, for arguments of magnitude below 708 (fdlibm's method; k rounded
 * half away from zero; 1 + x below 2^-28): 2^k is then always a normal double.
 */
/** The discounted pair payoff at a theta expiry: the same normals z, that expiry's forward, sigma sqrt(T') and e^(-rT')/2. */
function bumpedPairValue(forward: f64, totalVolatility: f64, halfDiscount: f64, z: v128, K: v128, isCall: bool): v128 {
  const F = f64x2.splat(forward);
  const growth = inline.always(portableExpLanes(f64x2.mul(f64x2.splat(totalVolatility), z)));
  const up = f64x2.mul(F, growth);
  const down = f64x2.div(F, growth);
  return f64x2.mul(
    f64x2.splat(halfDiscount),
    inline.always(
      pairPayoff(
        up,
        down,
        K,
        isCall ? f64x2.gt(up, K) : f64x2.lt(up, K),
        isCall ? f64x2.gt(down, K) : f64x2.lt(down, K),
        isCall,
      ),
    ),
  );
}

function portableExpLanes(x: v128): v128 {
  const scaled = f64x2.mul(x, lanes(V_INV_LN2));
  // k = scaled >= 0 ? floor(scaled + 0.5) : -floor(0.5 - scaled)
  const kf = v128.or(f64x2.floor(f64x2.add(f64x2.abs(scaled), lanes(V_HALF))), v128.and(scaled, lanes(V_SIGN_BIT)));
  // For k = 0 the shared core is exactly 1 - ((r c)/(c - 2) - r), the k = 0 form.
  return v128.bitselect(
    f64x2.add(lanes(V_ONE), x),
    inline.always(expWithExponent(x, kf)),
    f64x2.lt(f64x2.abs(x), lanes(V_EXP_TINY)),
  );
}

/** portable-exp.ts's exponential for one argument of magnitude below 708. */
function portableExp(x: f64): f64 {
  if (Math.abs(x) < 3.725290298461914e-9) return 1 + x; // 2^-28
  const scaled = x * INV_LN2;
  const k = scaled >= 0 ? Math.floor(scaled + 0.5) : -Math.floor(0.5 - scaled);
  const hi = x - k * LN2_HI;
  const lo = k * LN2_LO;
  const r = hi - lo;
  const t = r * r;
  const c = r - t * (EXP_P1 + t * (EXP_P2 + t * (EXP_P3 + t * (EXP_P4 + t * EXP_P5))));
  if (k === 0) return 1 - ((r * c) / (c - 2) - r);
  const y = 1 - (lo - (r * c) / (2 - c) - hi);
  return y * reinterpret<f64>((<u64>(<i64>k + 1023)) << 52);
}
