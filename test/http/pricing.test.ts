import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { priceOption } from '../../src/core/models.js';
import { PORTFOLIO_FIELDS, RESULT_FIELDS, pricingRequest, startServer } from './support.js';
import type { TestServer } from './support.js';

let server: TestServer;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server.close();
});

function close(actual: number, expected: number, tolerance: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} vs ${expected} (tolerance ${tolerance})`);
}

describe('POST /api/v1/pricing/single', () => {
  it('answers the whole PricingBatchResponse with every result field present and greeks in v1 display units', async () => {
    const response = await server.request('/api/v1/pricing/single', { body: pricingRequest() });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
    const body = response.json;
    assert.deepEqual(Object.keys(body).sort(), [
      'options_per_second',
      'portfolio_greeks',
      'results',
      'total_computation_time_ms',
    ]);
    assert.equal(body.results.length, 1);
    const r = body.results[0];
    assert.deepEqual(Object.keys(r).sort(), RESULT_FIELDS);
    assert.equal(r.contract_id, 'ABC_100.0000_0.500000_call');
    assert.equal(r.model_used, 'black_scholes');
    assert.equal(r.cached, false);
    assert.equal(r.error, null);
    assert.equal(r.standard_error, null);
    assert.equal(r.confidence_interval, null);
    assert.equal(r.quantity, 10);
    assert.equal(r.implied_volatility, 0.2);
    assert.equal(r.volatility_used, 0.2);

    // The core's raw units, converted exactly as docs/architecture.md ("Units") says: theta/365, vega/100, rho/100.
    const raw = priceOption(
      'black_scholes',
      { type: 'call', strike: 100, expiry: 0.5, exercise: 'european' },
      { spot: 102, rate: 0.01, dividendYield: 0, volatility: 0.2 },
    );
    assert.equal(r.theoretical_price, raw.value);
    assert.equal(r.delta, raw.greeks!.delta);
    assert.equal(r.gamma, raw.greeks!.gamma);
    assert.equal(r.theta, raw.greeks!.theta / 365);
    assert.equal(r.vega, raw.greeks!.vega / 100);
    assert.equal(r.rho, raw.greeks!.rho / 100);
    assert.equal(r.position_value, raw.value * 10);
    assert.equal(r.position_delta, r.delta * 10);
    assert.equal(r.position_gamma, r.gamma * 10);
    assert.equal(r.position_theta, r.theta * 10);
    assert.equal(r.position_vega, r.vega * 10);
    assert.equal(r.position_rho, r.rho * 10);
    assert.equal(r.position_standard_error, null);
    assert.equal(r.position_confidence_interval, null);
    assert.ok(r.computation_time_ms >= 0);

    const p = body.portfolio_greeks;
    assert.deepEqual(Object.keys(p).sort(), PORTFOLIO_FIELDS);
    assert.equal(p.delta, r.position_delta);
    assert.equal(p.total_value, r.position_value);
    assert.equal(p.total_vega_exposure, r.position_vega * 100);
    assert.equal(p.position_count, 10);
    assert.ok(body.total_computation_time_ms > 0);
    close(
      body.options_per_second,
      1 / (body.total_computation_time_ms / 1000),
      1e-6 * body.options_per_second,
      'options_per_second',
    );
  });

  it("prices Hull's worked example to the published cents (Hull, Options, Futures and Other Derivatives, Example 15.6)", async () => {
    // S=42, K=40, r=10%, sigma=20%, T=0.5: call 4.76, put 0.81.
    const market_data = { spot_price: 42, risk_free_rate: 0.1, volatility: 0.2 };
    const call = await server.request('/api/v1/pricing/single', {
      body: {
        contracts: [{ symbol: 'HULL', strike_price: 40, time_to_expiry: 0.5, option_type: 'call' }],
        market_data,
      },
    });
    const put = await server.request('/api/v1/pricing/single', {
      body: { contracts: [{ symbol: 'HULL', strike_price: 40, time_to_expiry: 0.5, option_type: 'put' }], market_data },
    });
    close(call.json.results[0].theoretical_price, 4.76, 0.005, 'call');
    close(put.json.results[0].theoretical_price, 0.81, 0.005, 'put');
  });

  it('applies the defaults: european, quantity 1, dividend yield 0, black_scholes, greeks on; upper-cases the symbol', async () => {
    const response = await server.request('/api/v1/pricing/single', {
      body: {
        contracts: [{ symbol: 'xyz9', strike_price: 95, time_to_expiry: 1, option_type: 'put' }],
        market_data: { spot_price: 100, risk_free_rate: 0.02, volatility: 0.3 },
      },
    });
    assert.equal(response.status, 200);
    const r = response.json.results[0];
    assert.equal(r.contract_id, 'XYZ9_95.0000_1.000000_put');
    assert.equal(r.quantity, 1);
    assert.equal(r.model_used, 'black_scholes');
    const raw = priceOption(
      'black_scholes',
      { type: 'put', strike: 95, expiry: 1, exercise: 'european' },
      { spot: 100, rate: 0.02, dividendYield: 0, volatility: 0.3 },
    );
    assert.equal(r.theoretical_price, raw.value);
    assert.equal(response.json.portfolio_greeks.position_count, 1);
  });

  it('uses the volatility surface when market_data.volatility is absent or null: 0.20 while it has under 4 points', async () => {
    for (const market_data of [
      { spot_price: 102, risk_free_rate: 0.01 },
      { spot_price: 102, risk_free_rate: 0.01, volatility: null },
    ]) {
      const response = await server.request('/api/v1/pricing/single', { body: pricingRequest({ market_data }) });
      assert.equal(response.status, 200);
      assert.equal(response.json.results[0].volatility_used, 0.2);
      assert.equal(response.json.results[0].implied_volatility, 0.2);
    }
  });

  it("answers 400 with the core's message when the single contract cannot be priced", async () => {
    const body = pricingRequest({
      contracts: [
        { symbol: 'ABC', strike_price: 100, time_to_expiry: 0.5, option_type: 'put', exercise_style: 'american' },
      ],
      model: 'monte_carlo_20k',
    });
    const response = await server.request('/api/v1/pricing/single', { body });
    assert.equal(response.status, 400);
    assert.deepEqual(Object.keys(response.json).sort(), ['detail', 'request_id']);
    assert.equal(typeof response.json.detail, 'string');
    assert.match(response.json.detail, /american/);
  });

  it('drops only the portfolio totals when calculate_greeks is false: each contract keeps its greeks', async () => {
    const response = await server.request('/api/v1/pricing/single', {
      body: pricingRequest({ calculate_greeks: false }),
    });
    assert.equal(response.status, 200);
    assert.equal(response.json.portfolio_greeks, null);
    const r = response.json.results[0];
    const withGreeks = (
      await server.request('/api/v1/pricing/single', { body: pricingRequest({ calculate_greeks: true }) })
    ).json.results[0];
    for (const f of [
      'delta',
      'gamma',
      'theta',
      'vega',
      'rho',
      'position_delta',
      'position_gamma',
      'position_theta',
      'position_vega',
      'position_rho',
    ]) {
      assert.equal(typeof r[f], 'number', f);
      assert.equal(r[f], withGreeks[f], f);
    }
    assert.ok(r.theoretical_price > 0);
  });
});

describe('POST /api/v1/pricing/batch', () => {
  it('answers results in request order, a failing contract with its own error, and totals over the priced ones', async () => {
    const before = await server.request('/metrics', { token: null });
    const errorsBefore = Number(/ope_model_errors_total\{model="black_scholes"\} (\d+)/.exec(before.text)?.[1] ?? 0);
    const contracts = [
      { symbol: 'A', strike_price: 90, time_to_expiry: 0.25, option_type: 'call', quantity: 2 },
      {
        symbol: 'B',
        strike_price: 100,
        time_to_expiry: 0.5,
        option_type: 'put',
        exercise_style: 'american',
        quantity: 3,
      },
      { symbol: 'C', strike_price: 110, time_to_expiry: 1, option_type: 'put', quantity: 5 },
    ];
    const response = await server.request('/api/v1/pricing/batch', { body: pricingRequest({ contracts }) });
    assert.equal(response.status, 200);
    const [a, b, c] = response.json.results;
    assert.deepEqual(
      response.json.results.map((r: { contract_id: string }) => r.contract_id),
      ['A_90.0000_0.250000_call', 'B_100.0000_0.500000_put', 'C_110.0000_1.000000_put'],
    );
    for (const r of response.json.results) assert.deepEqual(Object.keys(r).sort(), RESULT_FIELDS);
    assert.equal(a.error, null);
    assert.equal(c.error, null);
    // black_scholes refuses an American put: that contract fails alone.
    assert.equal(typeof b.error, 'string');
    assert.ok(b.error.length > 0);
    assert.equal(b.theoretical_price, 0);
    for (const f of ['delta', 'gamma', 'theta', 'vega', 'rho', 'position_delta']) assert.equal(b[f], null, f);
    assert.equal(b.position_value, 0);
    assert.equal(b.quantity, 3);

    const p = response.json.portfolio_greeks;
    close(p.delta, a.position_delta + c.position_delta, 1e-12, 'delta');
    close(p.gamma, a.position_gamma + c.position_gamma, 1e-12, 'gamma');
    close(p.theta, a.position_theta + c.position_theta, 1e-12, 'theta');
    close(p.vega, a.position_vega + c.position_vega, 1e-12, 'vega');
    close(p.rho, a.position_rho + c.position_rho, 1e-12, 'rho');
    close(p.total_value, a.position_value + c.position_value, 1e-9, 'total_value');
    close(p.total_vega_exposure, (a.position_vega + c.position_vega) * 100, 1e-9, 'total_vega_exposure');
    assert.equal(p.position_count, 7);

    const afterText = (await server.request('/metrics', { token: null })).text;
    const errorsAfter = Number(/ope_model_errors_total\{model="black_scholes"\} (\d+)/.exec(afterText)?.[1] ?? 0);
    assert.equal(errorsAfter, errorsBefore + 1);
  });

  it('caches per contract: a repeated contract comes back cached, a new one in the same batch is priced', async () => {
    const first = { symbol: 'CACHE', strike_price: 123.25, time_to_expiry: 0.75, option_type: 'call' };
    const second = { symbol: 'CACHE', strike_price: 124.25, time_to_expiry: 0.75, option_type: 'call' };
    const one = await server.request('/api/v1/pricing/batch', { body: pricingRequest({ contracts: [first] }) });
    const two = await server.request('/api/v1/pricing/batch', { body: pricingRequest({ contracts: [second, first] }) });
    assert.equal(one.json.results[0].cached, false);
    assert.equal(two.json.results[0].cached, false);
    assert.equal(two.json.results[1].cached, true);
    assert.equal(two.json.results[1].theoretical_price, one.json.results[0].theoretical_price);
    // A different economic input is a different entry.
    const otherSpot = await server.request('/api/v1/pricing/batch', {
      body: pricingRequest({
        contracts: [first],
        market_data: { spot_price: 103, risk_free_rate: 0.01, volatility: 0.2 },
      }),
    });
    assert.equal(otherSpot.json.results[0].cached, false);
  });

  it('gives Monte Carlo results a standard error and a 95% interval, bit-identical for the same seed', async () => {
    const body = pricingRequest({
      model: 'monte_carlo_20k',
      seed: 12345,
      contracts: [{ symbol: 'MC', strike_price: 100, time_to_expiry: 0.5, option_type: 'call', quantity: 4 }],
    });
    const one = await server.request('/api/v1/pricing/batch', { body });
    const two = await server.request('/api/v1/pricing/batch', { body });
    assert.equal(one.status, 200);
    const r = one.json.results[0];
    assert.ok(r.standard_error > 0);
    assert.equal(r.confidence_interval.length, 2);
    close(r.confidence_interval[0], r.theoretical_price - 1.959963984540054 * r.standard_error, 1e-9, 'ci low');
    close(r.confidence_interval[1], r.theoretical_price + 1.959963984540054 * r.standard_error, 1e-9, 'ci high');
    assert.equal(r.position_standard_error, r.standard_error * 4);
    assert.deepEqual(r.position_confidence_interval, [r.confidence_interval[0] * 4, r.confidence_interval[1] * 4]);
    const s = two.json.results[0];
    assert.equal(s.theoretical_price, r.theoretical_price);
    assert.equal(s.delta, r.delta);
    assert.equal(s.standard_error, r.standard_error);
  });

  it('gives two identical Monte Carlo contracts in one batch independent child streams', async () => {
    const contract = { symbol: 'TWIN', strike_price: 100, time_to_expiry: 1, option_type: 'call' };
    const response = await server.request('/api/v1/pricing/batch', {
      body: pricingRequest({ model: 'monte_carlo_20k', seed: 7, contracts: [contract, contract] }),
    });
    const [a, b] = response.json.results;
    assert.notEqual(a.theoretical_price, b.theoretical_price);
    assert.equal(a.cached, false);
    assert.equal(b.cached, false);
  });

  it('reads seeds above 2^53 exactly: 2^53 and 2^53+1 are different seeds', async () => {
    const text = (seed: string) =>
      `{"contracts":[{"symbol":"BIG","strike_price":100,"time_to_expiry":1,"option_type":"call"}],"market_data":{"spot_price":100,"risk_free_rate":0.01,"volatility":0.2},"model":"monte_carlo_20k","calculate_greeks":false,"seed":${seed}}`;
    const a = await server.request('/api/v1/pricing/batch', { body: text('9007199254740992') });
    const b = await server.request('/api/v1/pricing/batch', { body: text('9007199254740993') });
    const max = await server.request('/api/v1/pricing/batch', { body: text('9223372036854775807') });
    assert.equal(a.status, 200);
    assert.equal(b.status, 200);
    assert.equal(max.status, 200);
    assert.notEqual(a.json.results[0].theoretical_price, b.json.results[0].theoretical_price);
  });

  it('never caches unseeded Monte Carlo runs', async () => {
    const body = pricingRequest({
      model: 'monte_carlo_20k',
      contracts: [{ symbol: 'RND', strike_price: 100, time_to_expiry: 1, option_type: 'call' }],
    });
    const one = await server.request('/api/v1/pricing/batch', { body });
    const two = await server.request('/api/v1/pricing/batch', { body });
    assert.equal(one.json.results[0].cached, false);
    assert.equal(two.json.results[0].cached, false);
    assert.notEqual(one.json.results[0].theoretical_price, two.json.results[0].theoretical_price);
  });

  it('returns greeks for binomial_200 and prices American puts with it', async () => {
    const body = pricingRequest({
      model: 'binomial_200',
      contracts: [
        { symbol: 'AM', strike_price: 100, time_to_expiry: 1, option_type: 'put', exercise_style: 'american' },
      ],
    });
    const response = await server.request('/api/v1/pricing/batch', { body });
    const r = response.json.results[0];
    assert.equal(r.error, null);
    for (const f of ['delta', 'gamma', 'theta', 'vega', 'rho']) assert.equal(typeof r[f], 'number', f);
    assert.ok(r.delta < 0);
  });
});

describe('POST /api/v1/risk/aggregate-greeks', () => {
  it("answers only the portfolio totals, equal to the batch endpoint's", async () => {
    const contracts = [
      { symbol: 'R1', strike_price: 95, time_to_expiry: 0.5, option_type: 'call', quantity: 3 },
      { symbol: 'R2', strike_price: 105, time_to_expiry: 0.25, option_type: 'put', quantity: 7 },
    ];
    const risk = await server.request('/api/v1/risk/aggregate-greeks', {
      body: pricingRequest({ contracts }),
      scopes: ['risk:read'],
    });
    const batch = await server.request('/api/v1/pricing/batch', { body: pricingRequest({ contracts }) });
    assert.equal(risk.status, 200);
    assert.deepEqual(Object.keys(risk.json).sort(), PORTFOLIO_FIELDS);
    assert.deepEqual(risk.json, batch.json.portfolio_greeks);
  });

  it('computes greeks even when calculate_greeks is false', async () => {
    const risk = await server.request('/api/v1/risk/aggregate-greeks', {
      body: pricingRequest({ calculate_greeks: false }),
      scopes: ['risk:read'],
    });
    assert.equal(risk.status, 200);
    assert.notEqual(risk.json.delta, 0);
  });

  it('requires risk:read, not pricing:read', async () => {
    const response = await server.request('/api/v1/risk/aggregate-greeks', {
      body: pricingRequest(),
      scopes: ['pricing:read'],
    });
    assert.equal(response.status, 403);
    assert.equal(response.json.detail, "Permission 'risk:read' required");
  });
});

describe('positions and totals a double cannot hold', () => {
  // At a strike and spot of 1e-300, T = 1e-8 and a volatility of 2.2e-5, black_scholes gamma is about 1.8e308:
  // finite, and correct, but not once multiplied by a quantity, and JSON would carry the product as null.
  const tiny = (quantity: number) => ({
    symbol: 'X',
    strike_price: 1e-300,
    time_to_expiry: 1e-8,
    option_type: 'call',
    quantity,
  });
  const market = { spot_price: 1e-300, risk_free_rate: 0, dividend_yield: 0, volatility: 0.000022191900979361964 };

  it('answers 400 for a single contract whose position overflows, naming the quantity and the greek', async () => {
    const response = await server.request('/api/v1/pricing/single', {
      body: { contracts: [tiny(1_000_000)], market_data: market },
    });
    assert.equal(response.status, 400, response.text);
    assert.match(response.json.detail, /^quantity 1000000 times gamma 1\.79\d*e\+308 overflows a double$/);
  });

  it('fails only that contract in a batch, and leaves it out of the totals', async () => {
    const response = await server.request('/api/v1/pricing/batch', {
      body: { contracts: [tiny(1_000_000), { ...tiny(1), strike_price: 2e-300 }], market_data: market },
    });
    assert.equal(response.status, 200, response.text);
    const [overflowing, priced] = response.json.results as Record<string, unknown>[];
    assert.match(String(overflowing!.error), /overflows a double/);
    assert.equal(overflowing!.position_gamma, null);
    assert.equal(priced!.error, null);
    assert.equal(response.json.portfolio_greeks.position_count, 1);
    for (const value of Object.values(response.json.portfolio_greeks as Record<string, unknown>))
      assert.equal(typeof value, 'number');
  });

  it('answers 422 naming the contracts when finite positions sum past a double, on the batch and risk routes', async () => {
    const body = { contracts: [tiny(1), tiny(1)], market_data: market };
    for (const [path, scopes] of [
      ['/api/v1/pricing/batch', ['pricing:read']],
      ['/api/v1/risk/aggregate-greeks', ['risk:read']],
    ] as const) {
      const response = await server.request(path, { body, scopes });
      assert.equal(response.status, 422, `${path}: ${response.text}`);
      assert.deepEqual(response.json.detail[0].loc, ['body', 'contracts']);
      assert.match(response.json.detail[0].msg, /total gamma of these positions overflows a double/);
    }
    // Without the totals (calculate_greeks false) the same batch is answered: each position is finite.
    const rows = await server.request('/api/v1/pricing/batch', { body: { ...body, calculate_greeks: false } });
    assert.equal(rows.status, 200, rows.text);
    assert.equal(rows.json.portfolio_greeks, null);
  });
});
