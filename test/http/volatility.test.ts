import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pricingRequest, startServer } from './support.js';
import type { TestServer } from './support.js';
import { SECURITY_HEADERS } from './support.js';

let server: TestServer;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server.close();
});

const upsert = (body: unknown, scopes?: readonly string[]) =>
  server.request('/api/v1/market-data/volatility', { method: 'POST', body, ...(scopes ? { scopes } : {}) });

describe('volatility surface routes', () => {
  it('lists no points on a fresh service and estimates 0.20 while it has fewer than 4', async () => {
    const list = await server.request('/api/v1/market-data/volatility', { method: 'GET' });
    assert.equal(list.status, 200);
    assert.deepEqual(list.json, { points: [], version: 0, changed_at: null });
    const est = await server.request('/api/v1/market-data/volatility/estimate', {
      method: 'POST',
      body: { strike: 100, maturity: 1, spot: 100 },
    });
    assert.equal(est.status, 200);
    assert.deepEqual(est.json, { volatility: 0.2 });
  });

  it('upserts a point with 201, source defaulting to "market", timestamp always now, and replaces the same (strike, maturity)', async () => {
    const before = Date.now() / 1000;
    const first = await upsert({ strike: 90, maturity: 0.5, volatility: 0.3 });
    assert.equal(first.status, 201);
    assert.equal(first.json.source, 'market');
    assert.ok(
      first.json.timestamp >= before - 1 && first.json.timestamp <= Date.now() / 1000 + 1,
      `timestamp ${first.json.timestamp}`,
    );
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) assert.equal(first.headers.get(k), v, k);
    // A client timestamp is ignored, whatever it holds (as the Python service): the server's clock is stored.
    const again = await upsert({
      strike: 90 + 1e-10,
      maturity: 0.5,
      volatility: 0.32,
      source: 'desk',
      timestamp: 'yesterday',
    });
    assert.equal(again.status, 201);
    assert.deepEqual(
      { ...again.json, timestamp: 0 },
      { strike: 90 + 1e-10, maturity: 0.5, volatility: 0.32, timestamp: 0, source: 'desk' },
    );
    assert.ok(
      again.json.timestamp >= before - 1 && again.json.timestamp <= Date.now() / 1000 + 1,
      `timestamp ${again.json.timestamp}`,
    );
    const list = await server.request('/api/v1/market-data/volatility', { method: 'GET' });
    assert.equal(list.json.points.length, 1);
    assert.equal(list.json.points[0].volatility, 0.32);
  });

  it('refuses a volatility outside [0.01, 5] and a schema violation with 422 naming the field', async () => {
    const low = await upsert({ strike: 100, maturity: 1, volatility: 0.005 });
    assert.equal(low.status, 422);
    assert.deepEqual(low.json.detail[0].loc, ['body', 'volatility']);
    assert.deepEqual(low.json.detail[0].ctx, { ge: 0.01 });
    assert.ok(typeof low.json.request_id === 'string');
    const high = await upsert({ strike: 100, maturity: 1, volatility: 5.5 });
    assert.equal(high.status, 422);
    assert.deepEqual(high.json.detail[0].ctx, { le: 5 });
    const typed = await upsert({ strike: 'a hundred', maturity: 1, volatility: 0.2 });
    assert.equal(typed.status, 422);
    assert.deepEqual(typed.json.detail[0].loc, ['body', 'strike']);
    const longSource = await upsert({ strike: 100, maturity: 1, volatility: 0.2, source: 'x'.repeat(33) });
    assert.equal(longSource.status, 422);
    assert.deepEqual(longSource.json.detail[0].loc, ['body', 'source']);
  });

  it('needs market-data:write to upsert and market-data:read to list or estimate', async () => {
    assert.equal((await upsert({ strike: 100, maturity: 1, volatility: 0.2 }, ['market-data:read'])).status, 403);
    const list = await server.request('/api/v1/market-data/volatility', { method: 'GET', scopes: ['pricing:read'] });
    assert.equal(list.status, 403);
    assert.equal(list.json.detail, "Permission 'market-data:read' required");
    assert.equal((await server.request('/api/v1/market-data/volatility', { method: 'GET', token: null })).status, 401);
  });

  it('interpolates once the surface holds a full grid, and pricing without market_data.volatility uses the estimate', async () => {
    // 90/0.5 already holds 0.32; complete a 2 x 2 grid.
    for (const [strike, maturity, volatility] of [
      [110, 0.5, 0.24],
      [90, 1.5, 0.3],
      [110, 1.5, 0.22],
    ] as const) {
      assert.equal((await upsert({ strike, maturity, volatility })).status, 201);
    }
    const est = await server.request('/api/v1/market-data/volatility/estimate', {
      method: 'POST',
      body: { strike: 100, maturity: 1, spot: 100 },
    });
    const bilinear = (0.32 + 0.24 + 0.3 + 0.22) / 4;
    assert.ok(Math.abs(est.json.volatility - bilinear) < 1e-12, `${est.json.volatility} vs ${bilinear}`);

    const req = pricingRequest();
    const md = { ...(req.market_data as Record<string, unknown>) };
    delete md.volatility;
    const priced = await server.request('/api/v1/pricing/single', {
      body: {
        ...req,
        market_data: md,
        contracts: [{ symbol: 'ABC', strike_price: 100, time_to_expiry: 1, option_type: 'call' }],
      },
    });
    assert.equal(priced.status, 200);
    assert.ok(Math.abs(priced.json.results[0].volatility_used - bilinear) < 1e-12);
  });
});

describe('the volatility surface point cap (OPE_VOLATILITY_MAX_POINTS)', () => {
  it('answers 422 for a new point past the cap, and still replaces existing points', async () => {
    const capped = await startServer({ env: { OPE_VOLATILITY_MAX_POINTS: '4' } });
    try {
      const put = (strike: number, volatility = 0.2) =>
        capped.request('/api/v1/market-data/volatility', { body: { strike, maturity: 1, volatility } });
      for (const strike of [80, 90, 100, 110]) assert.equal((await put(strike)).status, 201);
      const refused = await put(120);
      assert.equal(refused.status, 422);
      assert.deepEqual(refused.json.detail[0].loc, ['body']);
      assert.match(refused.json.detail[0].msg, /at most 4 points/);
      assert.equal((await put(110, 0.25)).status, 201, 'replacing a point is not adding one');
      const list = await capped.request('/api/v1/market-data/volatility', { method: 'GET' });
      assert.equal(list.json.points.length, 4);
    } finally {
      await capped.close();
    }
  });
});

describe('the surface at the schema-valid extremes', () => {
  let fresh: TestServer;
  before(async () => {
    fresh = await startServer();
  });
  after(async () => {
    await fresh.close();
  });

  it('estimates and prices at a maturity or strike of 1e-300 on a surface of volatilities above 3.0 (was 500: NaN)', async () => {
    // Volatilities above 3.0 send every estimate to the inverse-distance fallback, whose distances are scaled by
    // the maturity and strike asked for: at 1e-300 they overflowed, and the estimate was 0/0.
    for (const [strike, maturity] of [
      [90, 0.5],
      [110, 0.5],
      [90, 1],
      [110, 1],
    ] as const) {
      const stored = await fresh.request('/api/v1/market-data/volatility', {
        body: { strike, maturity, volatility: 4 },
        scopes: ['market-data:write'],
      });
      assert.equal(stored.status, 201, stored.text);
    }
    for (const body of [
      { strike: 100, maturity: 1e-300, spot: 100 },
      { strike: 100, maturity: 5e-324, spot: 100 },
      { strike: 1e-300, maturity: 0.75, spot: 1e-300 },
    ]) {
      const est = await fresh.request('/api/v1/market-data/volatility/estimate', {
        body,
        scopes: ['market-data:read'],
      });
      assert.equal(est.status, 200, `${JSON.stringify(body)}: ${est.text}`);
      assert.equal(est.json.volatility, 4, JSON.stringify(body));
    }
    const priced = await fresh.request('/api/v1/pricing/single', {
      body: {
        contracts: [{ symbol: 'ABC', strike_price: 100, time_to_expiry: 1e-300, option_type: 'call' }],
        market_data: { spot_price: 100, risk_free_rate: 0.01 },
      },
    });
    assert.equal(priced.status, 200, priced.text);
    assert.equal(priced.json.results[0].volatility_used, 4);
  });
});
