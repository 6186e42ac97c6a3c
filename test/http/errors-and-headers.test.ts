import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PoolError } from '../../src/pool/pool-error.js';
import type { PoolErrorCode } from '../../src/pool/pool-error.js';
import { SECURITY_HEADERS, pricingRequest, startServer } from './support.js';
import type { TestResponse, TestServer } from './support.js';

function assertCommonHeaders(response: TestResponse, what: string): void {
  for (const [name, value] of Object.entries(SECURITY_HEADERS))
    assert.equal(response.headers.get(name), value, `${what}: ${name}`);
  assert.match(response.headers.get('x-request-id') ?? '', /^[A-Za-z0-9._-]{1,128}$/, `${what}: x-request-id`);
}

function assertErrorBody(response: TestResponse, detail: unknown, what: string): void {
  assert.deepEqual(response.json, { detail, request_id: response.headers.get('x-request-id') }, what);
}

describe('errors and headers on a real server', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await server.close();
  });

  it('answers 401 + WWW-Authenticate: Bearer "Credentials required" without a token', async () => {
    const response = await server.request('/api/v1/pricing/single', { body: pricingRequest(), token: null });
    assert.equal(response.status, 401);
    assert.equal(response.headers.get('www-authenticate'), 'Bearer');
    assertErrorBody(response, 'Credentials required', 'no token');
    assertCommonHeaders(response, '401');
  });

  it('answers 401 "Invalid credentials" for a token signed by a key the JWKS does not publish', async () => {
    const forged = await server.idp.mintToken({ kid: 'B', scopes: ['pricing:read'] });
    const response = await server.request('/api/v1/pricing/single', { body: pricingRequest(), token: forged });
    assert.equal(response.status, 401);
    assert.equal(response.headers.get('www-authenticate'), 'Bearer');
    assertErrorBody(response, 'Invalid credentials', 'bad token');
  });

  it('answers 403 "Permission \'pricing:read\' required" when the scope is missing', async () => {
    const response = await server.request('/api/v1/pricing/batch', { body: pricingRequest(), scopes: ['risk:read'] });
    assert.equal(response.status, 403);
    assertErrorBody(response, "Permission 'pricing:read' required", '403');
    assertCommonHeaders(response, '403');
  });

  it('answers 404 {"detail": "Not Found"} for unknown routes, with the common headers', async () => {
    for (const [method, path] of [
      ['GET', '/nope'],
      ['POST', '/api/v1/pricing/unknown'],
      ['GET', '/api/v1/pricing/single/extra'],
    ] as const) {
      const response = await server.request(path, { method, token: null });
      assert.equal(response.status, 404, `${method} ${path}`);
      assertErrorBody(response, 'Not Found', path);
      assertCommonHeaders(response, path);
    }
  });

  it('answers 405 with Allow for a known path asked with another method, before auth', async () => {
    for (const [method, path, allow] of [
      ['DELETE', '/api/v1/pricing/single', 'POST'],
      ['GET', '/api/v1/risk/aggregate-greeks', 'POST'],
      ['POST', '/healthz', 'GET, HEAD'],
      ['OPTIONS', '/api/v1/pricing/batch', 'POST'],
    ] as const) {
      const response = await server.request(path, { method, token: null });
      assert.equal(response.status, 405, `${method} ${path}`);
      assert.equal(response.headers.get('allow'), allow, `${method} ${path}`);
      assertErrorBody(response, 'Method Not Allowed', path);
      assertCommonHeaders(response, path);
    }
  });

  it('redirects a trailing slash with 307 to the path without it, keeping the query', async () => {
    for (const [method, path, target] of [
      ['POST', '/api/v1/pricing/single/', '/api/v1/pricing/single'],
      ['GET', '/healthz/?x=1', '/healthz?x=1'],
    ] as const) {
      const response = await fetch(server.url + path, { method, redirect: 'manual' });
      assert.equal(response.status, 307, path);
      assert.equal(response.headers.get('location'), `${server.url}${target}`, path);
      assert.equal(await response.text(), '');
    }
  });

  it('serves /redoc beside /docs outside production', async () => {
    const response = await server.request('/redoc', { token: null });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(response.text, /<redoc spec-url="\/openapi.json">/);
  });

  it('answers a URL that does not decode with 400 and the common headers', async () => {
    const response = await server.request('/api/v1/pricing/%E0%A4%A', { token: null });
    assert.equal(response.status, 400);
    assertErrorBody(response, 'Bad request', 'bad url');
    assertCommonHeaders(response, 'bad url');
  });

  it('carries the security headers and a request id on successes, validation errors and public routes', async () => {
    const responses = [
      await server.request('/api/v1/pricing/single', { body: pricingRequest() }),
      await server.request('/api/v1/pricing/single', { body: '{' }),
      await server.request('/healthz', { token: null }),
      await server.request('/metrics', { token: null }),
    ];
    responses.forEach((r, i) => assertCommonHeaders(r, `response ${i}`));
  });

  it('echoes a well-formed inbound X-Request-ID and replaces a malformed one', async () => {
    const ok = await server.request('/healthz', { token: null, headers: { 'x-request-id': 'trace-1.2_3' } });
    assert.equal(ok.headers.get('x-request-id'), 'trace-1.2_3');
    for (const bad of ['has space', 'x'.repeat(129), 'semi;colon', 'a/b', '']) {
      const response = await server.request('/api/v1/pricing/single', { body: '{', headers: { 'x-request-id': bad } });
      const id = response.headers.get('x-request-id');
      assert.notEqual(id, bad);
      assert.match(id ?? '', /^[0-9a-f-]{36}$/);
      assert.equal(response.json.request_id, id);
    }
  });

  it('logs one request.complete line per request with the contract fields, and never the token', async () => {
    const token = await server.token(['pricing:read'], 'carol');
    const response = await server.request('/api/v1/pricing/single?debug=secret-query', {
      body: pricingRequest(),
      token,
      headers: { 'x-request-id': 'log-check-1' },
    });
    assert.equal(response.status, 200);
    const line = server.logs.find((l) => l.event === 'request.complete' && l.request_id === 'log-check-1');
    assert.ok(line, 'request.complete line');
    assert.equal(line.method, 'POST');
    assert.equal(line.route, '/api/v1/pricing/single');
    assert.equal(line.path, '/api/v1/pricing/single');
    assert.equal(line.status_code, 200);
    assert.equal(typeof line.latency_ms, 'number');
    assert.equal(line.user, 'carol');
    assert.ok(!server.logText().includes(token), 'the token appears in the logs');
    assert.ok(!server.logText().includes(token.split('.')[2]!), 'the token signature appears in the logs');
    assert.ok(!server.logText().includes('secret-query'));
  });

  it('labels request metrics with the route template, and unmatched paths with one shared value', async () => {
    await server.request('/scanner/' + Math.random().toString(36), { token: null });
    const text = (await server.request('/metrics', { token: null })).text;
    assert.match(text, /ope_request_total\{method="POST",route="\/api\/v1\/pricing\/single",status_code="200"\} \d+/);
    assert.match(text, /ope_request_total\{method="GET",route="unmatched",status_code="404"\} \d+/);
    assert.match(
      text,
      /ope_request_latency_seconds_bucket\{le="0.001",method="POST",route="\/api\/v1\/pricing\/single"\} \d+/,
    );
    assert.ok(!text.includes('/scanner/'));
  });
});

/** A pool that fails every run the way the real one does under load: for the mapping of pool failures only. */
function failingPool(error: unknown) {
  return {
    run: async (): Promise<never> => {
      throw error;
    },
  };
}

describe('pool failures', () => {
  for (const code of [
    'ERR_POOL_SATURATED',
    'ERR_POOL_QUEUE_TIMEOUT',
    'ERR_POOL_TASK_TIMEOUT',
    'ERR_POOL_CLOSED',
  ] as PoolErrorCode[]) {
    it(`answers ${code} with 503 "Pricing engine unavailable" and Retry-After`, async () => {
      const server = await startServer({ pool: failingPool(new PoolError(code, 'test', 3)) });
      try {
        const response = await server.request('/api/v1/pricing/batch', { body: pricingRequest() });
        assert.equal(response.status, 503);
        assert.equal(response.headers.get('retry-after'), '3');
        assertErrorBody(response, 'Pricing engine unavailable', code);
        assertCommonHeaders(response, code);
        const text = (await server.request('/metrics', { token: null })).text;
        assert.match(
          text,
          /ope_request_errors_total\{method="POST",route="\/api\/v1\/pricing\/batch",status_code="503"\} 1/,
        );
      } finally {
        await server.close();
      }
    });
  }

  it('sheds implied-volatility and pricing requests before validation when the pool would refuse them, as 503 + Retry-After', async () => {
    let runs = 0;
    let plans = 0;
    const pool = {
      run: async (): Promise<never> => {
        runs += 1;
        throw new Error('a shed request must not reach run()');
      },
      plan: () => {
        plans += 1;
        return { inline: false, chunks: [[0, 1] as const], estimatedMicros: 5000 };
      },
      refuseAtOnce: () => new PoolError('ERR_POOL_SATURATED', 'the pricing queue is full', 4),
    };
    const server = await startServer({ pool });
    try {
      const quote = {
        contract: { symbol: 'ABC', strike_price: 100, time_to_expiry: 1, option_type: 'call' },
        price: 10,
      };
      const iv = await server.request('/api/v1/implied-volatility', {
        body: { market_data: { spot_price: 100, risk_free_rate: 0.01 }, quotes: [quote] },
      });
      assert.equal(iv.status, 503);
      assert.equal(iv.headers.get('retry-after'), '4');
      assertErrorBody(iv, 'Pricing engine unavailable', 'implied volatility shed');
      const priced = await server.request('/api/v1/pricing/batch', { body: pricingRequest() });
      assert.equal(priced.status, 503);
      assert.equal(runs, 0);
      assert.equal(plans, 2, 'one placement per request');
    } finally {
      await server.close();
    }
  });

  it('answers an unexpected failure with 500 "Internal server error", no stack, and logs the stack with the request id', async () => {
    const server = await startServer({ pool: failingPool(new TypeError('boom: secret internals')) });
    try {
      const response = await server.request('/api/v1/pricing/single', {
        body: pricingRequest(),
        headers: { 'x-request-id': 'crash-1' },
      });
      assert.equal(response.status, 500);
      assertErrorBody(response, 'Internal server error', '500');
      assert.ok(!response.text.includes('boom'));
      assert.ok(!response.text.includes('at '));
      const logged = server.logs.find((l) => l.event === 'request.error' && l.request_id === 'crash-1');
      assert.ok(logged, 'request.error line');
      assert.match(String((logged.err as { stack?: string }).stack), /TypeError: boom/);
    } finally {
      await server.close();
    }
  });
});
