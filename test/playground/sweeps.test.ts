import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { pricingRequest as exampleRequest, startServer } from '../http/support.js';
import type { TestServer } from '../http/support.js';

/**
 * The page's pure modules (public/playground/*.js, plain browser ES modules that Node imports as they are): how
 * form text becomes a request, how API errors find their fields, and the claims the charts rest on, checked
 * against the real API: a spot sweep read from one batch equals pricing at each spot, and the Monte Carlo runs of
 * the convergence chart are the seeded child streams they are said to be.
 */

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any
const load = async (name: string): Promise<Json> =>
  import(new URL(`../../public/playground/${name}`, import.meta.url).href);
const body = await load('request-body.js');
const sweeps = await load('sweeps.js');
const api = await load('api.js');

const FORM_DEFAULTS = {
  symbol: 'ABC',
  option_type: 'call',
  exercise_style: 'european',
  strike_price: '100',
  time_to_expiry: '0.5',
  quantity: '10',
  spot_price: '102',
  risk_free_rate: '0.01',
  dividend_yield: '0',
  volatility: '0.2',
  model: 'black_scholes',
};

describe('form text to request', () => {
  it('turns the form’s default text into the example request of examples/price_single.json', () => {
    const example = JSON.parse(readFileSync(new URL('../../examples/price_single.json', import.meta.url), 'utf8'));
    assert.deepEqual(body.pricingRequest(FORM_DEFAULTS), example);
  });

  it('sends text that reads as a finite number as that number, other text as it is, and leaves blanks out', () => {
    const cases: [string, unknown][] = [
      ['0.5', 0.5],
      [' 7 ', 7],
      ['.5', 0.5],
      ['5.', 5],
      ['-0.01', -0.01],
      ['+2', 2],
      ['1e-3', 0.001],
      ['2E2', 200],
      ['abc', 'abc'],
      ['1,5', '1,5'],
      ['0x10', '0x10'],
      ['Infinity', 'Infinity'],
      ['1e999', '1e999'],
      ['NaN', 'NaN'],
      ['', undefined],
      ['   ', undefined],
    ];
    for (const [text, expected] of cases) assert.deepEqual(body.numberOrText(text), expected, JSON.stringify(text));
    const request = body.pricingRequest({ ...FORM_DEFAULTS, strike_price: 'abc', volatility: '', symbol: '  ' });
    assert.equal(request.contracts[0].strike_price, 'abc');
    assert.equal('symbol' in request.contracts[0], false);
    assert.equal('volatility' in request.market_data, false);
  });

  it('writes the seed into the JSON text digit for digit, above 2^53 too; other seed text as a string; blank: no seed', () => {
    const request = body.pricingRequest(FORM_DEFAULTS);
    assert.match(body.requestJson(request, '9007199254740993'), /,"seed":9007199254740993}$/);
    assert.match(body.requestJson(request, ' 42 '), /,"seed":42}$/);
    assert.match(body.requestJson(request, '4.2'), /,"seed":"4.2"}$/);
    assert.match(body.requestJson(request, '"}'), /,"seed":"\\"}"}$/);
    assert.equal(body.requestJson(request, ''), JSON.stringify(request));
    assert.deepEqual(JSON.parse(body.requestJson(request, '-1')).seed, '-1');
  });
});

describe('API errors to form fields', () => {
  it('names the field by the last part of a 422 loc, and the whole form for the body itself', () => {
    assert.equal(api.fieldOfLocation(['body', 'contracts', 0, 'strike_price']), 'strike_price');
    assert.equal(api.fieldOfLocation(['body', 'market_data', 'spot_price']), 'spot_price');
    assert.equal(api.fieldOfLocation(['body', 'seed']), 'seed');
    assert.equal(api.fieldOfLocation(['body', 'model']), 'model');
    assert.equal(api.fieldOfLocation(['body', 'contracts', 0]), null);
    assert.equal(api.fieldOfLocation(['body', 'contracts']), null);
    assert.equal(api.fieldOfLocation(['body']), null);
    assert.equal(api.fieldOfLocation(['query', 'x']), null);
    assert.equal(api.fieldOfLocation(undefined), null);
  });

  it('reads a 422 into per-field messages, a string detail into the form message, and a 429’s Retry-After into it', async () => {
    const validation = await api.apiErrorOf(
      new Response(
        JSON.stringify({
          detail: [
            {
              loc: ['body', 'contracts', 0, 'strike_price'],
              msg: 'Input should be greater than 0',
              type: 'greater_than',
            },
            { loc: ['body', 'market_data', 'spot_price'], msg: 'Field required', type: 'missing' },
            { loc: ['body'], msg: 'JSON decode error', type: 'json_invalid' },
          ],
          request_id: 'r-1',
        }),
        { status: 422 },
      ),
    );
    assert.equal(validation.status, 422);
    assert.deepEqual(
      [...validation.fields],
      [
        ['strike_price', 'Input should be greater than 0'],
        ['spot_price', 'Field required'],
      ],
    );
    assert.equal(validation.message, 'JSON decode error (request r-1)');
    const refused = await api.apiErrorOf(
      new Response(JSON.stringify({ detail: 'monte_carlo_20k does not price american options', request_id: 'r-2' }), {
        status: 400,
      }),
    );
    assert.equal(refused.message, 'monte_carlo_20k does not price american options (request r-2)');
    assert.equal(refused.fields.size, 0);
    const limited = await api.apiErrorOf(
      new Response(JSON.stringify({ detail: 'Rate limit exceeded', request_id: 'r-3' }), {
        status: 429,
        headers: { 'retry-after': '17' },
      }),
    );
    assert.equal(limited.message, 'Rate limit exceeded: retry in 17 s (request r-3)');
    assert.equal(limited.retryAfterSeconds, 17);
    const opaque = await api.apiErrorOf(new Response('<html>bad gateway</html>', { status: 502 }));
    assert.equal(opaque.message, 'HTTP 502');
  });
});

describe('chart grids and the convergence arithmetic', () => {
  it('spans the strike and the spot with about three standard deviations either side, and holds the spot itself', () => {
    const grid = sweeps.spotGrid({ spot: 102, strike: 100, volatility: 0.2, expiry: 0.5 });
    assert.equal(grid.length, sweeps.SPOT_SWEEP_POINTS + 1);
    assert.ok(grid.includes(102));
    assert.deepEqual(
      [...grid].sort((a: number, b: number) => a - b),
      grid,
    );
    const width = 3 * 0.2 * Math.sqrt(0.5);
    assert.ok(
      Math.abs(grid[0] - 100 * Math.exp(-width)) < 1e-9 && Math.abs(grid.at(-1) - 102 * Math.exp(width)) < 1e-9,
    );
    const narrow = sweeps.spotGrid({ spot: 50, strike: 50, volatility: 0.01, expiry: 0.01 });
    assert.ok(Math.abs(narrow[0] - 50 * Math.exp(-0.15)) < 1e-9, 'at least 15% either side');
    const volatilities = sweeps.volatilityGrid(0.2);
    assert.ok(volatilities.includes(0.2) && volatilities[0] === 0.05 && Math.abs(volatilities.at(-1) - 0.5) < 1e-12);
    assert.equal(sweeps.volatilityGrid(3).at(-1), 5);
    assert.equal(sweeps.volatilityGrid(0.04)[0], 0.02);
  });

  it('combines k runs as their mean with standard error sqrt(sum se^2) / k, and stops at a failed run', () => {
    const result = (price: number, se: number | null, error: string | null = null) => ({
      theoretical_price: price,
      standard_error: se,
      error,
    });
    const curve = sweeps.convergenceCurve({
      results: [result(1, 0.3), result(3, 0.4), result(0, null, 'failed'), result(5, 0.1)],
    });
    assert.deepEqual(curve.paths, [20_000, 40_000]);
    assert.deepEqual(curve.estimate, [1, 2]);
    const z = 1.959963984540054;
    assert.deepEqual(curve.low, [1 - z * 0.3, 2 - (z * 0.5) / 2]);
    assert.deepEqual(curve.high, [1 + z * 0.3, 2 + (z * 0.5) / 2]);
  });
});

describe('the charts’ claims, against the real API', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(async () => server.close());

  const post = async (path: string, text: string): Promise<Json> => {
    const response = await server.request(path, { body: text });
    assert.equal(response.status, 200, response.text);
    return response.json;
  };

  // Deterministic models on contracts each prices; the spot sweep must equal pricing at each spot directly, up
  // to a tolerance relative to the largest value on the curve: 1e-12 for the closed form (scaling only reorders
  // roundings); 1e-9 for the trees, whose vega, rho and theta are differences of nearby tree values with a
  // rounding error near eps V / h (h ~ 1e-4) that the scaling reshuffles; 1e-7 for the approximations, which solve
  // for an exercise boundary only to a tolerance.
  const cases = [
    { model: 'black_scholes', option_type: 'call', exercise_style: 'european', dividend_yield: 0.02, tolerance: 1e-12 },
    { model: 'binomial_200', option_type: 'put', exercise_style: 'american', dividend_yield: 0, tolerance: 1e-9 },
    { model: 'leisen_reimer', option_type: 'put', exercise_style: 'american', dividend_yield: 0.01, tolerance: 1e-9 },
    {
      model: 'barone_adesi_whaley',
      option_type: 'put',
      exercise_style: 'american',
      dividend_yield: 0,
      tolerance: 1e-7,
    },
    {
      model: 'bjerksund_stensland',
      option_type: 'call',
      exercise_style: 'american',
      dividend_yield: 0.04,
      tolerance: 1e-7,
    },
    {
      model: 'bjerksund_stensland_1993',
      option_type: 'put',
      exercise_style: 'american',
      dividend_yield: 0.01,
      tolerance: 1e-7,
    },
  ];
  for (const c of cases) {
    it(`reads price and greeks against spot from one batch exactly as pricing at each spot gives them: ${c.model} ${c.exercise_style} ${c.option_type}`, async () => {
      const request: Json = exampleRequest({
        contracts: [
          {
            symbol: 'ABC',
            strike_price: 100,
            time_to_expiry: 0.75,
            option_type: c.option_type,
            exercise_style: c.exercise_style,
            quantity: 10,
          },
        ],
        market_data: { spot_price: 102, risk_free_rate: 0.05, dividend_yield: c.dividend_yield, volatility: 0.3 },
        model: c.model,
      });
      const grid = sweeps.spotGrid({ spot: 102, strike: 100, volatility: 0.3, expiry: 0.75 });
      const curves = sweeps.spotSweepCurves(
        await post('/api/v1/pricing/batch', body.requestJson(sweeps.spotSweepRequest(request, grid), '')),
        grid,
        102,
      );
      for (const i of [0, 7, grid.indexOf(102), 30, grid.length - 1]) {
        const spot = grid[i];
        const direct = (
          await post(
            '/api/v1/pricing/single',
            JSON.stringify({ ...request, market_data: { ...request.market_data, spot_price: spot } }),
          )
        ).results[0];
        for (const [curve, field] of [
          ['price', 'theoretical_price'],
          ['delta', 'delta'],
          ['gamma', 'gamma'],
          ['theta', 'theta'],
          ['vega', 'vega'],
          ['rho', 'rho'],
        ]) {
          const swept = curves[curve!][i];
          const expected = direct[field!];
          // Relative to the curve's own size: deep in the exercise region a tree's gamma is rounding noise around 0.
          const scale = Math.max(...curves[curve!].map((v: number) => Math.abs(v)));
          assert.ok(
            Math.abs(swept - expected) <= c.tolerance * scale,
            `${c.model} ${field} at spot ${spot}: sweep ${swept}, direct ${expected}, difference ${swept - expected}`,
          );
        }
      }
    });
  }

  // Price against volatility from one batch (total volatility and moneyness held, sweeps.js): exact for the closed
  // form up to rounding; the trees price the transformed contract on their own 200-step grid, so they agree with
  // direct pricing only to their discretisation error, asserted within 2e-3 of the curve's largest price here.
  for (const c of [
    { model: 'black_scholes', tolerance: 1e-12 },
    { model: 'binomial_200', tolerance: 2e-3 },
  ]) {
    it(`reads price against volatility from one batch as pricing at each volatility gives it: ${c.model} european`, async () => {
      const request: Json = exampleRequest({
        contracts: [
          {
            symbol: 'ABC',
            strike_price: 95,
            time_to_expiry: 0.75,
            option_type: 'put',
            exercise_style: 'european',
            quantity: 10,
          },
        ],
        market_data: { spot_price: 102, risk_free_rate: 0.05, dividend_yield: 0.02, volatility: 0.25 },
        model: c.model,
      });
      const points = sweeps.volatilitySweepPoints(request, sweeps.volatilityGrid(0.25));
      assert.equal(points.length, sweeps.volatilityGrid(0.25).length);
      const curve = sweeps.volatilitySweepCurve(
        await post('/api/v1/pricing/batch', body.requestJson(sweeps.volatilitySweepRequest(request, points), '')),
        points,
      );
      const scale = Math.max(...curve.map((v: number) => Math.abs(v)));
      for (const [i, point] of points.entries()) {
        const direct = (
          await post(
            '/api/v1/pricing/single',
            JSON.stringify({ ...request, market_data: { ...request.market_data, volatility: point.volatility } }),
          )
        ).results[0];
        assert.ok(
          Math.abs(curve[i] - direct.theoretical_price) <= c.tolerance * scale,
          `${c.model} at volatility ${point.volatility}: sweep ${curve[i]}, direct ${direct.theoretical_price}`,
        );
      }
    });
  }

  it('leaves out of the volatility sweep the points whose transformed expiry the API would refuse', () => {
    const request: Json = exampleRequest({
      contracts: [{ symbol: 'ABC', strike_price: 100, time_to_expiry: 10, option_type: 'call' }],
      market_data: { spot_price: 100, risk_free_rate: 0, volatility: 0.05 },
    });
    const grid = sweeps.volatilityGrid(0.05);
    const points = sweeps.volatilitySweepPoints(request, grid);
    assert.ok(points.length < grid.length && points.length > 0);
    assert.ok(points.every((p: Json) => p.expiry <= sweeps.MAX_EXPIRY));
  });

  it('runs the convergence chart’s Monte Carlo as independent seeded child streams: run 1 is the single price with that seed, and the runs differ', async () => {
    const request = exampleRequest({ model: 'monte_carlo_20k' });
    const single = (await post('/api/v1/pricing/single', body.requestJson(request, '9007199254740993'))).results[0];
    const runs = (
      await post('/api/v1/pricing/batch', body.requestJson(sweeps.convergenceRequest(request), '9007199254740993'))
    ).results;
    assert.equal(runs.length, sweeps.CONVERGENCE_RUNS);
    assert.equal(runs[0].theoretical_price, single.theoretical_price);
    assert.equal(runs[0].standard_error, single.standard_error);
    assert.equal(new Set(runs.map((r: Json) => r.theoretical_price)).size, runs.length);
    const neighbour = (await post('/api/v1/pricing/single', body.requestJson(request, '9007199254740992'))).results[0];
    assert.notEqual(neighbour.theoretical_price, single.theoretical_price, 'the seed reached the API digit for digit');
    const curve = sweeps.convergenceCurve({ results: runs });
    assert.equal(curve.paths.at(-1), 400_000);
    assert.ok(curve.high.at(-1) - curve.low.at(-1) < single.confidence_interval[1] - single.confidence_interval[0]);
  });
});
