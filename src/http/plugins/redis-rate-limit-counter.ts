import { Redis } from 'ioredis';
import type { FastifyBaseLogger } from 'fastify';
import { ConfigError } from '../../config/config.js';
import { createLocalRateLimitCounter } from './local-rate-limit-counter.js';
import type { RateLimitCounter, WindowCount } from './local-rate-limit-counter.js';

/**
 * Rate-limit counters shared by every instance through Redis (OPE_RATE_LIMIT_REDIS_URL), so N instances enforce
 * one budget per client instead of N budgets.
 *
 * When Redis is unreachable OPE FAILS OPEN TO PER-PROCESS LIMITS: each instance counts locally (the limit still
 * holds per instance, so a client gets at most N times its budget across N instances) and keeps answering. The
 * rate limiter protects capacity, which the pool's admission control also protects; refusing every API call
 * because a counter store is down would turn a Redis outage into an OPE outage. One warn line
 * (`rate_limit.store_unavailable`) marks the switch and one info line (`rate_limit.store_recovered`) the way back.
 *
 * Requests never wait for Redis to come back: commands are not queued while disconnected (they fail at once),
 * a command that takes longer than `commandTimeoutMs` fails, and after a failure the local counter is used for
 * `retryIntervalMs` before Redis is tried again, so a hung Redis costs at most one timeout per interval.
 */

/** INCR, and start the window on the key's first request (PTTL is -1 for a key without expiry). */
const HIT_SCRIPT = `
local current = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {current, ttl}
`;

export const REDIS_KEY_PREFIX = 'ope:rate-limit:';

export interface RedisCounterOptions {
  /** OPE_RATE_LIMIT_REDIS_URL: redis://[user:password@]host[:port][/db] or rediss:// for TLS. */
  readonly url: string;
  readonly logger: Pick<FastifyBaseLogger, 'warn' | 'info'>;
  /** Default 250 ms. */
  readonly commandTimeoutMs?: number;
  /** Default 1000 ms. */
  readonly retryIntervalMs?: number;
  /** How long ready() waits for the first connection. Default 1000 ms. */
  readonly connectTimeoutMs?: number;
  /** Default REDIS_KEY_PREFIX. */
  readonly keyPrefix?: string;
}

/** host:port of the URL, for logs: the URL itself may carry a password. */
function describe(url: URL): string {
  return `${url.protocol}//${url.host}`;
}

export function parseRedisUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(
      'OPE_RATE_LIMIT_REDIS_URL',
      'is not a URL (expected redis://host:port or rediss://host:port)',
    );
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new ConfigError('OPE_RATE_LIMIT_REDIS_URL', `must use redis:// or rediss://, got ${url.protocol}//`);
  }
  return url;
}

export function createRedisRateLimitCounter(options: RedisCounterOptions): RateLimitCounter {
  const url = parseRedisUrl(options.url);
  const store = describe(url);
  const { logger } = options;
  const commandTimeoutMs = options.commandTimeoutMs ?? 250;
  const retryIntervalMs = options.retryIntervalMs ?? 1000;
  const connectTimeoutMs = options.connectTimeoutMs ?? 1000;
  const prefix = options.keyPrefix ?? REDIS_KEY_PREFIX;
  const local = createLocalRateLimitCounter();

  const redis = new Redis(options.url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: commandTimeoutMs,
    connectTimeout: connectTimeoutMs,
    // Reconnect forever, at most every 2 s: the outage ends when Redis is back, not when we give up.
    retryStrategy: (attempt) => Math.min(100 * attempt, 2000),
  });
  let lastError = 'not connected yet';
  redis.on('error', (error: Error) => {
    lastError = error.message;
  });

  let degradedSince: number | null = null;
  let retryAt = 0;

  function degrade(reason: string): void {
    if (degradedSince !== null) return;
    degradedSince = Date.now();
    logger.warn(
      { event: 'rate_limit.store_unavailable', store, error: reason, fallback: 'per-process' },
      'rate-limit store unreachable: failing open to per-process limits until it is back',
    );
  }

  function recovered(): void {
    if (degradedSince === null) return;
    logger.info(
      { event: 'rate_limit.store_recovered', store, degraded_seconds: (Date.now() - degradedSince) / 1000 },
      'rate-limit store reachable again: limits are shared across instances again',
    );
    degradedSince = null;
  }

  async function hitRedis(key: string, windowMs: number): Promise<WindowCount> {
    const reply = (await redis.eval(HIT_SCRIPT, 1, prefix + key, String(windowMs))) as [number, number];
    return { current: Number(reply[0]), ttl: Number(reply[1]) };
  }

  return {
    async hit(key, windowMs) {
      if (redis.status === 'ready' && Date.now() >= retryAt) {
        try {
          const count = await hitRedis(key, windowMs);
          recovered();
          return count;
        } catch (error) {
          retryAt = Date.now() + retryIntervalMs;
          degrade(error instanceof Error ? error.message : String(error));
        }
      } else if (redis.status !== 'ready') {
        degrade(`connection ${redis.status}: ${lastError}`);
      }
      return local.hit(key, windowMs);
    },

    async ready() {
      const connected = redis.connect().then(
        () => true,
        () => false,
      );
      const timedOut = new Promise<boolean>((resolve) => setTimeout(resolve, connectTimeoutMs, false).unref());
      if (!(await Promise.race([connected, timedOut]))) degrade(`not reachable at start-up: ${lastError}`);
    },

    async close() {
      // disconnect, not quit: quit waits for an answer Redis may never give, and stops nothing while reconnecting.
      redis.disconnect();
      await local.close();
    },
  };
}
