import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MODEL_NAMES } from '../../src/core/models.js';
import { packageVersion } from '../../src/http/version.js';
import { pricingRequest, startServer } from './support.js';
import type { TestServer } from './support.js';

describe('operations and beyond-v1 routes (development)', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await server.close();
  });

  it('GET /healthz and GET /health answer status ok, environment, uptime and version without a token', async () => {
    for (const path of ['/healthz', '/health']) {
      const response = await server.request(path, { token: null });
      assert.equal(response.status, 200);
      assert.deepEqual(Object.keys(response.json).sort(), [
        'environment',
        'status',
        'system',
        'timestamp',
        'uptime',
        'uptime_seconds',
        'version',
      ]);
      assert.equal(response.json.status, 'ok');
      assert.equal(response.json.environment, 'development');
      assert.equal(response.json.version, packageVersion());
      assert.ok(response.json.uptime > 0);
      // The Python service's fields: ISO 8601 with +00:00, uptime in seconds to 3 decimals, psutil-like percentages.
      assert.match(response.json.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+\+00:00$/);
      assert.ok(Math.abs(Date.parse(response.json.timestamp) - Date.now()) < 60_000);
      assert.equal(response.json.uptime_seconds, Math.round(response.json.uptime * 1000) / 1000);
      for (const field of ['cpu_percent', 'memory_percent']) {
        const value = response.json.system[field];
        assert.ok(typeof value === 'number' && value >= 0 && value <= 100, `${field} ${value}`);
      }
    }
  });

  it('GET /metrics answers the Prometheus text exposition with the contract metrics', async () => {
    const response = await server.request('/metrics', { token: null });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    for (const name of [
      'ope_request_total',
      'ope_request_latency_seconds',
      'ope_threadpool_workers',
      'ope_auth_failures_total',
      'ope_payload_too_large_total',
    ]) {
      assert.match(response.text, new RegExp(`# TYPE ${name} `), name);
    }
  });

  it('GET /api/v1/models lists every model with its exercise styles, greek methods and description, for any valid token', async () => {
    const response = await server.request('/api/v1/models', { scopes: [] });
    assert.equal(response.status, 200);
    assert.deepEqual(Object.keys(response.json), ['models']);
    assert.deepEqual(
      response.json.models.map((m: { name: string }) => m.name),
      [...MODEL_NAMES],
    );
    for (const model of response.json.models) {
      assert.deepEqual(Object.keys(model).sort(), ['description', 'exercise_styles', 'greeks', 'name']);
      assert.deepEqual(Object.keys(model.greeks).sort(), ['delta', 'gamma', 'rho', 'theta', 'vega']);
      assert.ok(model.exercise_styles.length > 0);
    }
    const anonymous = await server.request('/api/v1/models', { token: null });
    assert.equal(anonymous.status, 401);
  });

  it('serves the OpenAPI document at /openapi.json and Swagger UI at /docs outside production', async () => {
    const spec = await server.request('/openapi.json', { token: null });
    assert.equal(spec.status, 200);
    assert.equal(spec.json.openapi, '3.1.0');
    for (const path of [
      '/api/v1/pricing/single',
      '/api/v1/pricing/batch',
      '/api/v1/risk/aggregate-greeks',
      '/api/v1/implied-volatility',
      '/api/v1/models',
      '/healthz',
    ]) {
      assert.ok(spec.json.paths[path], path);
    }
    const docs = await fetch(`${server.url}/docs`, { redirect: 'follow' });
    assert.equal(docs.status, 200);
    assert.match(await docs.text(), /swagger/i);
  });

  describe('POST /api/v1/implied-volatility', () => {
    it('recovers the volatility a price was made with, for European and American quotes, in request order', async () => {
      const market_data = { spot_price: 100, risk_free_rate: 0.05, dividend_yield: 0.01 };
      const euro = {
        symbol: 'IV',
        strike_price: 110,
        time_to_expiry: 0.75,
        option_type: 'call',
        exercise_style: 'european',
      };
      const amer = {
        symbol: 'IV',
        strike_price: 105,
        time_to_expiry: 1,
        option_type: 'put',
        exercise_style: 'american',
      };
      const euroPrice = await server.request('/api/v1/pricing/single', {
        body: { contracts: [euro], market_data: { ...market_data, volatility: 0.3 }, model: 'black_scholes' },
      });
      const amerPrice = await server.request('/api/v1/pricing/single', {
        body: { contracts: [amer], market_data: { ...market_data, volatility: 0.25 }, model: 'binomial_200' },
      });
      const response = await server.request('/api/v1/implied-volatility', {
        body: {
          market_data,
          quotes: [
            { contract: amer, price: amerPrice.json.results[0].theoretical_price },
            { contract: euro, price: euroPrice.json.results[0].theoretical_price },
          ],
        },
      });
      assert.equal(response.status, 200, response.text);
      assert.deepEqual(Object.keys(response.json), ['results']);
      const [a, e] = response.json.results;
      for (const r of [a, e])
        assert.deepEqual(Object.keys(r).sort(), ['contract_id', 'error', 'implied_volatility', 'iterations']);
      assert.equal(a.contract_id, 'IV_105.0000_1.000000_put');
      assert.equal(e.contract_id, 'IV_110.0000_0.750000_call');
      assert.ok(Math.abs(e.implied_volatility - 0.3) < 1e-10, `european ${e.implied_volatility}`);
      assert.ok(Math.abs(a.implied_volatility - 0.25) < 1e-6, `american ${a.implied_volatility}`);
      assert.equal(e.error, null);
      assert.equal(a.error, null);
      assert.ok(e.iterations >= 0);
    });

    it('answers a price outside the no-arbitrage bounds with a null volatility and an error naming the bound', async () => {
      const contract = { symbol: 'ABC', strike_price: 100, time_to_expiry: 1, option_type: 'call' };
      const response = await server.request('/api/v1/implied-volatility', {
        body: {
          market_data: { spot_price: 100, risk_free_rate: 0.05 },
          quotes: [
            { contract, price: 150 },
            { contract: { ...contract, strike_price: 50 }, price: 1 },
          ],
        },
      });
      assert.equal(response.status, 200);
      const [above, below] = response.json.results;
      assert.equal(above.implied_volatility, null);
      assert.match(above.error, /upper|above|maximum/i);
      assert.equal(below.implied_volatility, null);
      assert.match(below.error, /lower|below|intrinsic/i);
    });

    it('refuses an empty quote list with 400 and a quote price that does not parse with 422 naming the field', async () => {
      const empty = await server.request('/api/v1/implied-volatility', {
        body: { market_data: { spot_price: 100, risk_free_rate: 0.05 }, quotes: [] },
      });
      assert.equal(empty.status, 400);
      assert.equal(empty.json.detail, 'No quotes provided');
      const bad = await server.request('/api/v1/implied-volatility', {
        body: {
          market_data: { spot_price: 100, risk_free_rate: 0.05 },
          quotes: [
            { contract: { symbol: 'A', strike_price: 100, time_to_expiry: 1, option_type: 'call' }, price: 'ten' },
          ],
        },
      });
      assert.equal(bad.status, 422);
      assert.deepEqual(bad.json.detail[0].loc, ['body', 'quotes', 0, 'price']);
    });
  });
});

describe('draining', () => {
  it('answers /healthz 503 status draining once shutdown starts, while pricing still completes', async () => {
    const server = await startServer();
    try {
      server.app.lifecycle.startDraining();
      for (const path of ['/healthz', '/health']) {
        const response = await server.request(path, { token: null });
        assert.equal(response.status, 503);
        assert.equal(response.json.status, 'draining');
        assert.equal(response.json.request_id, response.headers.get('x-request-id'));
      }
      const priced = await server.request('/api/v1/pricing/single', { body: pricingRequest() });
      assert.equal(priced.status, 200);
    } finally {
      await server.close();
    }
  });
});

describe('production', () => {
  it('has no /docs and no /openapi.json', async () => {
    const server = await startServer({ env: { OPE_ENVIRONMENT: 'production', OPE_ALLOWED_HOSTS: '127.0.0.1' } });
    try {
      for (const path of ['/docs', '/openapi.json', '/docs/json']) {
        const response = await server.request(path, { token: null });
        assert.equal(response.status, 404, path);
      }
      const health = await server.request('/healthz', { token: null });
      assert.equal(health.json.environment, 'production');
    } finally {
      await server.close();
    }
  });
});
