import { randomBytes } from 'node:crypto';
import { deriveChildSeed } from '../core/math/philox.js';

/**
 * Monte Carlo seeds of a request (docs/api.md): the root is the request's seed, else OPE_MONTE_CARLO_SEED, else a
 * fresh random one (and then the run is not reproducible, so its results are never cached). Contract i of a
 * batch prices with the child stream deriveChildSeed(root, i), so the numbers depend on the contract's index
 * in the request and on nothing else: not on threads, chunking, or which contracts came from the cache.
 */

const INT63_MASK = (1n << 63n) - 1n;

export interface RootSeed {
  readonly value: bigint;
  /** False for a random root: such results must not be cached. */
  readonly reproducible: boolean;
}

export function rootSeedFor(requestSeed: bigint | null, configuredSeed: bigint | null): RootSeed {
  if (requestSeed !== null) return { value: requestSeed, reproducible: true };
  if (configuredSeed !== null) return { value: configuredSeed, reproducible: true };
  return { value: randomBytes(8).readBigUInt64BE() & INT63_MASK, reproducible: false };
}

export function childSeedFor(root: RootSeed, index: number): bigint {
  return deriveChildSeed(root.value, index);
}
