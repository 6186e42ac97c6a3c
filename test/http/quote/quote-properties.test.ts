import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { startServer, type TestServer } from '../support.js';
import { numbersOf, quoteRequest } from './quote-support.js';

/**
 * Property: any valid QuoteRequest gives the same numbers through /quote, through /batch as item i (with lineage
 * index i) and through /replay of that item's capsule. Monte Carlo numbers depend on the lineage, so a Monte Carlo
 * request matches /quote when it is item 0; every other family matches at any index. A request the engines refuse
 * is refused alike: 400 on /quote, a failed item in /batch with the same issue.
 */

const positive = (min: number, max: number) => fc.double({ min, max, noNaN: true, noDefaultInfinity: true });

const contract = fc.record({
  symbol: fc.constantFrom('ABC', 'XYZ', 'Q1'),
  strike_price: positive(50, 150),
  time_to_expiry: positive(1e-6, 3),
  option_type: fc.constantFrom('call', 'put', 'CALL', 'Put'),
  exercise_style: fc.constantFrom('european', 'american'),
});
const market = fc.record({
  spot_price: positive(50, 150),
  risk_free_rate: positive(-0.05, 0.1),
  dividend_yield: positive(0, 0.08),
});
const model = fc.oneof(
  fc.constant({ family: 'black_scholes' }),
  fc.record({ family: fc.constant('binomial'), params: fc.record({ steps: fc.integer({ min: 10, max: 300 }) }) }),
  fc.record({ family: fc.constant('leisen_reimer'), params: fc.record({ steps: fc.integer({ min: 10, max: 300 }) }) }),
  fc.constant({ family: 'barone_adesi_whaley' }),
  fc.constant({ family: 'bjerksund_stensland' }),
  // Weighted up: the Monte Carlo options are the most combinations, and the only seed-dependent numbers.
  {
    weight: 4,
    arbitrary: fc.record(
      {
        family: fc.constant('monte_carlo'),
        params: fc.record(
          {
            paths: fc.integer({ min: 1000, max: 4000 }),
            seed_prefix: fc.string({ minLength: 1, maxLength: 8 }),
            antithetic: fc.boolean(),
            use_cv: fc.boolean(),
            use_qmc: fc.boolean(),
            steps: fc.integer({ min: 10, max: 64 }),
          },
          { requiredKeys: ['paths'] },
        ),
        precision: fc.record(
          { target_ci_bps: positive(5, 500), max_paths: fc.integer({ min: 1000, max: 8000 }) },
          { requiredKeys: ['target_ci_bps'] },
        ),
      },
      { requiredKeys: ['family', 'params'] },
    ),
  },
);
const greeks = fc.option(
  fc.record(
    { delta: fc.boolean(), gamma: fc.boolean(), vega: fc.boolean(), theta: fc.boolean(), rho: fc.boolean() },
    { requiredKeys: [] },
  ),
  { nil: undefined },
);
// The Monte Carlo arbitrary carries its precision beside the model; it is moved to the request's own field here.
const request = fc
  .record({ contract, market, volatility: positive(0.01, 1.5), model, greeks })
  .map(({ model: drawn, ...rest }) => {
    const { precision, ...modelOnly } = 'precision' in drawn ? drawn : { ...drawn, precision: undefined };
    const r = { ...rest, model: modelOnly, ...(precision === undefined ? {} : { precision }) };
    return quoteRequest(r.greeks === undefined ? { ...r, greeks: undefined } : r);
  });

describe('quote, batch item and replay agree', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer();
  });
  after(async () => s.close());

  it('for any valid QuoteRequest', async () => {
    await fc.assert(
      fc.asyncProperty(request, fc.integer({ min: 0, max: 3 }), async (body, index) => {
        const single = await s.request('/quote', { body });
        const filler = quoteRequest();
        const items = [...Array.from({ length: index }, () => filler), body];
        const batch = await s.request('/batch', { body: { items } });
        assert.equal(batch.status, 200, batch.text);
        const item = batch.json.results[index];
        assert.equal(item.index, index);
        if (single.status === 400) {
          assert.equal(item.ok, false);
          assert.deepEqual(
            item.error.issues.map((i: { msg: string }) => i.msg),
            single.json.detail.map((i: { msg: string }) => i.msg),
          );
          return;
        }
        assert.equal(single.status, 200, single.text);
        assert.equal(item.ok, true, JSON.stringify(item));
        const monteCarlo = (body.model as { family: string }).family === 'monte_carlo';
        const prefix = (body.model as { params?: { seed_prefix?: string } }).params?.seed_prefix;
        const expectedLineage =
          prefix === undefined
            ? `${single.json.seed_lineage.split(':')[0]}:${index}`
            : `${prefix.toUpperCase()}:${index}`;
        assert.equal(item.value.seed_lineage, expectedLineage);
        if (!monteCarlo || index === 0) assert.deepEqual(numbersOf(item.value), numbersOf(single.json));
        const replay = await s.request(`/replay/${item.value.capsule_id}`, { body: {} });
        assert.equal(replay.status, 200, replay.text);
        assert.equal(replay.json.verified, true);
        assert.deepEqual(numbersOf(replay.json), numbersOf(item.value));
      }),
      { numRuns: 40, seed: 20261207 },
    );
  });
});
