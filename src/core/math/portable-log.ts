/**
 * ln x in plain JavaScript arithmetic, following the method of fdlibm's e_log.c (Sun Microsystems, 1993): reduce
 * x = 2^k (1 + f) with sqrt(2)/2 <= 1 + f < sqrt(2), write ln(1 + f) = 2s + s R(s^2) with s = f / (2 + f) and
 * fdlibm's Remez polynomial R (Lg1..Lg7, error below 2^-58.45), and add k ln2 split in a high and a low part.
 * Error below 1 ulp.
 *
 * Why not Math.log: the ECMAScript specification leaves its last bit to the engine, and the Monte Carlo numbers
 * that depend on it (the ziggurat's tables and its tail, `math/ziggurat.ts`) must be the same on every engine.
 * Every step here is an IEEE-754 basic operation; the exponent is found by multiplying by powers of two, which is
 * exact, instead of reading the bits of the double (that would depend on the platform's byte order).
 */

const LN2_HI = 6.9314718036912381649e-1;
const LN2_LO = 1.90821492927058770002e-10;
const LG1 = 6.66666666666673513e-1;
const LG2 = 3.999999999940941908e-1;
const LG3 = 2.857142874366239149e-1;
const LG4 = 2.222219843214978396e-1;
const LG5 = 1.818357216161805012e-1;
const LG6 = 1.531383769920937332e-1;
const LG7 = 1.479819860511658591e-1;
const SQRT2 = Math.SQRT2;
const TWO_POW_64 = 2 ** 64;
const TWO_POW_MINUS_64 = 2 ** -64;
/** 2^b and 2^-b for b = 1, 2, 4, 8, 16, 32 (index b). */
const POWERS = new Float64Array(33);
const INVERSE_POWERS = new Float64Array(33);
for (let b = 1; b <= 32; b <<= 1) {
  POWERS[b] = 2 ** b;
  INVERSE_POWERS[b] = 2 ** -b;
}

/** ln x for every double: NaN below 0 (and for NaN), -Infinity at 0, Infinity at Infinity. */
export function portableLog(x: number): number {
  if (!(x > 0)) return x === 0 ? -Infinity : Number.NaN;
  if (x === Infinity) return x;
  // x = 2^k m with sqrt(2)/2 <= m < sqrt(2), by multiplications with powers of two, all exact: first into
  // [1, 2^64) (a subnormal x is scaled up before any halving could lose its bits), then a binary search of the
  // binade, then one halving if m >= sqrt(2).
  let k = 0;
  let m = x;
  while (m < 1) {
    m *= TWO_POW_64;
    k -= 64;
  }
  while (m >= TWO_POW_64) {
    m *= TWO_POW_MINUS_64;
    k += 64;
  }
  for (let bits = 32; bits >= 1; bits >>= 1) {
    if (m >= POWERS[bits]!) {
      m *= INVERSE_POWERS[bits]!;
      k += bits;
    }
  }
  if (m >= SQRT2) {
    m *= 0.5;
    k++;
  }
  const f = m - 1;
  const s = f / (2 + f);
  const z = s * s;
  const w = z * z;
  const r = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7))) + w * (LG2 + w * (LG4 + w * LG6));
  const halfSquare = 0.5 * f * f;
  if (k === 0) return f - (halfSquare - s * (halfSquare + r));
  return k * LN2_HI - (halfSquare - (s * (halfSquare + r) + k * LN2_LO) - f);
}
