/**
 * exp, log, log1p and expm1 as V8 computes Math.exp, Math.log, Math.log1p and Math.expm1: V8 ports Sun's fdlibm
 * (src/base/ieee754.cc), and these follow the same reductions, polynomials and operation order, so they return
 * the same double for the same argument. That is what lets the WebAssembly kernels reproduce the TypeScript
 * reference to the bit instead of to within a few ulps. AssemblyScript's own Math is musl's, whose last bits
 * differ.
 *
 * Algorithms and coefficients: fdlibm 5.3 (Sun Microsystems, 1993), e_exp.c, e_log.c, s_log1p.c, s_expm1.c;
 * V8's one change is kept (exp(1) returns the correctly rounded e).
 */

// Published fdlibm constants.
export const LN2_HI: f64 = 6.9314718036912381649e-1; // 0x3FE62E42 FEE00000
export const LN2_LO: f64 = 1.90821492927058770002e-10; // 0x3DEA39EF 35793C76
export const INV_LN2: f64 = 1.442695040888963387; // 0x3FF71547 652B82FE
export const EXP_P1: f64 = 1.66666666666666019037e-1;
export const EXP_P2: f64 = -2.77777777770155933842e-3;
export const EXP_P3: f64 = 6.61375632143793436117e-5;
export const EXP_P4: f64 = -1.6533902205465251539e-6;
export const EXP_P5: f64 = 4.13813679705723846039e-8;
const EXP_OVERFLOW: f64 = 7.09782712893383973096e2;
const EXP_UNDERFLOW: f64 = -7.4513321910194110842e2;
const TWO_M1000: f64 = 9.3326361850321887899e-302; // 2^-1000
const TWO_1023: f64 = 8.988465674311579539e307; // 2^1023
const E: f64 = 2.718281828459045;

/** The same seven coefficients serve log (Lg1..Lg7) and log1p (Lp1..Lp7). */
export const LG1: f64 = 6.66666666666673513e-1;
export const LG2: f64 = 3.999999999940941908e-1;
export const LG3: f64 = 2.857142874366239149e-1;
export const LG4: f64 = 2.222219843214978396e-1;
export const LG5: f64 = 1.818357216161805012e-1;
export const LG6: f64 = 1.531383769920937332e-1;
export const LG7: f64 = 1.479819860511658591e-1;
const TWO_54: f64 = 1.8014398509481984e16;

const EXPM1_Q1: f64 = -3.33333333333331316428e-2;
const EXPM1_Q2: f64 = 1.58730158725481460165e-3;
const EXPM1_Q3: f64 = -7.93650757867487942473e-5;
const EXPM1_Q4: f64 = 4.00821782732936239552e-6;
const EXPM1_Q5: f64 = -2.01099218183624371326e-7;

/** The upper 32 bits of a double's representation. */
export function highWord(x: f64): i32 {
  return <i32>(reinterpret<u64>(x) >> 32);
}

/** x with its upper 32 bits replaced. */
function withHighWord(x: f64, high: i32): f64 {
  return reinterpret<f64>((reinterpret<u64>(x) & 0xffffffff) | ((<u64>(<u32>high)) << 32));
}

/** The double whose upper word is `high` and lower word 0. */
function fromHighWord(high: i32): f64 {
  return reinterpret<f64>((<u64>(<u32>high)) << 32);
}

export function exp(x: f64): f64 {
  let hx = <u32>highWord(x);
  const negative = hx >> 31 !== 0;
  hx &= 0x7fffffff;
  if (hx >= 0x40862e42) {
    // |x| >= 709.78: non-finite, overflow or underflow.
    if (hx >= 0x7ff00000) {
      if (x !== x) return x + x;
      return negative ? 0.0 : x;
    }
    if (x > EXP_OVERFLOW) return Infinity;
    if (x < EXP_UNDERFLOW) return 0.0;
  }
  let k: i32 = 0;
  let hi: f64 = 0.0;
  let lo: f64 = 0.0;
  let r = x;
  if (hx > 0x3fd62e42) {
    // |x| > ln2 / 2: x = k ln2 + r with |r| <= ln2 / 2, r carried as hi - lo.
    if (hx < 0x3ff0a2b2) {
      if (x === 1.0) return E;
      hi = negative ? x + LN2_HI : x - LN2_HI;
      lo = negative ? -LN2_LO : LN2_LO;
      k = negative ? -1 : 1;
    } else {
      k = <i32>(INV_LN2 * x + (negative ? -0.5 : 0.5));
      const t = <f64>k;
      hi = x - t * LN2_HI;
      lo = t * LN2_LO;
    }
    r = hi - lo;
  } else if (hx < 0x3e300000) {
    return 1.0 + x;
  }
  const t = r * r;
  const c = r - t * (EXP_P1 + t * (EXP_P2 + t * (EXP_P3 + t * (EXP_P4 + t * EXP_P5))));
  if (k === 0) return 1.0 - ((r * c) / (c - 2.0) - r);
  const y = 1.0 - (lo - (r * c) / (2.0 - c) - hi);
  if (k >= -1021) {
    if (k === 1024) return y * 2.0 * TWO_1023;
    return y * fromHighWord(0x3ff00000 + (k << 20));
  }
  return y * fromHighWord(0x3ff00000 + ((k + 1000) << 20)) * TWO_M1000;
}

export function log(input: f64): f64 {
  let x = input;
  const bits = reinterpret<u64>(x);
  let hx = <i32>(bits >> 32);
  const lx = <u32>bits;
  let k: i32 = 0;
  if (hx < 0x00100000) {
    if (((hx & 0x7fffffff) | lx) === 0) return -Infinity;
    if (hx < 0) return NaN;
    // Subnormal: scale into the normal range.
    k -= 54;
    x *= TWO_54;
    hx = highWord(x);
  }
  if (hx >= 0x7ff00000) return x + x;
  k += (hx >> 20) - 1023;
  hx &= 0x000fffff;
  let i = (hx + 0x95f64) & 0x100000;
  x = withHighWord(x, hx | (i ^ 0x3ff00000)); // x or x/2, so that sqrt(2)/2 < x < sqrt(2)
  k += i >> 20;
  const f = x - 1.0;
  if ((0x000fffff & (2 + hx)) < 3) {
    // -2^-20 <= f < 2^-20
    if (f === 0.0) {
      if (k === 0) return 0.0;
      const dk = <f64>k;
      return dk * LN2_HI + dk * LN2_LO;
    }
    const R = f * f * (0.5 - 0.3333333333333333 * f);
    if (k === 0) return f - R;
    const dk = <f64>k;
    return dk * LN2_HI - (R - dk * LN2_LO - f);
  }
  const s = f / (2.0 + f);
  const dk = <f64>k;
  const z = s * s;
  i = hx - 0x6147a;
  const w = z * z;
  const j = 0x6b851 - hx;
  const t1 = w * (LG2 + w * (LG4 + w * LG6));
  const t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
  i |= j;
  const R = t2 + t1;
  if (i > 0) {
    const hfsq = 0.5 * f * f;
    if (k === 0) return f - (hfsq - s * (hfsq + R));
    return dk * LN2_HI - (hfsq - (s * (hfsq + R) + dk * LN2_LO) - f);
  }
  if (k === 0) return f - s * (f - R);
  return dk * LN2_HI - (s * (f - R) - dk * LN2_LO - f);
}

export function log1p(x: f64): f64 {
  const hx = highWord(x);
  const ax = hx & 0x7fffffff;
  let k: i32 = 1;
  let f: f64 = 0.0;
  let c: f64 = 0.0;
  let hu: i32 = 0;
  if (hx < 0x3fda827a) {
    // 1 + x < sqrt(2)
    if (ax >= 0x3ff00000) {
      // x <= -1
      return x === -1.0 ? -Infinity : NaN;
    }
    if (ax < 0x3e200000) {
      // |x| < 2^-29
      if (ax < 0x3c900000) return x;
      return x - x * x * 0.5;
    }
    if (hx > 0 || hx <= <i32>0xbfd2bec4) {
      // sqrt(2)/2 <= 1 + x < sqrt(2): no reduction
      k = 0;
      f = x;
      hu = 1;
    }
  }
  if (hx >= 0x7ff00000) return x + x;
  if (k !== 0) {
    let u: f64;
    if (hx < 0x43400000) {
      u = 1.0 + x;
      hu = highWord(u);
      k = (hu >> 20) - 1023;
      c = k > 0 ? 1.0 - (u - x) : x - (u - 1.0); // the rounding error of 1 + x
      c /= u;
    } else {
      u = x;
      hu = highWord(u);
      k = (hu >> 20) - 1023;
      c = 0;
    }
    hu &= 0x000fffff;
    if (hu < 0x6a09e) {
      u = withHighWord(u, hu | 0x3ff00000);
    } else {
      k += 1;
      u = withHighWord(u, hu | 0x3fe00000);
      hu = (0x00100000 - hu) >> 2;
    }
    f = u - 1.0;
  }
  const hfsq = 0.5 * f * f;
  if (hu === 0) {
    // |f| < 2^-20
    if (f === 0.0) {
      if (k === 0) return 0.0;
      c += <f64>k * LN2_LO;
      return <f64>k * LN2_HI + c;
    }
    const R = hfsq * (1.0 - 0.6666666666666666 * f);
    if (k === 0) return f - R;
    return <f64>k * LN2_HI - (R - (<f64>k * LN2_LO + c) - f);
  }
  const s = f / (2.0 + f);
  const z = s * s;
  const R = z * (LG1 + z * (LG2 + z * (LG3 + z * (LG4 + z * (LG5 + z * (LG6 + z * LG7))))));
  if (k === 0) return f - (hfsq - s * (hfsq + R));
  return <f64>k * LN2_HI - (hfsq - (s * (hfsq + R) + (<f64>k * LN2_LO + c)) - f);
}

export function expm1(input: f64): f64 {
  let x = input;
  let hx = <u32>highWord(x);
  const negative = (hx & 0x80000000) !== 0;
  hx &= 0x7fffffff;
  if (hx >= 0x4043687a) {
    // |x| >= 56 ln2
    if (hx >= 0x40862e42) {
      if (hx >= 0x7ff00000) {
        if (x !== x) return x + x;
        return negative ? -1.0 : x;
      }
      if (x > EXP_OVERFLOW) return Infinity;
    }
    if (negative) return -1.0;
  }
  let k: i32 = 0;
  let c: f64 = 0.0;
  if (hx > 0x3fd62e42) {
    let hi: f64, lo: f64;
    if (hx < 0x3ff0a2b2) {
      if (!negative) {
        hi = x - LN2_HI;
        lo = LN2_LO;
        k = 1;
      } else {
        hi = x + LN2_HI;
        lo = -LN2_LO;
        k = -1;
      }
    } else {
      k = <i32>(INV_LN2 * x + (negative ? -0.5 : 0.5));
      const t = <f64>k;
      hi = x - t * LN2_HI;
      lo = t * LN2_LO;
    }
    x = hi - lo;
    c = hi - x - lo;
  } else if (hx < 0x3c900000) {
    return x;
  }
  const hfx = 0.5 * x;
  const hxs = x * hfx;
  const r1 = 1.0 + hxs * (EXPM1_Q1 + hxs * (EXPM1_Q2 + hxs * (EXPM1_Q3 + hxs * (EXPM1_Q4 + hxs * EXPM1_Q5))));
  let t = 3.0 - r1 * hfx;
  let e = hxs * ((r1 - t) / (6.0 - x * t));
  if (k === 0) return x - (x * e - hxs);
  const twopk = fromHighWord(0x3ff00000 + (k << 20));
  e = x * (e - c) - c;
  e -= hxs;
  if (k === -1) return 0.5 * (x - e) - 0.5;
  if (k === 1) {
    if (x < -0.25) return -2.0 * (e - (x + 0.5));
    return 1.0 + 2.0 * (x - e);
  }
  if (k <= -2 || k > 56) {
    let y = 1.0 - (e - x);
    if (k === 1024) y = y * 2.0 * 8.98846567431158e307;
    else y = y * twopk;
    return y - 1.0;
  }
  let y: f64;
  if (k < 20) {
    t = fromHighWord(0x3ff00000 - (0x200000 >> k)); // 1 - 2^-k
    y = t - (e - x);
    y = y * twopk;
  } else {
    t = fromHighWord((0x3ff - k) << 20); // 2^-k
    y = x - (e + t);
    y += 1.0;
    y = y * twopk;
  }
  return y;
}
