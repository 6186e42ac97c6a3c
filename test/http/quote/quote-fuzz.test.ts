import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { startServer, type TestServer } from '../support.js';
import { quoteRequest } from './quote-support.js';

/**
 * Malformed and hostile bodies on the quote API's routes (/quote, /greeks, /batch, /replay) through a real
 * listening server: the answer is a 4xx naming the problem (or a 200 when a mutation stayed valid), never a
 * 5xx, and the process stays healthy. A failure prints fast-check's seed, so it replays exactly.
 */

const RUNS = Number(process.env.OPE_QUOTE_FUZZ_RUNS ?? 600);
const ALLOWED = new Set([200, 400, 404, 409, 413, 414, 415, 422, 429]);

type Path = (string | number)[];
const FIELD_PATHS: Path[] = [
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

const DELETE = Symbol('delete');

const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom('NaN', 'Infinity', '1e999', '', ' ', '0', '-0', '42', 'true', 'null', '\u0000', '💥💥', '\u202e'),
  fc.constantFrom('monte_carlo', 'binomial', 'leisen_reimer', 'black_scholes', 'american', 'put', 'PUT'),
  fc.constantFrom(1e308, -1e308, 5e-324, -0, 0, -1, 1, 0.5, 1e9, 2 ** 53 + 1, 2 ** 63, 1e6, 100_000_000),
  fc.double(),
  fc.integer(),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }),
  fc.boolean(),
  fc.constant(null),
  fc.constant(DELETE),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 6 }),
  fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 }),
);

function setAt(target: unknown, path: Path, value: unknown): unknown {
  if (path.length === 0) return value === DELETE ? {} : value;
  if (typeof target !== 'object' || target === null) return target;
  const root = structuredClone(target) as Record<string | number, unknown>;
  let node: Record<string | number, unknown> = root;
  for (let i = 0; i < path.length - 1; i += 1) {
    const next = node[path[i]!];
    if (typeof next !== 'object' || next === null) return root;
    node = next as Record<string | number, unknown>;
  }
  const key = path[path.length - 1]!;
  if (value === DELETE) delete node[key];
  else Object.defineProperty(node, key, { value, enumerable: true, configurable: true, writable: true });
  return root;
}

function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `__BIG${v.toString()}__` : v)).replace(
    /"__BIG(-?\d+)__"/g,
    '$1',
  );
}

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
        const response = await fetch(server.url + path, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body,
        });
        const text = await response.text();
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
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
});
