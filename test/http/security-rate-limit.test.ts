import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rawRequest } from '../helpers/raw-http.js';
import { createLocalRateLimitCounter } from '../../src/http/plugins/local-rate-limit-counter.js';
import type { RateLimitCounter } from '../../src/http/plugins/local-rate-limit-counter.js';
import { SECURITY_HEADERS, pricingRequest, startServer } from './support.js';
import type { TestResponse, TestServer } from './support.js';

/**
 * RATE_LIMIT_DEFAULT on a real listening server, in-process counters (the Redis store has its own file):
 * 429 with the exact body, Retry-After and the metric; one budget per verified `sub`; the client IP for
 * requests without a valid token; the unlimited routes.
 */

function rateLimitRejections(metricsText: string, route: string): number {
  const match = new RegExp(`^ope_rate_limit_rejections_total\\{route="${route}"\\} (\\d+)$`, 'm').exec(metricsText);
  return Number(match?.[1] ?? 0);
}

async function rejections(server: TestServer, route: string): Promise<number> {
  return rateLimitRejections((await server.request('/metrics', { token: null })).text, route);
}

function assertRateLimited(response: TestResponse, windowSeconds: number, what: string): void {
  assert.equal(response.status, 429, what);
  assert.deepEqual(
    response.json,
    { detail: 'Rate limit exceeded', request_id: response.headers.get('x-request-id') },
    what,
  );
  const retryAfter = Number(response.headers.get('retry-after'));
  assert.ok(
    Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= windowSeconds,
    `${what}: Retry-After ${retryAfter}`,
  );
  assert.equal(response.headers.get('x-ratelimit-remaining'), '0', what);
  for (const [name, value] of Object.entries(SECURITY_HEADERS))
    assert.equal(response.headers.get(name), value, `${what}: ${name}`);
}

describe('rate limiting per client on protected routes', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ env: { RATE_LIMIT_DEFAULT: '3/minute' } });
  });
  after(async () => {
    await server.close();
  });

  it('answers the request after the limit with 429 {"detail": "Rate limit exceeded", "request_id"}, Retry-After and the metric', async () => {
    const token = await server.token(['pricing:read'], 'alice');
    const before = await rejections(server, '/api/v1/models');
    const remaining: (string | null)[] = [];
    for (let i = 0; i < 3; i += 1) {
      const ok = await server.request('/api/v1/models', { token });
      assert.equal(ok.status, 200, `request ${i + 1} of 3`);
      assert.equal(ok.headers.get('x-ratelimit-limit'), '3');
      remaining.push(ok.headers.get('x-ratelimit-remaining'));
    }
    assert.deepEqual(remaining, ['2', '1', '0']);
    const refused = await server.request('/api/v1/models', { token });
    assertRateLimited(refused, 60, 'fourth request');
    assert.equal(await rejections(server, '/api/v1/models'), before + 1);
    const log = server.logs.find(
      (l) => l.event === 'request.complete' && l.request_id === refused.headers.get('x-request-id'),
    );
    assert.equal(log?.status_code, 429);
    assert.equal(log?.user, 'alice', 'the 429 is logged with the verified sub');
  });

  it('keeps one budget per route: a client at its limit on one route still has its full budget on another', async () => {
    const token = await server.token(['pricing:read'], 'dora');
    for (let i = 0; i < 3; i += 1) assert.equal((await server.request('/api/v1/models', { token })).status, 200);
    assert.equal((await server.request('/api/v1/models', { token })).status, 429);
    const priced = await server.request('/api/v1/pricing/single', { token, body: pricingRequest() });
    assert.equal(priced.status, 200, 'pricing has its own budget');
    assert.equal(priced.headers.get('x-ratelimit-remaining'), '2');
  });

  it('counts each 429 under its own route template', async () => {
    const token = await server.token(['pricing:read'], 'dana');
    for (let i = 0; i < 3; i += 1)
      assert.equal((await server.request('/api/v1/pricing/single', { token, body: pricingRequest() })).status, 200);
    const before = await rejections(server, '/api/v1/pricing/single');
    const refused = await server.request('/api/v1/pricing/single', { token, body: pricingRequest() });
    assertRateLimited(refused, 60, 'the fourth pricing request');
    assert.equal(await rejections(server, '/api/v1/pricing/single'), before + 1);
  });

  it('keys the budget on the token sub: one client over its limit does not limit another from the same address', async () => {
    const bob = await server.token(['pricing:read'], 'bob');
    for (let i = 0; i < 3; i += 1) assert.equal((await server.request('/api/v1/models', { token: bob })).status, 200);
    assert.equal((await server.request('/api/v1/models', { token: bob })).status, 429);
    const carol = await server.token(['pricing:read'], 'carol');
    const response = await server.request('/api/v1/models', { token: carol });
    assert.equal(response.status, 200, 'carol has her own budget');
    assert.equal(response.headers.get('x-ratelimit-remaining'), '2');
    // A new token for bob (another jti, another expiry) draws on the same, exhausted budget.
    assert.equal(
      (await server.request('/api/v1/models', { token: await server.token(['risk:read'], 'bob') })).status,
      429,
    );
  });

  it('refuses an over-budget client before reading its body', async () => {
    const token = await server.token(['pricing:read'], 'erin');
    for (let i = 0; i < 3; i += 1)
      assert.equal((await server.request('/api/v1/pricing/batch', { token, body: pricingRequest() })).status, 200);
    const host = new URL(server.url).host;
    const head = `POST /api/v1/pricing/batch HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n`;
    // The announced body never comes: only an answer given before reading it can arrive.
    const response = await rawRequest(server.url, head, { timeoutMs: 2000 });
    assert.equal(response.status, 429);
    assert.equal(JSON.parse(response.body).detail, 'Rate limit exceeded');
  });

  it('never limits /healthz, /health, /livez, /readyz, /metrics, /docs, /openapi.json or /', async () => {
    const paths = ['/healthz', '/health', '/livez', '/readyz', '/metrics', '/docs', '/openapi.json', '/'];
    for (let round = 0; round < 5; round += 1) {
      for (const path of paths) {
        const response = await server.request(path, { token: null });
        assert.notEqual(response.status, 429, `${path}, round ${round + 1}`);
        assert.equal(response.headers.get('x-ratelimit-limit'), null, `${path} carries no rate-limit headers`);
      }
    }
  });
});

describe('rate limiting without a valid token', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ env: { RATE_LIMIT_DEFAULT: '3/minute' } });
  });
  after(async () => {
    await server.close();
  });

  it('counts requests with no token or a bad one against the client address, then answers 429 instead of 401', async () => {
    const forged = await server.idp.mintToken({ kid: 'B', scopes: ['pricing:read'], sub: 'mallory' });
    assert.equal((await server.request('/api/v1/models', { token: null })).status, 401);
    assert.equal((await server.request('/api/v1/models', { token: forged })).status, 401);
    assert.equal((await server.request('/api/v1/models', { token: 'not-a-jwt' })).status, 401);
    const before = await rejections(server, '/api/v1/models');
    assertRateLimited(await server.request('/api/v1/models', { token: null }), 60, 'fourth anonymous request');
    assertRateLimited(await server.request('/api/v1/models', { token: forged }), 60, 'forged token, same address');
    assert.equal(await rejections(server, '/api/v1/models'), before + 2);
  });

  it('keeps authenticated budgets apart from the exhausted address budget, even for a sub named like an address', async () => {
    assert.equal(
      (await server.request('/api/v1/models', { token: await server.token(['pricing:read'], 'frank') })).status,
      200,
    );
    assert.equal(
      (await server.request('/api/v1/models', { token: await server.token(['pricing:read'], 'ip:127.0.0.1') })).status,
      200,
    );
  });

  it('counts a valid token without the route scope (403) against its sub', async () => {
    const token = await server.token(['risk:read'], 'gina');
    for (let i = 0; i < 3; i += 1)
      assert.equal((await server.request('/api/v1/pricing/single', { token, body: pricingRequest() })).status, 403);
    assert.equal((await server.request('/api/v1/pricing/single', { token, body: pricingRequest() })).status, 429);
  });
});

describe('rate-limit windows', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ env: { RATE_LIMIT_DEFAULT: '2/second' } });
  });
  after(async () => {
    await server.close();
  });

  it('gives the budget back when the window ends, as Retry-After announced', async () => {
    const token = await server.token(['pricing:read'], 'hank');
    assert.equal((await server.request('/api/v1/models', { token })).status, 200);
    assert.equal((await server.request('/api/v1/models', { token })).status, 200);
    const refused = await server.request('/api/v1/models', { token });
    assertRateLimited(refused, 1, 'third request in one second');
    await new Promise((resolve) => setTimeout(resolve, Number(refused.headers.get('retry-after')) * 1000 + 50));
    assert.equal((await server.request('/api/v1/models', { token })).status, 200);
  });
});

describe('rate limiting through a counter that only answers asynchronously (as the Redis one does)', () => {
  let server: TestServer;
  before(async () => {
    const local = createLocalRateLimitCounter();
    // No hitNow: every request takes the limiter's promise path, as with a shared store.
    const asyncOnly: RateLimitCounter = {
      hit: (key, windowMs) => local.hit(key, windowMs),
      ready: () => local.ready(),
      close: () => local.close(),
    };
    server = await startServer({ env: { RATE_LIMIT_DEFAULT: '2/minute' }, rateLimitCounter: asyncOnly });
  });
  after(async () => {
    await server.close();
  });

  it('counts, answers the same headers and refuses past the budget as the in-memory path does', async () => {
    const token = await server.token(['pricing:read'], 'carol');
    const before = await rejections(server, '/api/v1/models');
    const remaining: (string | null)[] = [];
    for (let i = 0; i < 2; i += 1) {
      const ok = await server.request('/api/v1/models', { token });
      assert.equal(ok.status, 200, `request ${i + 1} of 2`);
      assert.equal(ok.headers.get('x-ratelimit-limit'), '2');
      remaining.push(ok.headers.get('x-ratelimit-remaining'));
    }
    assert.deepEqual(remaining, ['1', '0']);
    assertRateLimited(await server.request('/api/v1/models', { token }), 60, 'third request');
    assert.equal(await rejections(server, '/api/v1/models'), before + 1);
  });
});
