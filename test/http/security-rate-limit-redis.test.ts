import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { REDIS_KEY_PREFIX } from '../../src/http/plugins/redis-rate-limit-counter.js';
import { sharedRedisUrl, startRedisServer } from '../helpers/redis-server.js';
import type { RedisServer } from '../helpers/redis-server.js';
import { skipUnlessInstalled } from '../monitoring/system-tool.js';
import { startServer } from './support.js';
import type { TestServer } from './support.js';

/**
 * OPE_RATE_LIMIT_REDIS_URL against a real redis-server: instances share one budget per client, and when Redis
 * goes away each instance fails open to per-process limits (docs/SECURITY.md) with one warn line, then returns
 * to the shared counters with one info line when Redis is back.
 *
 * The shared-budget test uses CI's Redis (OPE_TEST_REDIS_URL) when there is one; subs are unique per run, so
 * other runs and files sharing it cannot disturb the counts. The outage tests stop and restart Redis, so they
 * always use a private redis-server.
 *
 * Without redis-server on the PATH (and CI unset) the suites are skipped with a loud banner; in CI they always run
 * (.ci/run installs redis-server), so a missing server fails there.
 */

const needsRedisServer = skipUnlessInstalled(
  'redis-server',
  ['--version'],
  'redis-server',
  'the Redis rate-limit tests',
);
const sharedSkip = sharedRedisUrl() === null ? needsRedisServer : false;

async function statuses(server: TestServer, token: string, count: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < count; i += 1) out.push((await server.request('/api/v1/models', { token })).status);
  return out;
}

describe('rate limits shared through Redis', { skip: sharedSkip }, () => {
  let own: RedisServer | null = null;
  let url: string;
  let inspector: Redis;
  let first: TestServer;
  let second: TestServer;
  before(async () => {
    const shared = sharedRedisUrl();
    if (shared === null) own = await startRedisServer();
    url = shared ?? own!.url;
    inspector = new Redis(url, { maxRetriesPerRequest: 1 });
    const env = { RATE_LIMIT_DEFAULT: '4/minute', OPE_RATE_LIMIT_REDIS_URL: url };
    [first, second] = await Promise.all([startServer({ env }), startServer({ env })]);
  });
  after(async () => {
    await Promise.all([first?.close(), second?.close()]);
    inspector?.disconnect();
    await own?.close();
  });

  it('gives two instances one budget per sub: requests to either count against it', async () => {
    const sub = `shared-${randomUUID()}`;
    const onFirst = await first.token(['pricing:read'], sub);
    const onSecond = await second.token(['pricing:read'], sub);
    const remaining: (string | null)[] = [];
    for (const [server, token] of [
      [first, onFirst],
      [second, onSecond],
      [first, onFirst],
      [second, onSecond],
    ] as const) {
      const response = await server.request('/api/v1/models', { token });
      assert.equal(response.status, 200);
      remaining.push(response.headers.get('x-ratelimit-remaining'));
    }
    assert.deepEqual(remaining, ['3', '2', '1', '0']);
    assert.equal((await first.request('/api/v1/models', { token: onFirst })).status, 429);
    assert.equal((await second.request('/api/v1/models', { token: onSecond })).status, 429);
    assert.equal(await inspector.get(`${REDIS_KEY_PREFIX}sub:${sub}|/api/v1/models`), '6');
    const ttl = await inspector.pttl(`${REDIS_KEY_PREFIX}sub:${sub}|/api/v1/models`);
    assert.ok(ttl > 0 && ttl <= 60_000, `the window expires by itself (PTTL ${ttl})`);
  });

  it('keeps other subs on their own budgets', async () => {
    const exhausted = `shared-${randomUUID()}`;
    assert.deepEqual(
      await statuses(first, await first.token(['pricing:read'], exhausted), 5),
      [200, 200, 200, 200, 429],
    );
    const fresh = `shared-${randomUUID()}`;
    assert.deepEqual(await statuses(second, await second.token(['pricing:read'], fresh), 1), [200]);
  });
});

describe('Redis outage', { skip: needsRedisServer }, () => {
  let redis: RedisServer;
  let inspector: Redis;
  let server: TestServer;
  before(async () => {
    redis = await startRedisServer();
    inspector = new Redis(redis.url, { maxRetriesPerRequest: 0, retryStrategy: () => 200 });
    inspector.on('error', () => {});
    server = await startServer({ env: { RATE_LIMIT_DEFAULT: '3/minute', OPE_RATE_LIMIT_REDIS_URL: redis.url } });
  });
  after(async () => {
    await server?.close();
    inspector?.disconnect();
    await redis?.close();
  });

  function storeEvents(event: string): Record<string, unknown>[] {
    return server.logs.filter((line) => line.event === event);
  }

  it('fails open to per-process limits when Redis stops, says so once, and returns to Redis when it is back', async () => {
    const sub = `outage-${randomUUID()}`;
    const token = await server.token(['pricing:read'], sub);
    assert.deepEqual(await statuses(server, token, 2), [200, 200]);
    assert.equal(
      await inspector.get(`${REDIS_KEY_PREFIX}sub:${sub}|/api/v1/models`),
      '2',
      'counted in Redis while it is up',
    );
    assert.equal(storeEvents('rate_limit.store_unavailable').length, 0);

    await redis.stop();
    // The per-process counter starts from zero: the limit still holds, per instance.
    assert.deepEqual(await statuses(server, token, 4), [200, 200, 200, 429]);
    const unavailable = storeEvents('rate_limit.store_unavailable');
    assert.equal(unavailable.length, 1, 'one warn line for the whole outage, not one per request');
    assert.equal(unavailable[0]!.level, 'warn');
    assert.equal(unavailable[0]!.fallback, 'per-process');
    assert.equal(unavailable[0]!.store, redis.url, 'names the store (without credentials)');

    await redis.start();
    const fresh = await server.token(['pricing:read'], `after-${randomUUID()}`);
    const deadline = Date.now() + 10_000;
    while (storeEvents('rate_limit.store_recovered').length === 0) {
      assert.ok(Date.now() < deadline, 'the counter reconnects to Redis within 10 s');
      assert.equal((await server.request('/api/v1/models', { token: fresh })).status, 200);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const recovered = storeEvents('rate_limit.store_recovered');
    assert.equal(recovered.length, 1);
    assert.equal(recovered[0]!.level, 'info');
    // The restarted Redis is empty: the next request of the first sub opens a new shared window there.
    assert.equal((await server.request('/api/v1/models', { token })).status, 200);
    assert.equal(await inspector.get(`${REDIS_KEY_PREFIX}sub:${sub}|/api/v1/models`), '1');
  });
});

describe('Redis unreachable at start-up', { skip: needsRedisServer }, () => {
  let server: TestServer;
  let redis: RedisServer;
  before(async () => {
    // A port that was just free and is now closed again: connection refused.
    redis = await startRedisServer();
    await redis.stop();
    server = await startServer({
      env: { RATE_LIMIT_DEFAULT: '2/minute', OPE_RATE_LIMIT_REDIS_URL: `redis://user:secret@127.0.0.1:${redis.port}` },
    });
  });
  after(async () => {
    await server?.close();
    await redis?.close();
  });

  it('starts anyway, limiting per process, and logs the fallback without the password', async () => {
    const token = await server.token(['pricing:read'], `early-${randomUUID()}`);
    assert.deepEqual(await statuses(server, token, 3), [200, 200, 429]);
    const unavailable = server.logs.filter((line) => line.event === 'rate_limit.store_unavailable');
    assert.equal(unavailable.length, 1);
    assert.match(String(unavailable[0]!.error), /start-up/);
    assert.ok(!server.logText().includes('secret'), 'the Redis password never reaches the log');
  });
});

describe('Redis that stops answering', { skip: needsRedisServer }, () => {
  let redis: RedisServer;
  let server: TestServer;
  before(async () => {
    redis = await startRedisServer();
    server = await startServer({ env: { RATE_LIMIT_DEFAULT: '3/minute', OPE_RATE_LIMIT_REDIS_URL: redis.url } });
  });
  after(async () => {
    redis?.resume();
    await server?.close();
    await redis?.close();
  });

  it('does not make requests wait for it: a command timeout switches to per-process limits', async () => {
    const token = await server.token(['pricing:read'], `hung-${randomUUID()}`);
    assert.deepEqual(await statuses(server, token, 1), [200]);
    redis.pause();
    // Each of these would hang forever if a request waited for the paused Redis (the test would time out).
    assert.deepEqual(await statuses(server, token, 4), [200, 200, 200, 429]);
    const unavailable = server.logs.filter((line) => line.event === 'rate_limit.store_unavailable');
    assert.equal(unavailable.length, 1);
    assert.match(String(unavailable[0]!.error), /timed out/i);
    redis.resume();
  });
});
