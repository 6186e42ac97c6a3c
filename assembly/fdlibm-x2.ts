/**
 * fdlibm's exp (fdlibm.ts) on the two lanes of an f64x2 vector, for the Monte Carlo kernel: the reduction and the
 * rational approximation of e^r for a chosen exponent k, returning in each lane the double the scalar code
 * returns for that k.
 */
import { lanes } from './lanes';
import { LN2_HI, LN2_LO, EXP_P1, EXP_P2, EXP_P3, EXP_P4, EXP_P5 } from './fdlibm';

// Vector constants (lanes.ts). Bit patterns are written as their two 32-bit words, low word first.

/** 1.5 * 2^52: added to an integer-valued double, it leaves the integer in the low bits of the sum. */
const V_MAGIC: usize = memory.data<f64>([6755399441055744.0, 6755399441055744.0], 16);
const V_EXPONENT_BIAS: usize = memory.data<u32>([0x000003ff, 0x00000000, 0x000003ff, 0x00000000], 16);
const V_ONE: usize = memory.data<f64>([1.0, 1.0], 16);
const V_TWO: usize = memory.data<f64>([2.0, 2.0], 16);
const V_LN2_HI: usize = memory.data<f64>([LN2_HI, LN2_HI], 16);
const V_LN2_LO: usize = memory.data<f64>([LN2_LO, LN2_LO], 16);
const V_EXP_P1: usize = memory.data<f64>([EXP_P1, EXP_P1], 16);
const V_EXP_P2: usize = memory.data<f64>([EXP_P2, EXP_P2], 16);
const V_EXP_P3: usize = memory.data<f64>([EXP_P3, EXP_P3], 16);
const V_EXP_P4: usize = memory.data<f64>([EXP_P4, EXP_P4], 16);
const V_EXP_P5: usize = memory.data<f64>([EXP_P5, EXP_P5], 16);

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
