import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { anyKindOfValue, postRaw, setAt, toJson, type FieldPath } from './fuzz-support.js';
import { pricingRequest, startServer } from './support.js';
import type { TestServer } from './support.js';

/**
 * Malformed and hostile bodies through a real listening server: whatever the client sends, the answer is a
 * 4xx naming the problem (or a 200 when the mutation happened to stay valid), never a 5xx, and the process
 * stays healthy. The seed of every run is printed by fast-check on failure, so a failure replays exactly.
 */

const RUNS = 2000;
const ALLOWED = new Set([200, 400, 413, 415, 422]);
const PATHS = [
  '/api/v1/pricing/single',
  '/api/v1/pricing/batch',
  '/api/v1/risk/aggregate-greeks',
  '/api/v1/implied-volatility',
];

const FIELD_PATHS: FieldPath[] = [
  ['contracts'],
  ['contracts', 0],
  ['contracts', 0, 'symbol'],
  ['contracts', 0, 'strike_price'],
  ['contracts', 0, 'time_to_expiry'],
  ['contracts', 0, 'option_type'],
  ['contracts', 0, 'exercise_style'],
  ['contracts', 0, 'quantity'],
  ['market_data'],
  ['market_data', 'spot_price'],
  ['market_data', 'risk_free_rate'],
  ['market_data', 'dividend_yield'],
  ['market_data', 'volatility'],
  ['model'],
  ['calculate_greeks'],
  ['seed'],
  ['quotes'],
  ['quotes', 0, 'price'],
  ['quotes', 0, 'contract'],
  ['__proto__'],
  ['constructor'],
];

const MODEL_LIKE = ['monte_carlo_20k', 'binomial_200', 'bjerksund_stensland'] as const;

const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    'NaN',
    'Infinity',
    '-Infinity',
    '1e999',
    '',
    ' ',
    '0',
    '-0',
    '42',
    'true',
    'null',
    '\u0000',
    '💥'.repeat(5),
    'ß'.repeat(15),
    '\u202e',
    'american',
    'call',
  ),
  fc.constantFrom(
    1e308,
    -1e308,
    5e-324,
    -0,
    0,
    -1,
    1,
    0.5,
    1e9,
    1e9 + 1,
    50,
    50.000001,
    2 ** 53 + 1,
    2 ** 63,
    Number.MAX_SAFE_INTEGER,
    -Number.MAX_VALUE,
  ),
  fc.string({ maxLength: 300 }),
  fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 8 }),
  fc.constantFrom(...MODEL_LIKE),
  anyKindOfValue,
);

const validBodies = [
  pricingRequest(),
  {
    market_data: { spot_price: 100, risk_free_rate: 0.05 },
    quotes: [{ contract: { symbol: 'ABC', strike_price: 100, time_to_expiry: 1, option_type: 'call' }, price: 10.45 }],
  },
];

const mutated: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom(...validBodies),
    fc.array(fc.tuple(fc.constantFrom(...FIELD_PATHS), hostileValue), { minLength: 1, maxLength: 4 }),
  )
  .map(([base, edits]) => toJson(edits.reduce<unknown>((body, [path, value]) => setAt(body, path, value), base)));

const nested: fc.Arbitrary<string> = fc
  .tuple(fc.integer({ min: 1, max: 20_000 }), fc.constantFrom('[', '{"a":'), fc.boolean())
  .map(([depth, open, wrap]) => {
    const close = open === '[' ? ']' : '}';
    const deep = open.repeat(depth) + '1' + close.repeat(depth);
    return wrap ? toJson(pricingRequest()).replace(/}$/, `,"extra":${deep}}`) : deep;
  });

const rawText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.json({ maxDepth: 4 }),
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
  fc.nat({ max: 400 }).map((n) => toJson(pricingRequest()).slice(0, n)),
  fc.constantFrom(
    '{"__proto__":{"polluted":true}}',
    '{"constructor":{"prototype":{"polluted":true}}}',
    '{"seed":1e999999}',
    '{"seed":-0}',
    `{"seed":${'9'.repeat(5000)}}`,
    toJson(pricingRequest()).replace(/}$/, ',"seed":18446744073709551616}'),
    toJson(pricingRequest()).replace('"ABC"', '"\\ud800"'),
    toJson(pricingRequest()).replace('100', '1'.repeat(400)),
    toJson(pricingRequest()).replace('"black_scholes"', `"${'x'.repeat(40_000)}"`),
    '\ufeff{}',
    '[]',
    '""',
    '0',
  ),
);

/** Extreme but schema-valid numbers (docs/numerics.md, "Input domain"): T and volatility down to the smallest double. */
const MODELS = [
  'black_scholes',
  'binomial_200',
  'monte_carlo_20k',
  'leisen_reimer',
  'barone_adesi_whaley',
  'bjerksund_stensland',
  'bjerksund_stensland_1993',
] as const;
const tiny = (max: number): fc.Arbitrary<number> =>
  fc.oneof(
    fc.constantFrom(5e-324, 1e-320, 1e-300, 1e-161, 1e-100, 1e-20, 1e-12, 1e-8, 1e-6, 1e-4, max),
    fc.double({ min: 5e-324, max, noNaN: true }).filter((v) => v > 0),
  );
const extremeContract = fc.record({
  symbol: fc.constant('X'),
  strike_price: fc.oneof(fc.constantFrom(1e-300, 1e-158, 1e-50, 1, 1e9, 1e300), tiny(1e9)),
  time_to_expiry: tiny(50),
  option_type: fc.constantFrom('call', 'put'),
  exercise_style: fc.constantFrom('european', 'american'),
  quantity: fc.constantFrom(1, 1_000_000),
});
const extremeMarket = fc.record({
  spot_price: fc.oneof(fc.constantFrom(1e-300, 1e-158, 1e-50, 1, 1e9), tiny(1e9)),
  risk_free_rate: fc.oneof(fc.constantFrom(-1, -5e-324, 0, 5e-324, 1), fc.double({ min: -1, max: 1, noNaN: true })),
  dividend_yield: fc.oneof(fc.constantFrom(0, 5e-324, 1), fc.double({ min: 0, max: 1, noNaN: true })),
  volatility: tiny(5),
});
const extremeRequest: fc.Arbitrary<{ path: string; body: Record<string, unknown>; greeks: boolean }> = fc.oneof(
  fc
    .record({
      path: fc.constantFrom('/api/v1/pricing/single', '/api/v1/pricing/batch', '/api/v1/risk/aggregate-greeks'),
      contracts: fc.array(extremeContract, { minLength: 1, maxLength: 3 }),
      market_data: extremeMarket,
      model: fc.constantFrom(...MODELS),
      calculate_greeks: fc.boolean(),
    })
    .map(({ path, contracts, market_data, model, calculate_greeks }) => ({
      path,
      body: {
        contracts: path.endsWith('single') ? contracts.slice(0, 1) : contracts,
        market_data,
        model,
        calculate_greeks,
        seed: 7,
      },
      greeks: calculate_greeks,
    })),
  fc
    .record({
      contract: extremeContract,
      market: extremeMarket,
      price: fc.oneof(fc.constantFrom(0, 5e-324, 1e-300, 1, 1e9), tiny(1e9)),
    })
    .map(({ contract, market, price }) => {
      const { volatility: _ignored, ...market_data } = market;
      return {
        path: '/api/v1/implied-volatility',
        body: { market_data, quotes: [{ contract, price }] },
        greeks: false,
      };
    }),
);

/** Every pricing result without an error has its numbers; no number anywhere is missing for a non-finite one. */
function assertAllNumbersPresent(json: unknown, greeks: boolean, where: string): void {
  const portfolio =
    (json as { portfolio_greeks?: Record<string, unknown> }).portfolio_greeks ??
    (Array.isArray((json as { results?: unknown }).results) ? {} : json);
  for (const [name, value] of Object.entries(portfolio as Record<string, unknown>)) {
    if (['delta', 'gamma', 'theta', 'vega', 'rho', 'total_value', 'total_vega_exposure'].includes(name))
      assert.equal(typeof value, 'number', `${where}: portfolio ${name}`);
  }
  const results = (json as { results?: unknown[] }).results;
  if (!Array.isArray(results)) return;
  for (const result of results as Record<string, unknown>[]) {
    if (result.error !== null) continue;
    const fields =
      'implied_volatility' in result && !('theoretical_price' in result)
        ? ['implied_volatility']
        : ['theoretical_price', ...(greeks ? ['delta', 'gamma', 'theta', 'vega', 'rho'] : [])];
    for (const field of fields)
      assert.equal(typeof result[field], 'number', `${where}: ${field} = ${String(result[field])} with error null`);
  }
}

const bodies: fc.Arbitrary<string> = fc.oneof(
  { weight: 5, arbitrary: mutated },
  { weight: 1, arbitrary: nested },
  { weight: 3, arbitrary: rawText },
);

describe('hostile bodies through a real listening server', () => {
  let server: TestServer;
  let token: string;
  before(async () => {
    server = await startServer({ env: { OPE_THREAD_TASK_TIMEOUT_SECONDS: '30' } });
    token = await server.token();
  });
  after(async () => {
    await server.close();
  });

  it(`answers ${RUNS} malformed and hostile bodies with 4xx (or 200), never 5xx, and stays healthy`, async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...PATHS), bodies, async (path, body) => {
        const response = await postRaw(server.url + path, token, body, statuses);
        const text = response.text;
        assert.ok(
          ALLOWED.has(response.status),
          `${path} answered ${response.status}: ${text.slice(0, 300)}\nbody: ${body.slice(0, 300)}`,
        );
        const json = JSON.parse(text) as Record<string, unknown>;
        if (response.status !== 200) {
          assert.equal(json.request_id, response.headers.get('x-request-id'));
          assert.ok(typeof json.detail === 'string' || Array.isArray(json.detail));
        }
        if (response.status === 422) {
          for (const issue of json.detail as { loc: unknown[] }[]) assert.equal(issue.loc[0], 'body');
        }
      }),
      { numRuns: RUNS },
    );
    assert.ok(({} as Record<string, unknown>).polluted === undefined, 'Object.prototype was polluted');
    const health = await fetch(server.url + '/healthz');
    assert.equal(health.status, 200);
    const priced = await server.request('/api/v1/pricing/single', { body: pricingRequest() });
    assert.equal(priced.status, 200);
    const errors = /ope_request_errors_total\{[^}]*\} [1-9]/.exec(
      (await server.request('/metrics', { token: null })).text,
    );
    assert.equal(errors, null, 'a 5xx was counted');
    // Most bodies must be refused: a generator that produced only valid bodies would test nothing.
    const refused = [...statuses].filter(([s]) => s !== 200).reduce((n, [, c]) => n + c, 0);
    assert.ok(refused > RUNS / 2, JSON.stringify([...statuses]));
  });

  it('answers extreme but schema-valid numbers for every model without a 5xx or a non-finite number in any body', async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(extremeRequest, async ({ path, body, greeks }) => {
        const response = await postRaw(server.url + path, token, JSON.stringify(body), statuses);
        const text = response.text;
        const where = `${path} ${JSON.stringify(body)} -> ${response.status} ${text.slice(0, 400)}`;
        assert.ok(ALLOWED.has(response.status), where);
        // JSON has no NaN or Infinity: a serializer writes them as null (or fails with a 500), so look for nulls.
        const json = JSON.parse(text) as unknown;
        if (response.status === 200) assertAllNumbersPresent(json, greeks && !path.includes('risk'), where);
      }),
      { numRuns: 400 },
    );
    assert.ok((statuses.get(200) ?? 0) > 0, JSON.stringify([...statuses]));
    const errors = /ope_request_errors_total\{[^}]*\} [1-9]/.exec(
      (await server.request('/metrics', { token: null })).text,
    );
    assert.equal(errors, null, 'a 5xx was counted');
  });
});
