/**
 * Philox4x32-10, the counter-based generator of Salmon, Moraes, Dror and Shaw, "Parallel random numbers:
 * as easy as 1, 2, 3" (SC'11, 2011, doi:10.1145/2063384.2063405). It is a keyed bijection of a 128-bit
 * counter: the output for a counter depends on nothing else, so any path of any stream can be generated
 * in any order, on any thread, and always gives the same numbers. That is what makes Monte Carlo results
 * independent of thread count and chunking.
 *
 * Words are handled as JavaScript int32/uint32 values; `out` receives the four output words.
 */

/** Round multipliers and Weyl key increments, as published in the paper and in Random123's philox.h. */
export const PHILOX_M0 = 0xd2511f53;
export const PHILOX_M1 = 0xcd9e8d57;
export const PHILOX_W0 = 0x9e3779b9;
export const PHILOX_W1 = 0xbb67ae85;
export const PHILOX_ROUNDS = 10;

/**
 * High 32 bits of the 64-bit product of two uint32 values. A double holds only 53 bits, so the product is
 * assembled from four 16x16-bit partial products, each below 2^32; the carries out of the middle column are
 * added explicitly. Everything stays exact integer arithmetic.
 */
export function mulHi32(a: number, b: number): number {
  const al = a & 0xffff;
  const ah = a >>> 16;
  const bl = b & 0xffff;
  const bh = b >>> 16;
  const ll = Math.imul(al, bl) >>> 0;
  const lh = Math.imul(al, bh) >>> 0;
  const hl = Math.imul(ah, bl) >>> 0;
  const hh = Math.imul(ah, bh) >>> 0;
  const middle = (ll >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  return (hh + (lh >>> 16) + (hl >>> 16) + (middle >>> 16)) >>> 0;
}

/**
 * One Philox4x32-10 evaluation: writes the four output words for counter (c0, c1, c2, c3) under key (k0, k1).
 * Round: (c0, c1, c2, c3) -> (hi(M1*c2) ^ c1 ^ k0, lo(M1*c2), hi(M0*c0) ^ c3 ^ k1, lo(M0*c0)); the key is
 * bumped by the Weyl constants between rounds.
 */
export function philox4x32(
  c0: number, c1: number, c2: number, c3: number,
  k0: number, k1: number,
  out: Int32Array | Uint32Array,
): void {
  for (let round = 0; round < PHILOX_ROUNDS; round++) {
    const lo0 = Math.imul(PHILOX_M0, c0);
    const lo1 = Math.imul(PHILOX_M1, c2);
    const hi0 = mulHi32(PHILOX_M0, c0);
    const hi1 = mulHi32(PHILOX_M1, c2);
    c0 = hi1 ^ c1 ^ k0;
    c1 = lo1;
    c2 = hi0 ^ c3 ^ k1;
    c3 = lo0;
    k0 = (k0 + PHILOX_W0) | 0;
    k1 = (k1 + PHILOX_W1) | 0;
  }
  out[0] = c0;
  out[1] = c1;
  out[2] = c2;
  out[3] = c3;
}

// The child-seed derivation lives with the seed handling; re-exported here because callers think of it as
// part of the generator's contract.
export { deriveChildSeed } from './seed.js';
