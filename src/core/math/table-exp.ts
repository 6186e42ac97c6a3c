import { portableExpInPlace } from './portable-exp.js';

/**
 * e^x by table lookup, the method of P. T. P. Tang, "Table-driven implementation of the exponential function in
 * IEEE floating-point arithmetic", ACM Transactions on Mathematical Software 15 (1989) 144-157: x = (256 m + j)
 * ln2 / 256 + r with |r| <= ln2 / 512, so e^x = 2^m 2^(j / 256) e^r, and e^r - 1 is the degree-4 Taylor polynomial
 * (its truncation error r^5 / 120 < 4e-17 is below half an ulp of 1). Error within 2 ulp (the tests measure it
 * against Math.exp); a scalar function small enough for V8 to inline into the Longstaff-Schwartz loops, where
 * `portableExpInPlace`'s block interface does not fit (only the in-the-money paths need e^x).
 *
 * Every step is an IEEE-754 basic operation or an integer operation, and the table is computed at module load by
 * `portableExpInPlace`, itself IEEE-only: the value is the same on every engine, as for `math/portable-exp.ts`.
 */

const N = 256;
/** ln2 / 256 split so that k * LN2_HI_N is exact for |k| < 2^32 (fdlibm's high part has 32 trailing zero bits). */
const LN2_HI_N = 6.9314718036912381649e-1 / N;
const LN2_LO_N = 1.90821492927058770002e-10 / N;
const N_OVER_LN2 = N / Math.LN2;
/** Adding and subtracting 1.5 x 2^52 rounds a double of magnitude below 2^51 to the nearest integer (ties even). */
const ROUND_SHIFT = 6755399441055744;
/** Within these bounds 2^m stays a normal double and the table method applies; outside, portableExpInPlace. */
const HIGH = 708;
const LOW = -708;

/** 2^(j / 256), j = 0 .. 255. */
const TABLE = new Float64Array(N);
for (let j = 0; j < N; j++) TABLE[j] = (j * Math.LN2) / N;
portableExpInPlace(TABLE, N);

/** 2^m for m in [-1022, 1023], exact; index m + 1022. */
const POWERS_OF_TWO = new Float64Array(2046);
for (let m = -1022; m <= 1023; m++) POWERS_OF_TWO[m + 1022] = 2 ** m;

const fallback = new Float64Array(1);

/** e^x (same bits on every engine; within 2 ulp of the exact value). */
export function tableExp(x: number): number {
  if (!(x >= LOW && x <= HIGH)) {
    fallback[0] = x;
    portableExpInPlace(fallback, 1);
    return fallback[0]!;
  }
  const k = x * N_OVER_LN2 + ROUND_SHIFT - ROUND_SHIFT;
  const r = x - k * LN2_HI_N - k * LN2_LO_N;
  const p = r + r * r * (0.5 + r * (1 / 6 + r * (1 / 24)));
  const ki = k | 0;
  const t = TABLE[ki & (N - 1)]!;
  return (t + t * p) * POWERS_OF_TWO[(ki >> 8) + 1022]!;
}
