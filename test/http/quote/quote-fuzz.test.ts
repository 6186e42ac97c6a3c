import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { anyKindOfValue, DELETE, postRaw, setAt, toJson, type FieldPath } from '../fuzz-support.js';
import { startServer, type TestServer } from '../support.js';
import { quoteRequest } from './quote-support.js';

/**
 * Malformed and hostile bodies on the quote API's routes (/quote, /greeks, /batch, /replay) through a real
 * listening server: the answer is a 4xx naming the problem (or a 200 when a mutation stayed valid), never a
 * 5xx, and the process stays healthy. A failure prints fast-check's seed, so it replays exactly.
 */

const RUNS = Number(process.env.OPE_QUOTE_FUZZ_RUNS ?? 600);
const ALLOWED = new Set([200, 400, 404, 409, 413, 414, 415, 422, 429]);

const FIELD_PATHS: FieldPath[] = [
  [],
  ['contract'],
  ['contract', 'symbol'],
  ['contract', 'strike_price'],
  ['contract', 'time_to_expiry'],
  ['contract', 'option_type'],
  ['contract', 'exercise_style'],
  ['market'],
  ['market', 'spot_price'],
  ['market', 'risk_free_rate'],
  ['market', 'dividend_yield'],
  ['volatility'],
  ['surface'],
  ['model'],
  ['model', 'family'],
  ['model', 'params'],
  ['model', 'params', 'paths'],
  ['model', 'params', 'steps'],
  ['model', 'params', 'seed_prefix'],
  ['model', 'params', 'antithetic'],
  ['model', 'params', 'use_cv'],
  ['model', 'params', 'use_qmc'],
  ['precision'],
  ['precision', 'target_ci_bps'],
  ['precision', 'max_paths'],
  ['greeks'],
  ['greeks', 'delta'],
  ['greeks', 'vega'],
  ['idempotency_key'],
  ['__proto__'],
  ['constructor'],
];

const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom('NaN', 'Infinity', '1e999', '', ' ', '0', '-0', '42', 'true', 'null', '\u0000', '💥💥', '\u202e'),
  fc.constantFrom('monte_carlo', 'binomial', 'leisen_reimer', 'black_scholes', 'american', 'put', 'PUT'),
  fc.constantFrom(1e308, -1e308, 5e-324, -0, 0, -1, 1, 0.5, 1e9, 2 ** 53 + 1, 2 ** 63, 1e6, 100_000_000),
  anyKindOfValue,
);

const validQuotes = [
  quoteRequest(),
  quoteRequest({ model: { family: 'monte_carlo', params: { paths: 2000, use_cv: true } }, greeks: { delta: true } }),
  quoteRequest({
    contract: { symbol: 'XYZ', strike_price: 95, time_to_expiry: 1, option_type: 'put', exercise_style: 'american' },
    model: { family: 'binomial', params: { steps: 50 } },
  }),
];

const mutatedQuote: fc.Arbitrary<unknown> = fc
  .tuple(
    fc.constantFrom(...validQuotes),
    fc.array(fc.tuple(fc.constantFrom(...FIELD_PATHS), hostileValue), { minLength: 1, maxLength: 3 }),
  )
  .map(([base, edits]) => edits.reduce<unknown>((body, [path, value]) => setAt(body, path, value), base));

const request: fc.Arbitrary<{ path: string; body: string }> = fc.oneof(
  fc.record({ path: fc.constantFrom('/quote', '/greeks'), body: mutatedQuote.map(toJson) }),
  fc.record({
    path: fc.constant('/batch'),
    body: fc
      .tuple(fc.array(mutatedQuote, { minLength: 0, maxLength: 4 }), fc.option(hostileValue, { nil: undefined }))
      .map(([items, greeksDefault]) =>
        toJson(greeksDefault === undefined ? { items } : { items, greeks_default: greeksDefault }),
      ),
  }),
  fc.record({
    path: fc.constantFrom('/replay/' + 'a'.repeat(64), '/replay/x', '/replay/%00', '/replay/' + 'f'.repeat(200)),
    body: fc.oneof(
      fc.constant('{}'),
      hostileValue.map((v) => toJson(v === DELETE ? {} : v)),
    ),
  }),
  fc.record({
    path: fc.constantFrom('/quote', '/batch'),
    body: fc.oneof(fc.string({ maxLength: 200 }), fc.constantFrom('', '[', '{', '{"items":', 'null', '[]', '"x"')),
  }),
);

// Inside the schema: the quote API bounds neither strike nor spot above, nor the expiry, so the largest doubles
// are valid input, as are the smallest.
const anyPositive = (special: number[]) =>
  fc.oneof(fc.double({ min: Number.MIN_VALUE, max: 1e12, noNaN: true }), fc.constantFrom(...special));
const EXTREMES = [5e-324, 1e-300, 1e-9, 1, 100, 1e9, 1e300, Number.MAX_VALUE];
const extremeQuote = fc.record({
  contract: fc.record({
    symbol: fc.constant('ABC'),
    strike_price: anyPositive(EXTREMES),
    time_to_expiry: fc.oneof(
      fc.double({ min: 1e-6, max: 1e6, noNaN: true }),
      fc.constantFrom(1e-6, 0.5, 50, 1e300, Number.MAX_VALUE),
    ),
    option_type: fc.constantFrom('call', 'put'),
    exercise_style: fc.constantFrom('european', 'american'),
  }),
  market: fc.record({
    spot_price: anyPositive(EXTREMES),
    risk_free_rate: fc.oneof(fc.double({ min: -0.5, max: 1, noNaN: true }), fc.constantFrom(-0.5, 0, 1)),
    dividend_yield: fc.oneof(fc.double({ min: -0.5, max: 1, noNaN: true }), fc.constantFrom(-0.5, 0, 1)),
  }),
  volatility: fc.oneof(fc.double({ min: 1.0000001e-5, max: 5, noNaN: true }), fc.constantFrom(1.0000001e-5, 5)),
  model: fc.oneof(
    fc.constant({ family: 'black_scholes' }),
    fc.record({
      family: fc.constantFrom('binomial', 'leisen_reimer'),
      params: fc.record({ steps: fc.integer({ min: 10, max: 60 }) }),
    }),
    fc.constant({ family: 'barone_adesi_whaley' }),
    fc.constant({ family: 'bjerksund_stensland' }),
    fc.record({
      family: fc.constant('monte_carlo'),
      params: fc.record(
        { paths: fc.constantFrom(1000, 2000), use_cv: fc.boolean(), use_qmc: fc.boolean(), steps: fc.constant(10) },
        { requiredKeys: ['paths'] },
      ),
    }),
  ),
  greeks: fc.constant({ delta: true, gamma: true, vega: true, theta: true, rho: true }),
});

/** Every number in a JSON value, with its path. */
function numbersIn(value: unknown, path = '$'): [string, unknown][] {
  if (Array.isArray(value)) return value.flatMap((v, i) => numbersIn(v, `${path}[${i}]`));
  if (typeof value === 'object' && value !== null)
    return Object.entries(value).flatMap(([k, v]) => numbersIn(v, `${path}.${k}`));
  return typeof value === 'number' || value === null ? [[path, value]] : [];
}

describe('hostile bodies on the quote API through a real listening server', () => {
  let server: TestServer;
  let token: string;
  before(async () => {
    server = await startServer({ env: { OPE_THREAD_TASK_TIMEOUT_SECONDS: '30' } });
    token = await server.token(['pricing:read']);
  });
  after(async () => {
    await server.close();
  });

  it(`answers ${RUNS} malformed and hostile requests with 4xx (or 200), never 5xx, and stays healthy`, async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(request, async ({ path, body }) => {
        const response = await postRaw(server.url + path, token, body, statuses);
        const text = response.text;
        assert.ok(
          ALLOWED.has(response.status),
          `${path} answered ${response.status}: ${text.slice(0, 400)}\nbody: ${body.slice(0, 400)}`,
        );
        JSON.parse(text);
      }),
      { numRuns: RUNS },
    );
    const health = await fetch(server.url + '/healthz');
    assert.equal(health.status, 200);
    const priced = await server.request('/quote', { token, body: quoteRequest() });
    assert.equal(priced.status, 200);
    // Most requests must be refused, and some must price: a generator that made only valid bodies, or only
    // unreadable ones, would test little.
    const refused = [...statuses].filter(([s]) => s !== 200).reduce((n, [, c]) => n + c, 0);
    assert.ok(refused > RUNS / 2 && (statuses.get(200) ?? 0) > 0, JSON.stringify([...statuses]));
    const errors = /ope_request_errors_total\{[^}]*\} [1-9]/.exec(
      (await server.request('/metrics', { token: null })).text,
    );
    assert.equal(errors, null, 'a 5xx was counted');
  });

  it('answers extreme but schema-valid quotes of every family with 200 and finite numbers, or 400 naming why', async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(extremeQuote, async (quote) => {
        const response = await postRaw(server.url + '/quote', token, JSON.stringify(quote), statuses);
        const text = response.text;
        const where = `${response.status} ${text.slice(0, 300)} for ${JSON.stringify(quote)}`;
        assert.ok(response.status === 200 || response.status === 400, where);
        // JSON has no Infinity or NaN: a null where the schema has a number is how one would show.
        if (response.status === 200)
          for (const [path, value] of numbersIn(JSON.parse(text)))
            assert.ok(value === null ? path === '$.ci.half_width_bps' : Number.isFinite(value), `${path}: ${where}`);
      }),
      { numRuns: Math.ceil(RUNS / 2) },
    );
    assert.ok((statuses.get(200) ?? 0) > 0 && (statuses.get(400) ?? 0) > 0, JSON.stringify([...statuses]));
  });

  it('answers 400, not 500, for Monte Carlo quotes whose standard error or interval overflows a double', async () => {
    // Found by the property above: payoffs near 1e300 are finite, their squares are not (the tunable estimator);
    // a standard error near the largest double is finite, 1.96 times it is not (the v1 kernel's path).
    const greeks = { delta: true, gamma: true, vega: true, theta: true, rho: true };
    const cases = [
      {
        contract: { symbol: 'ABC', strike_price: 1e300, time_to_expiry: 1e-6, option_type: 'put' },
        market: { spot_price: 6.5648e-319, risk_free_rate: 0, dividend_yield: -0.5 },
        volatility: 0.00752598345788836,
        model: { family: 'monte_carlo', params: { paths: 1000, use_qmc: true } },
        greeks,
      },
      {
        contract: { symbol: 'ABC', strike_price: 5e-324, time_to_expiry: 59.61065752815529, option_type: 'call' },
        market: { spot_price: Number.MAX_VALUE, risk_free_rate: 0, dividend_yield: 0 },
        volatility: 5,
        model: { family: 'monte_carlo', params: { paths: 1000 } },
        greeks,
      },
    ];
    for (const body of cases) {
      const response = await server.request('/quote', { token, body });
      assert.equal(response.status, 400, response.text);
      assert.match(response.text, /non-finite/);
    }
  });
});
