import { LRUCache } from 'lru-cache';

/**
 * Fixed-window request counters. One instance per process unless a shared store is configured
 * (redis-rate-limit-counter.ts); the Redis counter also falls back to one of these while Redis is unreachable.
 */

export interface WindowCount {
  /** Requests counted for the key in its current window, this one included. */
  readonly current: number;
  /** Milliseconds until the window ends and the count starts again from zero. */
  readonly ttl: number;
}

export interface RateLimitCounter {
  /** Counts one request for `key` in a window of `windowMs` that starts at the key's first request. */
  hit(key: string, windowMs: number): Promise<WindowCount>;
  /**
   * hit() answered at once, for a counter that never waits (this process's memory); absent on shared stores. The
   * rate limiter then decides a request without a promise (src/http/plugins/rate-limit.ts).
   */
  hitNow?(key: string, windowMs: number): WindowCount;
  /** Resolves once the counter can serve; a shared store that is not reachable resolves too (and says so). */
  ready(): Promise<void>;
  close(): Promise<void>;
}

export interface LocalCounterOptions {
  /**
   * Keys remembered. When more clients than this are active in one window the least recently seen restarts
   * from zero; 100 000 entries are a few MB. Default 100 000.
   */
  readonly maxKeys?: number;
  /** Milliseconds since the epoch. Default Date.now. */
  readonly clock?: () => number;
}

interface Window {
  count: number;
  readonly endsAt: number;
}

export function createLocalRateLimitCounter(options: LocalCounterOptions = {}): RateLimitCounter {
  const clock = options.clock ?? Date.now;
  const windows = new LRUCache<string, Window>({ max: options.maxKeys ?? 100_000 });
  function hitNow(key: string, windowMs: number): WindowCount {
    const now = clock();
    let window = windows.get(key);
    if (window === undefined || window.endsAt <= now) {
      window = { count: 0, endsAt: now + windowMs };
      windows.set(key, window);
    }
    window.count += 1;
    return { current: window.count, ttl: window.endsAt - now };
  }
  return {
    async hit(key, windowMs) {
      return hitNow(key, windowMs);
    },
    hitNow,
    async ready() {},
    async close() {
      windows.clear();
    },
  };
}
