import { CoreError } from '../errors.js';
import { philox4x32 } from './philox.js';
import { splitWords64 } from './seed.js';
import { JOE_KUO_6_21201_ROWS } from './sobol-direction-numbers.js';

/**
 * Sobol' points in base 2 with 32-bit resolution (Bratley and Fox, ACM TOMS Algorithm 659, 1988; Joe and Kuo
 * 2008 direction numbers, sobol-direction-numbers.ts), in Gray-code order (Antonov and Saleev, 1979): point n is
 * the XOR of the direction numbers v_k selected by the bits of n ^ (n >> 1), so consecutive points differ by one
 * XOR and any point can be reached directly. Unscrambled, point 0 is the origin.
 *
 * Randomisation (docs/numerics.md, "Tunable Monte Carlo"): Matousek's linear matrix scrambling (a random
 * lower-triangular binary matrix with unit diagonal applied to every direction number) followed by a random
 * digital shift (XOR with a random 32-bit word). Each scrambled sequence is still a (t, s)-sequence and each of
 * its points is uniform on the 2^-32 grid, so independent scramblings give independent, unbiased replicates
 * whose spread is an honest error estimate.
 */

export const SOBOL_BITS = 32;
export const SOBOL_MAX_DIMENSION = JOE_KUO_6_21201_ROWS.length + 1;
/** 2^32 points exhaust the 32-bit direction numbers. */
export const SOBOL_MAX_POINTS = 2 ** 32;
const WORD_UNIT = 2 ** -32;

/** The 32 direction numbers v_1 .. v_32 of `dimension` (1-based), as uint32 words whose top bit is 1/2. */
export function sobolDirectionNumbers(dimension: number): Uint32Array {
  if (!Number.isInteger(dimension) || dimension < 1 || dimension > SOBOL_MAX_DIMENSION) {
    throw new CoreError(
      'ERR_CORE_INVALID_INPUT',
      `dimension must be an integer in [1, ${SOBOL_MAX_DIMENSION}], got ${String(dimension)}`,
      'dimension',
    );
  }
  const v = new Uint32Array(SOBOL_BITS);
  if (dimension === 1) {
    for (let k = 0; k < SOBOL_BITS; k++) v[k] = 2 ** (31 - k);
    return v;
  }
  const row = JOE_KUO_6_21201_ROWS[dimension - 2]!;
  const { s, a, m } = row;
  for (let k = 0; k < s; k++) v[k] = m[k]! * 2 ** (31 - k);
  // The recurrence of the primitive polynomial x^s + a_1 x^(s-1) + ... + a_(s-1) x + 1 (Bratley and Fox).
  for (let k = s; k < SOBOL_BITS; k++) {
    let word = v[k - s]! ^ (v[k - s]! >>> s);
    for (let j = 1; j < s; j++) {
      if (((a >>> (s - 1 - j)) & 1) === 1) word ^= v[k - j]!;
    }
    v[k] = word >>> 0;
  }
  return v;
}

/** The 32-bit word of point `index` (Gray-code order) for direction numbers `v` and digital shift `shift`. */
export function sobolWord(v: Uint32Array, shift: number, index: number): number {
  // index < 2^32, so its uint32 view is exact and the Gray code fits 32 bits.
  const n = index >>> 0;
  let gray = (n ^ (n >>> 1)) >>> 0;
  let word = shift >>> 0;
  for (let k = 0; gray !== 0; k++) {
    if ((gray & 1) === 1) word ^= v[k]!;
    gray >>>= 1;
  }
  return word >>> 0;
}

/**
 * Writes the uniforms (w + 1/2) 2^-32 of points first .. first + count - 1 into out[0 .. count - 1]: the
 * half-cell offset keeps every uniform strictly inside (0, 1), as the pseudo-random stream does, so the
 * inverse normal is always finite.
 */
export function fillSobolUniforms(
  v: Uint32Array,
  shift: number,
  first: number,
  out: Float64Array,
  count: number,
): void {
  if (!Number.isSafeInteger(first) || first < 0 || first + count > SOBOL_MAX_POINTS) {
    throw new CoreError(
      'ERR_CORE_INVALID_INPUT',
      `Sobol points ${first} .. ${first + count - 1} are outside [0, 2^32)`,
      'paths',
    );
  }
  let word = sobolWord(v, shift, first);
  for (let i = 0; i < count; i++) {
    out[i] = (word + 0.5) * WORD_UNIT;
    const next = first + i + 1;
    // The Gray code of `next` differs from that of next - 1 in the bit of next's lowest set bit.
    const low = next % 4294967296 === 0 ? 32 : 31 - Math.clz32((next | 0) & -(next | 0));
    if (low < SOBOL_BITS) word = (word ^ v[low]!) >>> 0;
  }
}

/** The unscrambled points first .. first + count - 1 of dimensions 1 .. dimensions, row-major, in [0, 1). */
export function sobolPoints(dimensions: number, first: number, count: number): Float64Array {
  const out = new Float64Array(dimensions * count);
  for (let d = 1; d <= dimensions; d++) {
    const v = sobolDirectionNumbers(d);
    for (let i = 0; i < count; i++) out[i * dimensions + d - 1] = sobolWord(v, 0, first + i) * WORD_UNIT;
  }
  return out;
}

/** Direction numbers and digital shift of one scrambled copy of one dimension. */
export interface ScrambledSobolDimension {
  readonly directions: Uint32Array;
  readonly shift: number;
}

/**
 * Linear matrix scrambling plus digital shift of `dimension`, drawn from Philox4x32-10 under the key `key`
 * (a 64-bit seed) at counters (word group, replicate, dimension, 0): 32 words give the columns of the random
 * lower-triangular matrix, a 33rd the shift. A pure function of (key, replicate, dimension).
 */
export function scrambleSobolDimension(key: bigint, replicate: number, dimension: number): ScrambledSobolDimension {
  const v = sobolDirectionNumbers(dimension);
  const [k0, k1] = splitWords64(key);
  const random = new Uint32Array(36);
  const words = new Uint32Array(4);
  for (let group = 0; group < 9; group++) {
    philox4x32(group, replicate >>> 0, dimension, 0, k0, k1, words);
    random.set(words, 4 * group);
  }
  // Column j (j = 0 is the most significant bit) has its diagonal bit and random bits of lower significance:
  // output bit i depends on input bits j <= i only, which keeps the net property of every 2^m block.
  const columns = new Uint32Array(SOBOL_BITS);
  for (let j = 0; j < SOBOL_BITS; j++) {
    const below = j === 31 ? 0 : 0xffffffff >>> (j + 1);
    columns[j] = (2 ** (31 - j) + (random[j]! & below)) >>> 0;
  }
  const directions = new Uint32Array(SOBOL_BITS);
  for (let k = 0; k < SOBOL_BITS; k++) {
    let word = 0;
    const source = v[k]!;
    for (let j = 0; j < SOBOL_BITS; j++) {
      if ((source >>> (31 - j)) & 1) word ^= columns[j]!;
    }
    directions[k] = word >>> 0;
  }
  return { directions, shift: random[SOBOL_BITS]! };
}
