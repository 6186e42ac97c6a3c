import { LRUCache } from 'lru-cache';
import type { ModelName } from '../core/models.js';
import type { ContractDto, MarketDto, PricedContract } from '../pool/tasks.js';

/**
 * The in-memory LRU of recent contract results (OPE_CACHE_SIZE entries, OPE_CACHE_TTL_SECONDS each). One entry
 * per contract, keyed by every input that changes the numbers: the economic inputs, the model, the greeks flag
 * and the Monte Carlo child seed. Only successful prices are stored; a size or TTL of 0 disables the cache.
 */
export interface ResultCache {
  get(key: string): PricedContract | undefined;
  set(key: string, value: PricedContract): void;
  readonly size: number;
}

export interface ResultCacheOptions {
  readonly size: number;
  readonly ttlSeconds: number;
}

export function createResultCache(options: ResultCacheOptions): ResultCache | null {
  if (options.size <= 0 || options.ttlSeconds <= 0) return null;
  const lru = new LRUCache<string, PricedContract>({ max: options.size, ttl: options.ttlSeconds * 1000 });
  return {
    get: (key) => lru.get(key),
    set: (key, value) => {
      lru.set(key, value);
    },
    get size() {
      return lru.size;
    },
  };
}

/**
 * Numbers print with String(), which round-trips every double exactly, so two inputs share a key only when
 * they are the same numbers. `seed` is the contract's child seed (null for deterministic models).
 */
export function resultCacheKey(model: ModelName, greeks: boolean, market: MarketDto, contract: ContractDto): string {
  return [
    model,
    greeks ? 'g' : 'n',
    contract.type,
    contract.strike,
    contract.expiry,
    contract.exercise,
    market.spot,
    market.rate,
    market.dividendYield,
    contract.volatility,
    contract.seed === null ? '-' : contract.seed.toString(),
  ].join('|');
}

/**
 * A key for a result whose volatility came from the volatility surface: the surface version is an input too, so a
 * result computed with a superseded surface is never served once the surface has moved on (docs/architecture.md,
 * "The store").
 */
export function withSurfaceVersion(key: string, surfaceVersion: number | null): string {
  return surfaceVersion === null ? key : `${key}|surface:${surfaceVersion}`;
}
