/**
 * e^x in plain JavaScript arithmetic, following the method of fdlibm's e_exp.c (Sun Microsystems, 1993):
 * reduce x = k ln2 + r with |r| <= ln2 / 2 (ln2 split in a high part with 32 trailing zero bits and a low
 * part, so k * ln2hi is exact), approximate exp(r) = 1 + r + r c(r) / (2 - c(r)) with fdlibm's Remez
 * polynomial c (P1..P5, error below 2^-59), and scale by 2^k. Error below 1 ulp.
 *
 * Why not Math.exp: V8 reaches its C exp through a call per element, which costs about twice this loop over a
 * block of exponents, and the ECMAScript specification leaves Math.exp's last bit to the engine, whereas
 * every step here is an IEEE-754 basic operation, so the value is the same on every engine. (On V8, whose
 * Math.exp is a port of the same fdlibm routine, the two agree bit for bit on random arguments, as the tests
 * measure; V8 special-cases exp(1) to return Math.E, 1 ulp below fdlibm's value.)
 */

const LN2_HI = 6.9314718036912381649e-1;
const LN2_LO = 1.90821492927058770002e-10;
const INV_LN2 = 1.442695040888963387;
const P1 = 1.66666666666666019037e-1;
const P2 = -2.77777777770155933842e-3;
const P3 = 6.61375632143793436117e-5;
const P4 = -1.6533902205465251539e-6;
const P5 = 4.13813679705723846039e-8;
/** Above this e^x overflows; below UNDERFLOW it rounds to 0 (fdlibm's o_threshold and u_threshold). */
const OVERFLOW = 7.09782712893383973096e2;
const UNDERFLOW = -7.4513321910194110842e2;
const TINY = 2 ** -28;
const TWO_POW_MINUS_1000 = 2 ** -1000;

/** 2^k for k in [-1022, 1023], exact; index k + 1022. */
const POWERS_OF_TWO = new Float64Array(2046);
for (let k = -1022; k <= 1023; k++) POWERS_OF_TWO[k + 1022] = 2 ** k;

/**
 * values[i] = e^{values[i]} for i < count. The Monte Carlo engine calls this on a block of exponents: the whole
 * computation sits in this one loop, so its speed does not depend on what V8 decides to inline into the caller.
 */
export function portableExpInPlace(values: Float64Array, count: number = values.length): void {
  for (let i = 0; i < count; i++) {
    const x = values[i]!;
    if (!(x <= OVERFLOW && x >= UNDERFLOW)) {
      values[i] = x > OVERFLOW ? Infinity : x < UNDERFLOW ? 0 : Number.NaN;
      continue;
    }
    if (Math.abs(x) < TINY) {
      values[i] = 1 + x;
      continue;
    }
    // Round x / ln2 half away from zero, as fdlibm does (its (int)(x * invln2 +/- 0.5)).
    const scaled = x * INV_LN2;
    const k = scaled >= 0 ? Math.floor(scaled + 0.5) : -Math.floor(0.5 - scaled);
    const hi = x - k * LN2_HI;
    const lo = k * LN2_LO;
    const r = hi - lo;
    const t = r * r;
    const c = r - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
    if (k === 0) {
      values[i] = 1 - ((r * c) / (c - 2) - r);
      continue;
    }
    const y = 1 - (lo - (r * c) / (2 - c) - hi);
    if (k >= -1021) {
      values[i] = k === 1024 ? y * 2 * POWERS_OF_TWO[1023 + 1022]! : y * POWERS_OF_TWO[k + 1022]!;
    } else {
      // Subnormal result: scale into the normal range first so only the last multiplication rounds.
      values[i] = y * POWERS_OF_TWO[k + 1000 + 1022]! * TWO_POW_MINUS_1000;
    }
  }
}
