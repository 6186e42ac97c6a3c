import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { brokenParityQuotes, loadGolden } from '../core/surface/support.js';
import { SurfaceEvaluator } from '../../src/core/surface/surface.js';
import { toSurfaceDefinition, type SurfaceDocument } from '../../src/http/surfaces/surface-document.js';
import { startServer } from './support.js';
import type { TestServer } from './support.js';

let server: TestServer;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server.close();
});

const golden = loadGolden();
const post = (body: unknown, scopes?: readonly string[]) =>
  server.request('/api/v1/surfaces', { method: 'POST', body, ...(scopes ? { scopes } : {}) });
const count = async (): Promise<number> =>
  (await server.request('/api/v1/surfaces', { method: 'GET' })).json.surfaces.length as number;

describe('/api/v1/surfaces', () => {
  it('refuses bad input with 422 naming the field, and stores nothing', async () => {
    const q0 = golden.board.quotes[0]!;
    const cases: [unknown, (string | number)[]][] = [
      [{ ...golden.board, quotes: [{ ...q0, strike: 0 }] }, ['body', 'quotes', 0, 'strike']],
      [{ ...golden.board, quotes: [{ ...q0, option_type: 'straddle' }] }, ['body', 'quotes', 0, 'option_type']],
      [{ ...golden.board, quotes: [] }, ['body', 'quotes']],
      [{ ...golden.board, as_of: 'yesterday' }, ['body', 'as_of']],
      // One expiry left with four strikes: too few for a smile.
      [
        { ...golden.board, quotes: golden.board.quotes.filter((q) => q.expiry !== 0.5 || q.strike < 88) },
        ['body', 'quotes'],
      ],
      // Every quote crossed: cleaning removes them all.
      [
        {
          ...golden.board,
          quotes: golden.board.quotes.map((q) => ({ ...q, bid_iv: 0.3, ask_iv: 0.2, mid_iv: undefined })),
        },
        ['body', 'quotes'],
      ],
      [
        { ...golden.board, quotes: [{ expiry: 0.5, strike: 100, option_type: 'call' }] },
        ['body', 'quotes', 0, 'mid_iv'],
      ],
    ];
    for (const [body, loc] of cases) {
      const res = await post(body);
      assert.equal(res.status, 422, res.text);
      assert.ok(
        (res.json.detail as { loc: unknown[] }[]).some((d) => JSON.stringify(d.loc) === JSON.stringify(loc)),
        `${JSON.stringify(loc)} in ${res.text}`,
      );
    }
    const nan = await server.request('/api/v1/surfaces', {
      method: 'POST',
      body: JSON.stringify({ ...golden.board, quotes: [{ ...q0, mid_iv: 0.2 }] }).replace(
        '"mid_iv":0.2',
        '"mid_iv":NaN',
      ),
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(nan.status, 422, nan.text);
    assert.equal(await count(), 0);
  });

  it('refuses the golden board with broken parity (ATM call x1.5, put x0.2): 422 naming parity, nothing stored', async () => {
    const res = await post({ ...golden.board, quotes: brokenParityQuotes(golden.board) });
    assert.equal(res.status, 422, res.text);
    assert.match(res.json.detail[0].msg, /put_call_parity/);
    assert.deepEqual(
      (res.json.violations as { kind: string; strike: number }[]).map((v) => [v.kind, v.strike]),
      [
        ['put_call_parity', 100],
        ['put_call_parity', 100],
        ['put_call_parity', 100],
      ],
    );
    assert.equal(await count(), 0);
  });

  let id = '';
  let text = '';
  it('calibrates and stores the golden board: 201, content-hash id, RMSE <= 0.0075 per expiry, no violations', async () => {
    const res = await post(golden.board);
    assert.equal(res.status, 201, res.text);
    id = res.json.surface_id as string;
    text = res.text;
    assert.match(id, /^[0-9a-f]{64}$/);
    assert.equal(res.headers.get('location'), `/api/v1/surfaces/${id}`);
    assert.deepEqual(res.json.violations, []);
    assert.equal(res.json.quality.quotes_kept, 126);
    for (const slice of res.json.slices as { rmse: number; model: string; reason: string }[]) {
      assert.ok(slice.rmse <= 0.0075, `${slice.rmse}`);
      assert.ok(['sabr', 'svi'].includes(slice.model) && slice.reason.length > 0);
    }
  });

  it('gives the same id and the same bytes for the same board (200 the second time)', async () => {
    const again = await post(golden.board);
    assert.equal(again.status, 200);
    assert.equal(again.text, text);
    const got = await server.request(`/api/v1/surfaces/${id}`, { method: 'GET', scopes: ['market-data:read'] });
    assert.equal(got.status, 200);
    assert.equal(got.text, text);
    const list = await server.request('/api/v1/surfaces?limit=10', { method: 'GET', scopes: ['market-data:read'] });
    assert.equal(list.status, 200);
    assert.equal(list.json.surfaces.length, 1);
    assert.equal(list.json.surfaces[0].surface_id, id);
    assert.deepEqual(list.json.surfaces[0].expiries, [0.25, 0.5, 1]);
  });

  it('stores an arbitrageable board with its violations when allow_arbitrage is true', async () => {
    const res = await post({ ...golden.board, quotes: brokenParityQuotes(golden.board), allow_arbitrage: true });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.json.violations.length, 3);
    assert.notEqual(res.json.surface_id, id);
    assert.equal(await count(), 2);
  });

  it('removes stale quotes by their ISO timestamps, and fits beta when asked', async () => {
    const quotes = golden.board.quotes.map((q, i) => ({
      ...q,
      timestamp: i === 5 ? '2026-12-06T23:54:59Z' : '2026-12-06T23:59:00Z',
    }));
    const res = await post({ ...golden.board, quotes, beta: 'fit', max_age_seconds: 300 });
    assert.equal(res.status, 201, res.text);
    assert.deepEqual(
      (res.json.quality.removed as { index: number; reason: string }[]).map((r) => [r.index, r.reason]),
      [[5, 'stale']],
    );
    assert.equal(res.json.beta, 'fit');
    for (const slice of res.json.slices as { rmse: number; sabr: { parameters: { beta: number } } }[]) {
      const beta = slice.sabr.parameters.beta;
      assert.ok(beta >= 0 && beta <= 1 && slice.rmse <= 0.0075);
    }
  });

  it('answers 404 for an unknown id, 403 without the scope, 401 without a token, 422 for a bad limit', async () => {
    const missing = await server.request(`/api/v1/surfaces/${'0'.repeat(64)}`, { method: 'GET' });
    assert.equal(missing.status, 404);
    assert.equal((await post(golden.board, ['market-data:read'])).status, 403);
    assert.equal((await server.request('/api/v1/surfaces', { method: 'GET', scopes: ['pricing:read'] })).status, 403);
    assert.equal((await server.request('/api/v1/surfaces', { method: 'GET', token: null })).status, 401);
    assert.equal((await server.request('/api/v1/surfaces?limit=0', { method: 'GET' })).status, 422);
    assert.equal((await server.request('/api/v1/surfaces?limit=abc', { method: 'GET' })).status, 422);
  });
});

describe('pricing with market_data.surface_id', () => {
  const contract = { symbol: 'ABC', strike_price: 104, time_to_expiry: 0.5, option_type: 'call' };
  let id = '';
  before(async () => {
    id = (await post(golden.board)).json.surface_id as string;
  });

  it("prices at the surface's volatility at (K, T) and reports the surface id", async () => {
    const market_data = { spot_price: 100, risk_free_rate: 0, dividend_yield: 0, surface_id: id };
    const res = await server.request('/api/v1/pricing/batch', {
      method: 'POST',
      body: { contracts: [contract, { ...contract, strike_price: 90, time_to_expiry: 0.75 }], market_data },
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.surface_id, id);
    const stored = (await server.request(`/api/v1/surfaces/${id}`, { method: 'GET' })).json as SurfaceDocument;
    const surface = new SurfaceEvaluator(toSurfaceDefinition(stored));
    const vol = res.json.results[0].volatility_used as number;
    assert.equal(vol, surface.volatility(104, 0.5));
    assert.equal(res.json.results[1].volatility_used, surface.volatility(90, 0.75));
    assert.ok(vol > 0.15 && vol < 0.25, `${vol}`);
    // Between expiries (0.5 and 1) the contract is priced too.
    assert.equal(res.json.results[1].error, null);
    const single = await server.request('/api/v1/pricing/single', {
      method: 'POST',
      body: { contracts: [contract], market_data },
    });
    assert.equal(single.json.results[0].volatility_used, vol);
    const risk = await server.request('/api/v1/risk/aggregate-greeks', {
      method: 'POST',
      body: { contracts: [contract], market_data },
    });
    assert.equal(risk.status, 200, risk.text);
  });

  it("implied volatility reports the surface's volatility at each quote's (K, T) beside the quote's own, and the id", async () => {
    const stored = (await server.request(`/api/v1/surfaces/${id}`, { method: 'GET' })).json as SurfaceDocument;
    const surface = new SurfaceEvaluator(toSurfaceDefinition(stored));
    const quotes = [
      { contract: contract, price: 6.5 },
      { contract: { ...contract, strike_price: 90, option_type: 'put' }, price: 2.1 },
    ];
    const res = await server.request('/api/v1/implied-volatility', {
      method: 'POST',
      body: { quotes, market_data: { spot_price: 100, risk_free_rate: 0, surface_id: id } },
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.surface_id, id);
    assert.equal(res.json.results[0].surface_volatility, surface.volatility(104, 0.5));
    assert.equal(res.json.results[1].surface_volatility, surface.volatility(90, 0.5));
    assert.ok(res.json.results[0].implied_volatility > 0);
    const unknown = await server.request('/api/v1/implied-volatility', {
      method: 'POST',
      body: { quotes, market_data: { spot_price: 100, risk_free_rate: 0, surface_id: 'nope' } },
    });
    assert.equal(unknown.status, 422);
    assert.deepEqual(unknown.json.detail[0].loc, ['body', 'market_data', 'surface_id']);
    const plain = await server.request('/api/v1/implied-volatility', {
      method: 'POST',
      body: { quotes, market_data: { spot_price: 100, risk_free_rate: 0 } },
    });
    assert.equal(plain.json.surface_id, undefined);
    assert.equal(plain.json.results[0].surface_volatility, undefined);
  });

  it('refuses an unknown surface id, and a surface id together with a volatility, with 422 naming the field', async () => {
    for (const market_data of [
      { spot_price: 100, risk_free_rate: 0, surface_id: 'f'.repeat(64) },
      { spot_price: 100, risk_free_rate: 0, surface_id: id, volatility: 0.2 },
    ]) {
      const res = await server.request('/api/v1/pricing/batch', {
        method: 'POST',
        body: { contracts: [contract], market_data },
      });
      assert.equal(res.status, 422, res.text);
      assert.deepEqual(res.json.detail[0].loc, ['body', 'market_data', 'surface_id']);
    }
  });
});
