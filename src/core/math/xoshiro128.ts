import { philox4x32 } from './philox.js';
import { splitWords64 } from './seed.js';

/**
 * xoshiro128** of D. Blackman and S. Vigna, "Scrambled linear pseudorandom number generators", ACM Transactions on
 * Mathematical Software 47 (2021) 36:1-36:32: a 128-bit xor/shift/rotate state with the ** scrambler (rotate and
 * two multiplications), period 2^128 - 1, and every output bit of good quality (unlike the + scrambler, whose low
 * bits are weak). All its operations are 32-bit integer ones, exact in JavaScript with Math.imul and the bit
 * operators, so it costs a few nanoseconds where a Philox block costs tens.
 *
 * It is sequential, not counter-based: reproducibility comes from seeding, not from the position. Each stream is
 * seeded by one Philox4x32-10 block (`seedXoshiro128`), so a stream is a function of (key, stream index) only and
 * never of who draws it. The state lives in an Int32Array, four words per generator at `at`..`at + 3`.
 */

/** The raw state words for one generator, in the order s[0], s[1], s[2], s[3] of the reference code. */
export const XOSHIRO128_WORDS = 4;

const scratch = new Int32Array(4);

/**
 * Seeds the generator at `at` with the Philox4x32-10 block at counter (0, 0, stream low, stream high) under the
 * key `seed` (low, high 32-bit words): 128 bits that differ for every (seed, stream). The all-zero state, the
 * one state xoshiro cannot leave, has probability 2^-128; it is replaced by (1, 0, 0, 0).
 */
export function seedXoshiro128(
  state: Int32Array,
  at: number,
  seed: bigint,
  streamLow: number,
  streamHigh: number,
): void {
  const [k0, k1] = splitWords64(seed);
  philox4x32(0, 0, streamLow, streamHigh, k0, k1, scratch);
  const allZero = (scratch[0]! | scratch[1]! | scratch[2]! | scratch[3]!) === 0;
  state[at] = allZero ? 1 : scratch[0]!;
  state[at + 1] = scratch[1]!;
  state[at + 2] = scratch[2]!;
  state[at + 3] = scratch[3]!;
}

/**
 * The next output of the generator at `at` as an int32 (read it with >>> 0 for the uint32), advancing its state.
 * The ziggurat (`math/ziggurat.ts`) writes the same step out inline in its loop; this function is the reference
 * the tests compare both with.
 */
export function nextXoshiro128(state: Int32Array, at: number): number {
  const s0 = state[at]!;
  const s1 = state[at + 1]!;
  let s2 = state[at + 2]!;
  let s3 = state[at + 3]!;
  const product = Math.imul(s1, 5);
  const result = Math.imul((product << 7) | (product >>> 25), 9);
  const t = s1 << 9;
  s2 ^= s0;
  s3 ^= s1;
  state[at + 1] = s1 ^ s2;
  state[at] = s0 ^ s3;
  state[at + 2] = s2 ^ t;
  state[at + 3] = (s3 << 11) | (s3 >>> 21);
  return result;
}
