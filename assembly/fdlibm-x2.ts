/**
 * fdlibm's exp, log and log1p (fdlibm.ts) on the two lanes of an f64x2 vector, returning in each lane the double
 * the scalar function returns. Each covers the common part of its domain without branches; the functions named
 * ...Rare flag the lanes it does not cover, which the callers send to the scalar code.
 *
 * fdlibm branches on the upper 32 bits of a double ("high word"). Every such test here is rewritten as the
 * equivalent comparison of doubles (hx < H is |x| < the double whose bits are H << 32): x86 without AVX-512
 * has no 64-bit-lane arithmetic shift or signed compare for V8 to map the integer form to.
 */
import { lanes } from './lanes';
import { INV_LN2, LN2_HI, LN2_LO, EXP_P1, EXP_P2, EXP_P3, EXP_P4, EXP_P5, LG1, LG2, LG3, LG4, LG5, LG6, LG7 } from './fdlibm';

export function splat(x: f64): v128 {
  return f64x2.splat(x);
}

// Vector constants (lanes.ts). Bit patterns are written as their two 32-bit words, low word first.

/** 1.5 * 2^52: added to an integer-valued double, it leaves the integer in the low bits of the sum. */
const V_MAGIC: usize = memory.data<f64>([6755399441055744.0, 6755399441055744.0], 16);
const V_MAGIC_BITS: usize = memory.data<u32>([0x00000000, 0x43380000, 0x00000000, 0x43380000], 16);
const V_MANTISSA_BITS: usize = memory.data<u32>([0xffffffff, 0x000fffff, 0xffffffff, 0x000fffff], 16);
const V_ONE_BITS: usize = memory.data<u32>([0x00000000, 0x3ff00000, 0x00000000, 0x3ff00000], 16);
const V_HALF_BITS: usize = memory.data<u32>([0x00000000, 0x3fe00000, 0x00000000, 0x3fe00000], 16);
const V_SIGN_BIT: usize = memory.data<u32>([0x00000000, 0x80000000, 0x00000000, 0x80000000], 16);
const V_EXPONENT_BIAS: usize = memory.data<u32>([0x000003ff, 0x00000000, 0x000003ff, 0x00000000], 16);
const V_INTEGER_ONE: usize = memory.data<u32>([0x00000001, 0x00000000, 0x00000001, 0x00000000], 16);
/** exp: reduce above |x| = ln2/2 (high word 0x3fd62e42), return 1 + x below 2^-28. */
const V_EXP_REDUCE: usize = memory.data<u32>([0xffffffff, 0x3fd62e42, 0xffffffff, 0x3fd62e42], 16);
const V_EXP_TINY: usize = memory.data<u32>([0x00000000, 0x3e300000, 0x00000000, 0x3e300000], 16);
/** log1p: no reduction for -0.2929 < x < 0.41422; x itself below 2^-54, x - x^2/2 below 2^-29. */
const V_LOG1P_UPPER: usize = memory.data<u32>([0x00000000, 0x3fda827a, 0x00000000, 0x3fda827a], 16);
const V_MINUS_LOG1P_LOWER: usize = memory.data<u32>([0x00000000, 0xbfd2bec5, 0x00000000, 0xbfd2bec5], 16);
const V_LOG1P_TINY: usize = memory.data<u32>([0x00000000, 0x3e200000, 0x00000000, 0x3e200000], 16);
const V_LOG1P_TINIER: usize = memory.data<u32>([0x00000000, 0x3c900000, 0x00000000, 0x3c900000], 16);
/** The mantissa m in [1, 2) compared with sqrt(2) as fdlibm does (its 0x6a09e and 0x6a09c cut-offs). */
const V_LOG1P_SQRT2: usize = memory.data<u32>([0x00000000, 0x3ff6a09e, 0x00000000, 0x3ff6a09e], 16);
const V_LOG_SQRT2: usize = memory.data<u32>([0x00000000, 0x3ff6a09c, 0x00000000, 0x3ff6a09c], 16);
/** Mantissas within 2^-20 of a power of two, where fdlibm switches to a short series. */
const V_NEAR_ONE: usize = memory.data<u32>([0x00000000, 0x3ff00001, 0x00000000, 0x3ff00001], 16);
const V_LOG1P_NEAR_TWO: usize = memory.data<u32>([0x00000000, 0x3ffffffd, 0x00000000, 0x3ffffffd], 16);
const V_LOG_NEAR_TWO: usize = memory.data<u32>([0x00000000, 0x3ffffffe, 0x00000000, 0x3ffffffe], 16);
/** log: the band of mantissas where fdlibm uses its hfsq form. */
const V_LOG_WIDE_LOW: usize = memory.data<u32>([0x00000000, 0x3ff6147a, 0x00000000, 0x3ff6147a], 16);
const V_LOG_WIDE_HIGH: usize = memory.data<u32>([0x00000000, 0x3ff6b852, 0x00000000, 0x3ff6b852], 16);
const V_SMALLEST_NORMAL: usize = memory.data<u32>([0x00000000, 0x00100000, 0x00000000, 0x00100000], 16);
const V_INFINITY: usize = memory.data<f64>([Infinity, Infinity], 16);
const V_TWO_53: usize = memory.data<f64>([9007199254740992.0, 9007199254740992.0], 16);
const V_E: usize = memory.data<f64>([2.718281828459045, 2.718281828459045], 16);
const V_HALF: usize = memory.data<f64>([0.5, 0.5], 16);
const V_MINUS_HALF: usize = memory.data<f64>([-0.5, -0.5], 16);
const V_ONE: usize = memory.data<f64>([1.0, 1.0], 16);
const V_MINUS_ONE: usize = memory.data<f64>([-1.0, -1.0], 16);
const V_TWO: usize = memory.data<f64>([2.0, 2.0], 16);
const V_INV_LN2: usize = memory.data<f64>([INV_LN2, INV_LN2], 16);
const V_LN2_HI: usize = memory.data<f64>([LN2_HI, LN2_HI], 16);
const V_LN2_LO: usize = memory.data<f64>([LN2_LO, LN2_LO], 16);
const V_EXP_P1: usize = memory.data<f64>([EXP_P1, EXP_P1], 16);
const V_EXP_P2: usize = memory.data<f64>([EXP_P2, EXP_P2], 16);
const V_EXP_P3: usize = memory.data<f64>([EXP_P3, EXP_P3], 16);
const V_EXP_P4: usize = memory.data<f64>([EXP_P4, EXP_P4], 16);
const V_EXP_P5: usize = memory.data<f64>([EXP_P5, EXP_P5], 16);
const V_LG1: usize = memory.data<f64>([LG1, LG1], 16);
const V_LG2: usize = memory.data<f64>([LG2, LG2], 16);
const V_LG3: usize = memory.data<f64>([LG3, LG3], 16);
const V_LG4: usize = memory.data<f64>([LG4, LG4], 16);
const V_LG5: usize = memory.data<f64>([LG5, LG5], 16);
const V_LG6: usize = memory.data<f64>([LG6, LG6], 16);
const V_LG7: usize = memory.data<f64>([LG7, LG7], 16);

/** The integer lanes k (|k| < 2^51) as doubles. */
export function integersToF64(k: v128): v128 {
  return f64x2.sub(i64x2.add(lanes(V_MAGIC_BITS), k), lanes(V_MAGIC));
}

/**
 * fdlibm exp (fdlibm.ts) on both lanes, for arguments in [-708, 708], where the result is normal and k lies in
 * [-1021, 1022]: the three argument reductions of the scalar code collapse into one (k = 0 below ln2/2, where
 * the general formulas reduce to the k = 0 ones exactly; k = +-1 up to 1.5 ln2, which the truncation also
 * yields), so the lanes need no branch.
 */
export function expX2(x: v128): v128 {
  // The rounding offset 0.5 with the sign of x.
  const half = v128.or(v128.and(x, lanes(V_SIGN_BIT)), lanes(V_HALF));
  const result = expReduced(x, half);
  // V8 returns the correctly rounded e for exp(1).
  return v128.bitselect(lanes(V_E), result, f64x2.eq(x, lanes(V_ONE)));
}

/** expX2 for arguments in [-708, 0]. */
export function expNonPositiveX2(x: v128): v128 {
  return expReduced(x, lanes(V_MINUS_HALF));
}

function expReduced(x: v128, half: v128): v128 {
  const ax = f64x2.abs(x);
  const kf = v128.and(f64x2.trunc(f64x2.add(f64x2.mul(lanes(V_INV_LN2), x), half)), f64x2.gt(ax, lanes(V_EXP_REDUCE)));
  // Below 2^-28 fdlibm returns 1 + x.
  return v128.bitselect(f64x2.add(lanes(V_ONE), x), inline.always(expWithExponent(x, kf)), f64x2.lt(ax, lanes(V_EXP_TINY)));
}

/**
 * e^x on both lanes for a chosen exponent k (as doubles, |k| <= 1023): fdlibm's reduction r = x - k ln 2 in a hi/lo
 * split and its rational approximation of e^r, scaled by 2^k. Shared by fdlibm's exp (k rounded its way) and the
 * Monte Carlo kernel's portable exp (k rounded half away from zero, as the TypeScript engine does).
 */
export function expWithExponent(x: v128, kf: v128): v128 {
  const hi = f64x2.sub(x, f64x2.mul(kf, lanes(V_LN2_HI)));
  const lo = f64x2.mul(kf, lanes(V_LN2_LO));
  const r = f64x2.sub(hi, lo);
  const t = f64x2.mul(r, r);
  let poly = f64x2.add(lanes(V_EXP_P4), f64x2.mul(t, lanes(V_EXP_P5)));
  poly = f64x2.add(lanes(V_EXP_P3), f64x2.mul(t, poly));
  poly = f64x2.add(lanes(V_EXP_P2), f64x2.mul(t, poly));
  poly = f64x2.add(lanes(V_EXP_P1), f64x2.mul(t, poly));
  const c = f64x2.sub(r, f64x2.mul(t, poly));
  const quotient = f64x2.div(f64x2.mul(r, c), f64x2.sub(lanes(V_TWO), c));
  const y = f64x2.sub(lanes(V_ONE), f64x2.sub(f64x2.sub(lo, quotient), hi));
  // 2^k from the integer left in the low bits of k + MAGIC: its exponent field is k + 1023.
  const scale = i64x2.shl(i64x2.add(f64x2.add(kf, lanes(V_MAGIC)), lanes(V_EXPONENT_BIAS)), 52);
  return f64x2.mul(y, scale);
}

/**
 * fdlibm log1p on both lanes for -1 < x < 2^53, except where 1 + x lies within 2^-20 (relative) of a power of
 * two and needs reduction; `log1pX2Rare` flags those lanes and the ones outside the domain.
 */
export function log1pX2(x: v128): v128 {
  const noReduction = v128.and(f64x2.gt(x, lanes(V_MINUS_LOG1P_LOWER)), f64x2.lt(x, lanes(V_LOG1P_UPPER)));
  // Reduction: 1 + x = 2^k (1 + f), with c the rounding error of u = 1 + x relative to u.
  const u = f64x2.add(lanes(V_ONE), x);
  const mantissa = v128.and(u, lanes(V_MANTISSA_BITS));
  const m = v128.or(mantissa, lanes(V_ONE_BITS));
  const small = f64x2.lt(m, lanes(V_LOG1P_SQRT2));
  const normalised = v128.bitselect(m, v128.or(mantissa, lanes(V_HALF_BITS)), small);
  // k = exponent - 1023, plus 1 when the mantissa was halved.
  const k = i64x2.add(i64x2.sub(i64x2.shr_u(u, 52), lanes(V_EXPONENT_BIAS)), v128.andnot(lanes(V_INTEGER_ONE), small));
  let c = v128.bitselect(
    f64x2.sub(lanes(V_ONE), f64x2.sub(u, x)),
    f64x2.sub(x, f64x2.sub(u, lanes(V_ONE))),
    f64x2.ge(u, lanes(V_TWO)),
  );
  c = v128.andnot(f64x2.div(c, u), noReduction);
  const f = v128.bitselect(x, f64x2.sub(normalised, lanes(V_ONE)), noReduction);
  const dk = v128.andnot(integersToF64(k), noReduction);

  const hfsq = f64x2.mul(f64x2.mul(lanes(V_HALF), f), f);
  const s = f64x2.div(f, f64x2.add(lanes(V_TWO), f));
  const z = f64x2.mul(s, s);
  let R = f64x2.add(lanes(V_LG6), f64x2.mul(z, lanes(V_LG7)));
  R = f64x2.add(lanes(V_LG5), f64x2.mul(z, R));
  R = f64x2.add(lanes(V_LG4), f64x2.mul(z, R));
  R = f64x2.add(lanes(V_LG3), f64x2.mul(z, R));
  R = f64x2.add(lanes(V_LG2), f64x2.mul(z, R));
  R = f64x2.add(lanes(V_LG1), f64x2.mul(z, R));
  R = f64x2.mul(z, R);
  // k ln2_hi - ((hfsq - (s (hfsq + R) + (k ln2_lo + c))) - f); with k = c = 0 this is f - (hfsq - s (hfsq + R)) exactly.
  const inner = f64x2.add(f64x2.mul(s, f64x2.add(hfsq, R)), f64x2.add(f64x2.mul(dk, lanes(V_LN2_LO)), c));
  const result = f64x2.sub(f64x2.mul(dk, lanes(V_LN2_HI)), f64x2.sub(f64x2.sub(hfsq, inner), f));
  // |x| < 2^-29: x - x^2/2, and x itself below 2^-54.
  const ax = f64x2.abs(x);
  const tinyValue = v128.bitselect(x, f64x2.sub(x, f64x2.mul(f64x2.mul(x, x), lanes(V_HALF))), f64x2.lt(ax, lanes(V_LOG1P_TINIER)));
  return v128.bitselect(tinyValue, result, f64x2.lt(ax, lanes(V_LOG1P_TINY)));
}

/** Lanes where log1pX2 is not fdlibm's log1p: outside (-1, 2^53), NaN, or the |f| < 2^-20 case after reduction. */
export function log1pX2Rare(x: v128): v128 {
  const inside = v128.and(f64x2.gt(x, lanes(V_MINUS_ONE)), f64x2.lt(x, lanes(V_TWO_53)));
  const reduced = v128.not(v128.or(
    v128.and(f64x2.gt(x, lanes(V_MINUS_LOG1P_LOWER)), f64x2.lt(x, lanes(V_LOG1P_UPPER))),
    f64x2.lt(f64x2.abs(x), lanes(V_LOG1P_TINY)),
  ));
  const u = f64x2.add(lanes(V_ONE), x);
  const m = v128.or(v128.and(u, lanes(V_MANTISSA_BITS)), lanes(V_ONE_BITS));
  const small = f64x2.lt(m, lanes(V_LOG1P_SQRT2));
  const nearPower = v128.bitselect(f64x2.lt(m, lanes(V_NEAR_ONE)), f64x2.ge(m, lanes(V_LOG1P_NEAR_TWO)), small);
  return v128.or(v128.not(inside), v128.and(reduced, nearPower));
}

/**
 * fdlibm log on both lanes for positive normal finite x, except within 2^-20 of a power of two, where fdlibm uses
 * a short series; `logX2Rare` flags those lanes and the ones outside the domain.
 */
export function logX2(x: v128): v128 {
  const mantissa = v128.and(x, lanes(V_MANTISSA_BITS));
  const m = v128.or(mantissa, lanes(V_ONE_BITS));
  const halve = f64x2.ge(m, lanes(V_LOG_SQRT2));
  const normalised = v128.bitselect(v128.or(mantissa, lanes(V_HALF_BITS)), m, halve);
  const k = i64x2.add(i64x2.sub(i64x2.shr_u(x, 52), lanes(V_EXPONENT_BIAS)), v128.and(lanes(V_INTEGER_ONE), halve));
  const f = f64x2.sub(normalised, lanes(V_ONE));
  const s = f64x2.div(f, f64x2.add(lanes(V_TWO), f));
  const dk = integersToF64(k);
  const z = f64x2.mul(s, s);
  const w = f64x2.mul(z, z);
  const t1 = f64x2.mul(w, f64x2.add(lanes(V_LG2), f64x2.mul(w, f64x2.add(lanes(V_LG4), f64x2.mul(w, lanes(V_LG6))))));
  const t2 = f64x2.mul(z, f64x2.add(lanes(V_LG1), f64x2.mul(w, f64x2.add(lanes(V_LG3), f64x2.mul(w, f64x2.add(lanes(V_LG5), f64x2.mul(w, lanes(V_LG7))))))));
  const R = f64x2.add(t2, t1);
  const wide = v128.and(f64x2.ge(m, lanes(V_LOG_WIDE_LOW)), f64x2.lt(m, lanes(V_LOG_WIDE_HIGH)));
  // With k = 0 both forms reduce exactly to fdlibm's k = 0 forms.
  const hfsq = f64x2.mul(f64x2.mul(lanes(V_HALF), f), f);
  const wideValue = f64x2.sub(
    f64x2.mul(dk, lanes(V_LN2_HI)),
    f64x2.sub(f64x2.sub(hfsq, f64x2.add(f64x2.mul(s, f64x2.add(hfsq, R)), f64x2.mul(dk, lanes(V_LN2_LO)))), f),
  );
  const narrowValue = f64x2.sub(
    f64x2.mul(dk, lanes(V_LN2_HI)),
    f64x2.sub(f64x2.sub(f64x2.mul(s, f64x2.sub(f, R)), f64x2.mul(dk, lanes(V_LN2_LO))), f),
  );
  return v128.bitselect(wideValue, narrowValue, wide);
}

/** Lanes where logX2 is not fdlibm's log: x not positive, normal and finite, or within 2^-20 of a power of two. */
export function logX2Rare(x: v128): v128 {
  const normal = v128.and(f64x2.ge(x, lanes(V_SMALLEST_NORMAL)), f64x2.lt(x, lanes(V_INFINITY)));
  const m = v128.or(v128.and(x, lanes(V_MANTISSA_BITS)), lanes(V_ONE_BITS));
  const nearPower = v128.or(f64x2.lt(m, lanes(V_NEAR_ONE)), f64x2.ge(m, lanes(V_LOG_NEAR_TWO)));
  return v128.or(v128.not(normal), nearPower);
}

