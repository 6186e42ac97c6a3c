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
const M0_LOW = PHILOX_M0 & 0xffff;
const M0_HIGH = PHILOX_M0 >>> 16;
const M1_LOW = PHILOX_M1 & 0xffff;
const M1_HIGH = PHILOX_M1 >>> 16;

/**
 * One Philox4x32-10 evaluation: writes the four output words for counter (c0, c1, c2, c3) under key (k0, k1).
 * Round: (c0, c1, c2, c3) -> (hi(M1*c2) ^ c1 ^ k0, lo(M1*c2), hi(M0*c0) ^ c3 ^ k1, lo(M0*c0)); the key is
 * bumped by the Weyl constants between rounds.
 *
 * hi(M*c), the high word of a 32x32-bit product, needs care: a double holds only 53 bits, so the product is
 * assembled from four 16x16-bit partial products (each below 2^32) with the carries out of the middle column
 * added explicitly, all exact. It is written out inside the loop rather than called: this function is inlined
 * into the Monte Carlo block loop, and a helper call per multiply would depend on V8's inlining budget.
 */
export function philox4x32(
  c0: number,
  c1: number,
  c2: number,
  c3: number,
  k0: number,
  k1: number,
  out: Int32Array | Uint32Array,
): void {
  for (let round = 0; round < PHILOX_ROUNDS; round++) {
    const lo0 = Math.imul(PHILOX_M0, c0);
    const lo1 = Math.imul(PHILOX_M1, c2);
    // hi(M0 * c0) from 16-bit halves.
    const a0 = c0 & 0xffff;
    const a1 = c0 >>> 16;
    let ll = Math.imul(M0_LOW, a0) >>> 0;
    let lh = Math.imul(M0_LOW, a1) >>> 0;
    let hl = Math.imul(M0_HIGH, a0) >>> 0;
    let hh = Math.imul(M0_HIGH, a1) >>> 0;
    const hi0 = hh + (lh >>> 16) + (hl >>> 16) + (((ll >>> 16) + (lh & 0xffff) + (hl & 0xffff)) >>> 16);
    // hi(M1 * c2) likewise.
    const b0 = c2 & 0xffff;
    const b1 = c2 >>> 16;
    ll = Math.imul(M1_LOW, b0) >>> 0;
    lh = Math.imul(M1_LOW, b1) >>> 0;
    hl = Math.imul(M1_HIGH, b0) >>> 0;
    hh = Math.imul(M1_HIGH, b1) >>> 0;
    const hi1 = hh + (lh >>> 16) + (hl >>> 16) + (((ll >>> 16) + (lh & 0xffff) + (hl & 0xffff)) >>> 16);
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
