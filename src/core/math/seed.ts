import { CoreError } from '../errors.js';

/**
 * Seeds and streams of the reproducible random numbers. A seed is a 64-bit unsigned integer held as a
 * bigint (JSON numbers lose integers above 2^53, and two different seeds must never collide silently).
 * It becomes the Philox key: key word 0 = the low 32 bits, key word 1 = the high 32 bits.
 */
export type Seed = bigint;

export const MAX_SEED: Seed = (1n << 64n) - 1n;
const MASK_64 = MAX_SEED;
const MASK_32 = 0xffffffffn;

/** Throws ERR_CORE_INVALID_INPUT naming `param` unless `value` is a bigint in [0, 2^64 - 1]. */
export function requireSeed(value: unknown, param = 'seed'): asserts value is bigint {
  if (typeof value !== 'bigint' || value < 0n || value > MAX_SEED) {
    const shown = typeof value === 'bigint' ? `${value}n` : `${typeof value} ${String(value)}`;
    throw new CoreError('ERR_CORE_INVALID_INPUT', `${param} must be a bigint in [0, 2^64 - 1], got ${shown}`, param);
  }
}

/**
 * A stream index (the contract's index in its batch): a bigint in [0, 2^64 - 1] or a non-negative safe
 * integer number. Returns it as a bigint; throws ERR_CORE_INVALID_INPUT naming `param` otherwise.
 */
export function requireStream(value: unknown, param = 'stream'): bigint {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  if (typeof value === 'bigint' && value >= 0n && value <= MAX_SEED) return value;
  const shown = typeof value === 'bigint' ? `${value}n` : `${typeof value} ${String(value)}`;
  throw new CoreError('ERR_CORE_INVALID_INPUT', `${param} must be an integer in [0, 2^64 - 1], got ${shown}`, param);
}

/** The two 32-bit words (low, high) of a value in [0, 2^64 - 1], as uint32 numbers. */
export function splitWords64(value: bigint): readonly [low: number, high: number] {
  return [Number(value & MASK_32), Number((value >> 32n) & MASK_32)];
}

/** The odd Weyl increment of SplitMix64, floor(2^64 / golden ratio). */
const GOLDEN_GAMMA = 0x9e3779b97f4a7c15n;

/**
 * The 64-bit finaliser of SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number generators",
 * OOPSLA 2014; constants of Stafford's "Mix13"). It is a bijection of [0, 2^64): each xor-shift and each
 * multiplication by an odd constant is invertible modulo 2^64.
 */
export function splitMix64Mix(value: bigint): bigint {
  let z = value & MASK_64;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK_64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK_64;
  return z ^ (z >> 31n);
}

/**
 * The seed of the `index`-th child of `root`: mix(root XOR mix((index + 1) * gamma)), with mix the SplitMix64
 * finaliser. For a fixed root this is a bijection of the index (every step is invertible modulo 2^64), so the
 * contracts of one batch always get distinct child seeds; the inner mix keeps nearby roots from sharing
 * children along a simple arithmetic relation.
 *
 * The HTTP and pool layers price contract `index` of a request seeded with `root` as
 * `priceMonteCarlo(option, market, { seed: deriveChildSeed(root, index) })`, and key any result cache on
 * that child seed; the answer then depends only on (root, index), never on threads or chunking.
 */
export function deriveChildSeed(root: bigint, index: number): bigint {
  requireSeed(root, 'seed');
  if (typeof index !== 'number' || !Number.isSafeInteger(index) || index < 0) {
    throw new CoreError(
      'ERR_CORE_INVALID_INPUT',
      `index must be a non-negative safe integer, got ${String(index)}`,
      'index',
    );
  }
  return splitMix64Mix(root ^ splitMix64Mix((BigInt(index) + 1n) * GOLDEN_GAMMA));
}
