/**
 * Marsaglia's xorshift32 (13, 17, 5) mapped to [0, 1): a tiny deterministic generator, so every benchmark run
 * prices exactly the same inputs (tests use it too, for reproducible random cases). Not for pricing: Monte Carlo uses the core's Philox streams.
 */
export function xorshift32(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}
