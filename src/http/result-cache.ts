import { LRUCache } from 'lru-cache';
import type { ModelName } from '../core/models.js';
import type { PricedItem, PriceItem } from '../pool/tasks.js';

/**
 * The in-memory LRU of recent contract results (OPE_CACHE_SIZE entries, OPE_CACHE_TTL_SECONDS each). One entry
 * per contract, keyed by the model, the greeks flag and the whole pool item (option, market, seed): the key is
 * derived from the item itself, so a field added to the item is part of the key without anyone listing it. Only
 * successful prices are stored; a size or TTL of 0 disables the cache.
 */
export interface ResultCache {
  get(key: string): PricedItem | undefined;
  set(key: string, value: PricedItem): void;
  readonly size: number;
}

export interface ResultCacheOptions {
  readonly size: number;
  readonly ttlSeconds: number;
}

class LruResultCache implements ResultCache {
  readonly #lru: LRUCache<string, PricedItem>;

  constructor(options: ResultCacheOptions) {
    this.#lru = new LRUCache<string, PricedItem>({ max: options.size, ttl: options.ttlSeconds * 1000 });
  }

  get(key: string): PricedItem | undefined {
    return this.#lru.get(key);
  }

  set(key: string, value: PricedItem): void {
    this.#lru.set(key, value);
  }

  get size(): number {
    return this.#lru.size;
  }
}

export function createResultCache(options: ResultCacheOptions): ResultCache | null {
  if (options.size <= 0 || options.ttlSeconds <= 0) return null;
  return new LruResultCache(options);
}

/**
 * Plain data as text, injectively: object keys sorted, numbers with String() (which round-trips every double
 * exactly; -0 kept apart from 0), bigints with an `n`, strings quoted. Two values share a text only when they are
 * the same data.
 */
function canonical(value: unknown): string {
  switch (typeof value) {
    case 'number':
      return Object.is(value, -0) ? '-0' : String(value);
    case 'bigint':
      return `${value}n`;
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
      return 'undefined';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record)
        .filter((k) => record[k] !== undefined)
        .sort();
      return `{${keys.map((k) => `${k}:${canonical(record[k])}`).join(',')}}`;
    }
    default:
      throw new TypeError(`result-cache keys take plain data, not ${typeof value}`);
  }
}

/** The key of one pool item's result: everything that determines the numbers, and nothing else. */
export function resultCacheKey(model: ModelName, greeks: boolean, item: PriceItem): string {
  return `${model}|${greeks ? 'g' : 'n'}|${priceItemText(item) ?? canonical(item)}`;
}

/** Own enumerable properties of a plain object (for...in: no array built, as Object.keys would). */
function propertyCount(record: object): number {
  let count = 0;
  for (const key in record) if (Object.hasOwn(record, key)) count += 1;
  return count;
}

function numberText(value: number): string {
  return Object.is(value, -0) ? '-0' : String(value);
}

/**
 * canonical(item) for the one shape the pricing routes build (an OptionSpec, MarketInputs and an optional seed, with
 * nothing else in them), written directly: the generic walk sorts and joins the keys of three objects per contract,
 * about 3 us per contract, which a 100-contract batch paid on every request with the cache on. Any other shape
 * (another field, a value of another type) returns null and takes the generic walk.
 */
function priceItemText(item: PriceItem): string | null {
  const { option, market, seed } = item;
  if (
    typeof option !== 'object' ||
    option === null ||
    typeof market !== 'object' ||
    market === null ||
    propertyCount(item) !== (seed === undefined ? 2 : 3) ||
    (seed !== undefined && typeof seed !== 'bigint') ||
    propertyCount(option) !== 4 ||
    propertyCount(market) !== 4
  )
    return null;
  const { type, strike, expiry, exercise } = option;
  const { spot, rate, dividendYield, volatility } = market;
  if (
    typeof type !== 'string' ||
    typeof strike !== 'number' ||
    typeof expiry !== 'number' ||
    typeof exercise !== 'string' ||
    typeof spot !== 'number' ||
    typeof rate !== 'number' ||
    typeof dividendYield !== 'number' ||
    typeof volatility !== 'number'
  )
    return null;
  return (
    `{market:{dividendYield:${numberText(dividendYield)},rate:${numberText(rate)},spot:${numberText(spot)},` +
    `volatility:${numberText(volatility)}},option:{exercise:${JSON.stringify(exercise)},expiry:${numberText(expiry)},` +
    `strike:${numberText(strike)},type:${JSON.stringify(type)}}${seed === undefined ? '' : `,seed:${seed}n`}}`
  );
}

/**
 * A key for a result whose volatility came from the volatility surface: the surface version is an input too, so a
 * result computed with a superseded surface is never served once the surface has moved on (docs/architecture.md,
 * "The store").
 */
export function withSurfaceVersion(key: string, surfaceVersion: number | null): string {
  return surfaceVersion === null ? key : `${key}|surface:${surfaceVersion}`;
}
