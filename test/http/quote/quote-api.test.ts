import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DocumentStore } from '../../../src/store/document-store.js';
import { MemoryDocumentStore } from '../../../src/store/memory-document-store.js';
import { canonicalJson } from '../../../src/http/canonical-json.js';
import { sha256Hex } from '../../../src/http/quote/hashing.js';
import { pricingRequest, startServer, type TestServer } from '../support.js';
import { numbersOf, quoteRequest } from './quote-support.js';

/**
 * The quote API end to end over a real listener (docs/api.md, "Quote API"): one test per rule of the wire contract.
 */

const HEX64 = /^[0-9a-f]{64}$/;

describe('quote API over HTTP', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer({ env: { OPE_BUILD_ID: 'build-a' } });
  });
  after(async () => s.close());

  describe('routes, scopes and canonical bodies', () => {
    it('POST /quote needs a token with pricing:read', async () => {
      assert.equal((await s.request('/quote', { body: quoteRequest(), token: null })).status, 401);
      assert.equal((await s.request('/quote', { body: quoteRequest(), scopes: ['risk:read'] })).status, 403);
      assert.equal((await s.request('/quote', { body: quoteRequest(), scopes: ['pricing:read'] })).status, 200);
    });

    it('answers canonical JSON: sorted keys, no spaces', async () => {
      const r = await s.request('/quote', { body: quoteRequest() });
      assert.equal(r.status, 200);
      assert.equal(r.text, canonicalJson(r.json));
      assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
    });

    it('GET /version needs no token and tells the truth about the Monte Carlo flags', async () => {
      const r = await s.request('/version', { token: null });
      assert.equal(r.status, 200);
      assert.equal(r.json.build_id, 'build-a');
      assert.deepEqual(r.json.flags, { qmc: true, cv: true, stratified: false });
      assert.equal(typeof r.json.library_versions.fastify, 'string');
      assert.match(r.json.sbom_hash, HEX64);
      assert.equal(typeof r.json.baseline_tag, 'string');
    });

    it('/greeks answers only greeks, capsule_id and model_used', async () => {
      const r = await s.request('/greeks', { body: quoteRequest() });
      assert.equal(r.status, 200);
      assert.deepEqual(Object.keys(r.json).sort(), ['capsule_id', 'greeks', 'model_used']);
      const q = await s.request('/quote', { body: quoteRequest() });
      assert.deepEqual(r.json.greeks, q.json.greeks);
      assert.equal(r.json.capsule_id, q.json.capsule_id);
    });

    it('the routes are in the OpenAPI document with named schemas', async () => {
      const r = await s.request('/openapi.json', { token: null });
      for (const path of ['/quote', '/batch', '/greeks', '/version', '/replay/{capsule_id}'])
        assert.ok(r.json.paths[path], path);
      for (const name of [
        'QuoteRequest',
        'QuoteResponse',
        'BatchRequest',
        'BatchResponse',
        'ReplayResponse',
        'VersionResponse',
      ]) {
        assert.ok(r.json.components.schemas[name], name);
      }
      assert.ok(r.json.components.schemas.QuoteRequest.examples.length > 0);
    });

    it('the quote routes draw on the v1 rate-limit budget', async () => {
      const limited = await startServer({ env: { RATE_LIMIT_DEFAULT: '2/minute' } });
      try {
        const token = await limited.token();
        const codes = [];
        for (let i = 0; i < 3; i++)
          codes.push((await limited.request('/quote', { body: quoteRequest(), token })).status);
        assert.deepEqual(codes, [200, 200, 429]);
        assert.equal((await limited.request('/version', { token: null })).status, 200);
      } finally {
        await limited.close();
      }
    });
  });

  describe('QuoteRequest fields', () => {
    const cases: [string, Record<string, unknown>, (string | number)[]][] = [
      [
        'strike_price 0',
        { contract: { symbol: 'A', strike_price: 0, time_to_expiry: 1, option_type: 'call' } },
        ['body', 'contract', 'strike_price'],
      ],
      [
        'time_to_expiry under 1e-6',
        { contract: { symbol: 'A', strike_price: 100, time_to_expiry: 5e-7, option_type: 'call' } },
        ['body', 'contract', 'time_to_expiry'],
      ],
      [
        'option_type other',
        { contract: { symbol: 'A', strike_price: 100, time_to_expiry: 1, option_type: 'straddle' } },
        ['body', 'contract', 'option_type'],
      ],
      ['spot_price 0', { market: { spot_price: 0, risk_free_rate: 0.01 } }, ['body', 'market', 'spot_price']],
      [
        'risk_free_rate under -0.5',
        { market: { spot_price: 100, risk_free_rate: -0.6 } },
        ['body', 'market', 'risk_free_rate'],
      ],
      [
        'dividend_yield over 1',
        { market: { spot_price: 100, risk_free_rate: 0.01, dividend_yield: 1.5 } },
        ['body', 'market', 'dividend_yield'],
      ],
      ['volatility 1e-5', { volatility: 1e-5 }, ['body', 'volatility']],
      ['volatility over 5', { volatility: 5.01 }, ['body', 'volatility']],
      ['unknown family', { model: { family: 'heston' } }, ['body', 'model', 'family']],
      [
        'paths under 1,000',
        { model: { family: 'monte_carlo', params: { paths: 999 } } },
        ['body', 'model', 'params', 'paths'],
      ],
      [
        'paths over 1,000,000',
        { model: { family: 'monte_carlo', params: { paths: 1_000_001 } } },
        ['body', 'model', 'params', 'paths'],
      ],
      ['steps under 10', { model: { family: 'binomial', params: { steps: 9 } } }, ['body', 'model', 'params', 'steps']],
      [
        'steps over 10,000',
        { model: { family: 'binomial', params: { steps: 10_001 } } },
        ['body', 'model', 'params', 'steps'],
      ],
      [
        'target_ci_bps 0',
        { model: { family: 'monte_carlo' }, precision: { target_ci_bps: 0 } },
        ['body', 'precision', 'target_ci_bps'],
      ],
      ['max_paths under 1,000', { precision: { max_paths: 10 } }, ['body', 'precision', 'max_paths']],
    ];
    for (const [name, override, loc] of cases) {
      it(`refuses ${name} with 422 naming the field`, async () => {
        const r = await s.request('/quote', { body: quoteRequest(override) });
        assert.equal(r.status, 422, r.text);
        assert.ok(
          r.json.detail.some((d: { loc: unknown[] }) => canonicalJson(d.loc) === canonicalJson(loc)),
          r.text,
        );
      });
    }

    it('a number too large for a double (1e400 reads as Infinity) is a 422, alone in a batch too', async () => {
      const text = JSON.stringify(quoteRequest()).replace('"strike_price":100', '"strike_price":1e400');
      const r = await s.request('/quote', { body: text });
      assert.equal(r.status, 422, r.text);
      assert.deepEqual(r.json.detail[0].loc, ['body', 'contract', 'strike_price']);
      const batch = await s.request('/batch', { body: `{"items":[${JSON.stringify(quoteRequest())},${text}]}` });
      assert.equal(batch.status, 200, batch.text);
      assert.equal(batch.json.results[0].ok, true);
      assert.deepEqual(batch.json.results[1].error.issues[0].loc, ['body', 'items', 1, 'contract', 'strike_price']);
    });

    it('accepts the bounds themselves and option_type in any case', async () => {
      const r = await s.request('/quote', {
        body: quoteRequest({
          contract: {
            symbol: 'A',
            strike_price: 100,
            time_to_expiry: 1e-6,
            option_type: 'PuT',
            exercise_style: 'european',
          },
          market: { spot_price: 90, risk_free_rate: -0.5, dividend_yield: 1 },
          volatility: 5,
        }),
      });
      assert.equal(r.status, 200, r.text);
      // A put 10 in the money a moment before expiry: worth about its intrinsic value, never a price of 0.
      assert.ok(Math.abs(r.json.theoretical_price - 10) < 0.05, r.text);
    });

    it('defaults: european, dividend 0, black_scholes, all five greeks', async () => {
      const bare = await s.request('/quote', { body: quoteRequest() });
      const spelled = await s.request('/quote', {
        body: quoteRequest({
          contract: {
            symbol: 'ABC',
            strike_price: 100,
            time_to_expiry: 0.5,
            option_type: 'CALL',
            exercise_style: 'european',
          },
          market: { spot_price: 102, risk_free_rate: 0.01, dividend_yield: 0 },
          model: { family: 'black_scholes' },
          greeks: { delta: true, gamma: true, vega: true, theta: true, rho: true },
        }),
      });
      assert.equal(bare.text, spelled.text);
      assert.deepEqual(Object.keys(bare.json.greeks).sort(), ['delta', 'gamma', 'rho', 'theta', 'vega']);
      assert.deepEqual(bare.json.model_used, { family: 'black_scholes', params: {} });
    });

    it('greeks selects which greeks come back', async () => {
      const r = await s.request('/quote', { body: quoteRequest({ greeks: { delta: true, vega: true, rho: false } }) });
      assert.deepEqual(Object.keys(r.json.greeks).sort(), ['delta', 'vega']);
      const none = await s.request('/quote', { body: quoteRequest({ greeks: {} }) });
      assert.deepEqual(none.json.greeks, {});
    });

    it('every model family prices, with its parameters in model_used', async () => {
      const american = {
        symbol: 'ABC',
        strike_price: 100,
        time_to_expiry: 0.5,
        option_type: 'put',
        exercise_style: 'american',
      };
      const expected: [Record<string, unknown>, Record<string, unknown>, Record<string, unknown>?][] = [
        [{ family: 'binomial' }, { steps: 200 }],
        [{ family: 'binomial', params: { steps: 10 } }, { steps: 10 }],
        [{ family: 'binomial', params: { steps: 10_000 } }, { steps: 10_000 }, american],
        [{ family: 'leisen_reimer' }, { steps: 201 }, american],
        [{ family: 'barone_adesi_whaley' }, {}, american],
        [{ family: 'bjerksund_stensland' }, {}, american],
        [{ family: 'monte_carlo' }, { paths: 20_000, antithetic: true, use_cv: false, use_qmc: false }],
      ];
      for (const [model, params, contract] of expected) {
        const r = await s.request('/quote', { body: quoteRequest({ model, ...(contract ? { contract } : {}) }) });
        assert.equal(r.status, 200, r.text);
        assert.deepEqual(r.json.model_used, { family: model.family, params });
        assert.ok(r.json.theoretical_price > 0);
      }
      // Trees with their own step count and Monte Carlo with its own paths are timed under the family's name,
      // not as binomial_200 or monte_carlo_20k.
      const latency = await s.metrics.registry.getSingleMetricAsString('ope_model_latency_seconds');
      for (const family of ['binomial', 'leisen_reimer', 'monte_carlo'])
        assert.match(latency, new RegExp(`ope_model_latency_seconds_count\\{model="${family}"\\} [1-9]`), family);
    });

    it('binomial with more steps converges on Black-Scholes', async () => {
      const bs = (await s.request('/quote', { body: quoteRequest() })).json.theoretical_price;
      const coarse = (
        await s.request('/quote', { body: quoteRequest({ model: { family: 'binomial', params: { steps: 10 } } }) })
      ).json.theoretical_price;
      const fine = (
        await s.request('/quote', { body: quoteRequest({ model: { family: 'binomial', params: { steps: 2000 } } }) })
      ).json.theoretical_price;
      assert.ok(Math.abs(fine - bs) < Math.abs(coarse - bs) && Math.abs(fine - bs) < 2e-3, `${coarse} ${fine} ${bs}`);
    });

    it('monte_carlo reports its interval: half-widths, paths_used, vr_pipeline', async () => {
      const r = await s.request('/quote', {
        body: quoteRequest({ model: { family: 'monte_carlo', params: { paths: 4000 } } }),
      });
      const ci = r.json.ci;
      assert.equal(ci.paths_used, 4000);
      assert.equal(ci.vr_pipeline, 'antithetic');
      assert.ok(ci.half_width_abs > 0);
      assert.equal(ci.half_width_bps, (ci.half_width_abs / r.json.theoretical_price) * 10_000);
      assert.deepEqual(r.json.greeks_meta.delta, { method: 'pathwise', paths_used: 4000 });
      assert.deepEqual(Object.keys(r.json.greeks_meta).sort(), ['delta', 'gamma', 'rho', 'theta', 'vega']);
      // Default options take the v1 kernel path, which estimates no greek standard errors (docs/api.md, "The kernel
      // path"); ci_greeks from the tunable estimator are tested in quote-monte-carlo.test.ts.
      assert.equal(r.json.ci_greeks, undefined);
    });

    it('precision.target_ci_bps adds paths until the target is met, and says so', async () => {
      const r = await s.request('/quote', {
        body: quoteRequest({
          model: { family: 'monte_carlo', params: { paths: 2000 } },
          precision: { target_ci_bps: 100 },
        }),
      });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.ci.target_met, true);
      assert.ok(r.json.ci.half_width_bps <= 100);
      assert.ok(r.json.ci.paths_used > 2000);
      const capped = await s.request('/quote', {
        body: quoteRequest({
          model: { family: 'monte_carlo', params: { paths: 2000 } },
          precision: { target_ci_bps: 1, max_paths: 8000 },
        }),
      });
      assert.equal(capped.json.ci.target_met, false);
      assert.equal(capped.json.ci.paths_used, 8000);
    });

    it('refuses with 400 naming the field what this build cannot honour (options Longstaff-Schwartz cannot combine)', async () => {
      const cases: [Record<string, unknown>, (string | number)[]][] = [
        [
          {
            model: { family: 'monte_carlo', params: { use_cv: true } },
            contract: {
              symbol: 'A',
              strike_price: 100,
              time_to_expiry: 1,
              option_type: 'put',
              exercise_style: 'american',
            },
          },
          ['body', 'model', 'params', 'use_cv'],
        ],
        [
          {
            model: { family: 'monte_carlo', params: { use_qmc: true } },
            contract: {
              symbol: 'A',
              strike_price: 100,
              time_to_expiry: 1,
              option_type: 'put',
              exercise_style: 'american',
            },
          },
          ['body', 'model', 'params', 'use_qmc'],
        ],
        [
          {
            model: { family: 'monte_carlo', params: { antithetic: true } },
            contract: {
              symbol: 'A',
              strike_price: 100,
              time_to_expiry: 1,
              option_type: 'put',
              exercise_style: 'american',
            },
          },
          ['body', 'model', 'params', 'antithetic'],
        ],
        [{ surface: 'surf-1' }, ['body', 'surface']],
        [{ volatility: undefined }, ['body', 'volatility']],
      ];
      for (const [override, loc] of cases) {
        const r = await s.request('/quote', { body: quoteRequest(override) });
        assert.equal(r.status, 400, r.text);
        assert.deepEqual(r.json.detail[0].loc, loc);
        assert.equal(r.json.detail[0].type, 'invalid_request');
      }
    });

    it('a contract the model refuses is a 400 invalid_request, never a price of 0', async () => {
      const r = await s.request('/quote', {
        body: quoteRequest({
          contract: {
            symbol: 'A',
            strike_price: 100,
            time_to_expiry: 1,
            option_type: 'put',
            exercise_style: 'american',
          },
        }),
      });
      assert.equal(r.status, 400, r.text);
      assert.equal(r.json.detail[0].type, 'invalid_request');
    });
  });

  describe('seeds, lineage and capsule ids', () => {
    it('lineage is "<request hash>:0" where the hash ignores idempotency_key', async () => {
      const r = await s.request('/quote', { body: quoteRequest({ model: { family: 'monte_carlo' } }) });
      const [hash, index] = r.json.seed_lineage.split(':');
      assert.match(hash, HEX64);
      assert.equal(index, '0');
      const keyed = await s.request('/quote', {
        body: quoteRequest({ model: { family: 'monte_carlo' }, idempotency_key: 'lineage-1' }),
      });
      assert.equal(keyed.json.seed_lineage, r.json.seed_lineage);
      assert.equal(keyed.json.theoretical_price, r.json.theoretical_price);
    });

    it('a seed_prefix gives "<PREFIX>:<index>" and the same numbers whatever else differs', async () => {
      const a = await s.request('/quote', {
        body: quoteRequest({ model: { family: 'monte_carlo', params: { seed_prefix: 'desk-7' } } }),
      });
      assert.equal(a.json.seed_lineage, 'DESK-7:0');
      const b = await s.request('/quote', {
        body: quoteRequest({
          model: { family: 'monte_carlo', params: { seed_prefix: 'desk-7' } },
          contract: { symbol: 'XYZ', strike_price: 100, time_to_expiry: 0.5, option_type: 'call' },
        }),
      });
      assert.equal(b.json.seed_lineage, 'DESK-7:0');
      assert.equal(b.json.theoretical_price, a.json.theoretical_price);
      assert.notEqual(b.json.capsule_id, a.json.capsule_id);
    });

    it('identical requests give identical bytes; different seeds give different Monte Carlo numbers', async () => {
      const body = quoteRequest({ model: { family: 'monte_carlo' } });
      const first = await s.request('/quote', { body });
      const second = await s.request('/quote', { body });
      assert.equal(first.text, second.text);
      const other = await s.request('/quote', {
        body: quoteRequest({ model: { family: 'monte_carlo', params: { seed_prefix: 'x' } } }),
      });
      assert.notEqual(other.json.theoretical_price, first.json.theoretical_price);
    });

    it('capsule_id depends on the build id', async () => {
      const other = await startServer({ env: { OPTIONS_ENGINE_BUILD_ID: 'build-b' } });
      try {
        const a = await s.request('/quote', { body: quoteRequest() });
        const b = await other.request('/quote', { body: quoteRequest() });
        assert.match(a.json.capsule_id, HEX64);
        assert.notEqual(a.json.capsule_id, b.json.capsule_id);
        assert.equal(a.json.theoretical_price, b.json.theoretical_price);
        assert.equal((await other.request('/version', { token: null })).json.build_id, 'build-b');
      } finally {
        await other.close();
      }
    });

    it('a Black-Scholes /quote price equals the v1 single route to the last bit', async () => {
      const v1 = await s.request('/api/v1/pricing/single', { body: pricingRequest() });
      const c = (pricingRequest().contracts as Record<string, unknown>[])[0]!;
      const md = pricingRequest().market_data as Record<string, number>;
      const q = await s.request('/quote', {
        body: {
          contract: {
            symbol: c.symbol,
            strike_price: c.strike_price,
            time_to_expiry: c.time_to_expiry,
            option_type: c.option_type,
          },
          market: { spot_price: md.spot_price, risk_free_rate: md.risk_free_rate, dividend_yield: md.dividend_yield },
          volatility: md.volatility,
        },
      });
      const v1Result = v1.json.results[0];
      assert.ok(
        Object.is(q.json.theoretical_price, v1Result.theoretical_price),
        `${q.json.theoretical_price} vs ${v1Result.theoretical_price}`,
      );
      for (const g of ['delta', 'gamma', 'theta', 'vega', 'rho'])
        assert.ok(Object.is(q.json.greeks[g], v1Result[g]), g);
    });
  });

  describe('idempotency', () => {
    it('the same key and body answer byte-identical bytes', async () => {
      const body = quoteRequest({
        model: { family: 'monte_carlo', params: { paths: 2000 } },
        idempotency_key: 'idem-same',
      });
      const first = await s.request('/quote', { body });
      const second = await s.request('/quote', { body: JSON.stringify(body, null, 2) });
      assert.equal(first.status, 200);
      assert.equal(second.status, 200);
      assert.equal(second.text, first.text);
      assert.equal(second.headers.get('idempotent-replayed'), 'true');
    });

    it('the same key with another body is 409 idempotency_key_reused', async () => {
      const first = await s.request('/quote', { body: quoteRequest({ idempotency_key: 'idem-other' }) });
      assert.equal(first.status, 200);
      const second = await s.request('/quote', {
        body: quoteRequest({ idempotency_key: 'idem-other', volatility: 0.3 }),
      });
      assert.equal(second.status, 409);
      assert.equal(second.json.detail, 'idempotency_key_reused');
      const elsewhere = await s.request('/greeks', { body: quoteRequest({ idempotency_key: 'idem-other' }) });
      assert.equal(elsewhere.status, 409);
    });

    it('keys belong to the client that sent them', async () => {
      const alice = await s.request('/quote', {
        body: quoteRequest({ idempotency_key: 'idem-client' }),
        token: await s.token(['pricing:read'], 'alice'),
      });
      const bob = await s.request('/quote', {
        body: quoteRequest({ idempotency_key: 'idem-client', volatility: 0.3 }),
        token: await s.token(['pricing:read'], 'bob'),
      });
      assert.equal(alice.status, 200);
      assert.equal(bob.status, 200);
    });

    it('concurrent first uses of a key get one answer', async () => {
      const body = quoteRequest({
        model: { family: 'monte_carlo', params: { paths: 2000 } },
        idempotency_key: 'idem-race',
      });
      const answers = await Promise.all([1, 2, 3].map(() => s.request('/quote', { body })));
      assert.deepEqual(
        answers.map((a) => a.status),
        [200, 200, 200],
      );
      assert.equal(new Set(answers.map((a) => a.text)).size, 1);
    });
  });

  describe('batch', () => {
    it('results in order with capsule_ids; item i uses lineage index i', async () => {
      const items = [
        quoteRequest(),
        quoteRequest({ model: { family: 'monte_carlo', params: { paths: 2000, seed_prefix: 'b' } } }),
        quoteRequest({ volatility: 0.3 }),
      ];
      const r = await s.request('/batch', { body: { items } });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.text, canonicalJson(r.json));
      assert.deepEqual(
        r.json.results.map((x: { index: number; ok: boolean }) => [x.index, x.ok]),
        [
          [0, true],
          [1, true],
          [2, true],
        ],
      );
      assert.deepEqual(
        r.json.capsule_ids,
        r.json.results.map((x: { value: { capsule_id: string } }) => x.value.capsule_id),
      );
      assert.equal(r.json.results[1].value.seed_lineage, 'B:1');
      assert.match(r.json.results[2].value.seed_lineage, /^[0-9a-f]{64}:2$/);
    });

    it('an invalid item fails alone, with its field', async () => {
      const items = [
        quoteRequest(),
        quoteRequest({ volatility: -1 }),
        quoteRequest({
          model: { family: 'monte_carlo', params: { use_cv: true } },
          contract: {
            symbol: 'A',
            strike_price: 100,
            time_to_expiry: 1,
            option_type: 'put',
            exercise_style: 'american',
          },
        }),
        'not an object',
        quoteRequest(),
      ];
      const r = await s.request('/batch', { body: { items } });
      assert.equal(r.status, 200, r.text);
      const [a, b, c, d, e] = r.json.results;
      assert.equal(a.ok, true);
      assert.equal(e.ok, true);
      assert.deepEqual(b.error.issues[0].loc, ['body', 'items', 1, 'volatility']);
      assert.deepEqual(c.error.issues[0].loc, ['body', 'items', 2, 'model', 'params', 'use_cv']);
      assert.equal(d.ok, false);
      assert.deepEqual(d.error.issues[0].loc, ['body', 'items', 3]);
      assert.equal(r.json.capsule_ids.length, 2);
    });

    it('greeks_default applies to items that select none', async () => {
      const r = await s.request('/batch', {
        body: { items: [quoteRequest(), quoteRequest({ greeks: { rho: true } })], greeks_default: { delta: true } },
      });
      assert.deepEqual(Object.keys(r.json.results[0].value.greeks), ['delta']);
      assert.deepEqual(Object.keys(r.json.results[1].value.greeks), ['rho']);
    });

    it('100 items are priced; 101 are refused with 429 and Retry-After: 1', async () => {
      const ok = await s.request('/batch', { body: { items: Array.from({ length: 100 }, () => quoteRequest()) } });
      assert.equal(ok.status, 200);
      assert.equal(ok.json.results.length, 100);
      const r = await s.request('/batch', { body: { items: Array.from({ length: 101 }, () => quoteRequest()) } });
      assert.equal(r.status, 429);
      assert.equal(r.headers.get('retry-after'), '1');
      assert.equal(r.json.detail, 'cost_guard_triggered');
      assert.equal(r.json.guard, 'batch_items');
    });

    it('more than 1.5M Monte Carlo paths over the items is refused with 429', async () => {
      const item = quoteRequest({ model: { family: 'monte_carlo', params: { paths: 250_000 } } });
      const r = await s.request('/batch', { body: { items: Array.from({ length: 7 }, () => item) } });
      assert.equal(r.status, 429);
      assert.equal(r.headers.get('retry-after'), '1');
      assert.equal(r.json.guard, 'batch_paths');
    });
  });

  describe('cost guards', () => {
    it('max_paths above 262,144 is refused with 429 cost_guard_triggered and counted', async () => {
      const r = await s.request('/quote', {
        body: quoteRequest({ model: { family: 'monte_carlo' }, precision: { max_paths: 262_145 } }),
      });
      assert.equal(r.status, 429);
      assert.equal(r.headers.get('retry-after'), '1');
      assert.equal(r.json.detail, 'cost_guard_triggered');
      assert.equal(r.json.guard, 'max_paths');
      assert.equal(r.json.limit, 262_144);
      const metrics = await s.metrics.registry.getSingleMetricAsString('ope_quote_cost_guard_total');
      assert.match(metrics, /ope_quote_cost_guard_total\{guard="max_paths",action="refused"\} [1-9]/);
    });

    it('paths above 262,144 are clamped and paths_used says so', async () => {
      const r = await s.request('/quote', {
        body: quoteRequest({ model: { family: 'monte_carlo', params: { paths: 300_000 } } }),
      });
      assert.equal(r.status, 200);
      assert.equal(r.json.ci.paths_used, 262_144);
      assert.equal(r.json.ci.paths_requested, 300_000);
      assert.equal(r.json.ci.paths_clamped, true);
      assert.equal(r.json.model_used.params.paths, 262_144);
    });
  });

  describe('replay', () => {
    it('recomputes a stored quote and reports verified: true', async () => {
      const q = await s.request('/quote', {
        body: quoteRequest({ model: { family: 'monte_carlo', params: { paths: 2000 } } }),
      });
      const r = await s.request(`/replay/${q.json.capsule_id}`, { method: 'POST' });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.replayed, true);
      assert.equal(r.json.verified, true);
      assert.equal(r.json.build_id, 'build-a');
      assert.deepEqual(numbersOf(r.json), numbersOf(q.json));
      const strict = await s.request(`/replay/${q.json.capsule_id}`, { body: { strict_build: true } });
      assert.equal(strict.json.verified, true);
    });

    it('an identical quote repeated writes its capsule once, and the capsule still replays verified', async () => {
      const inner = new MemoryDocumentStore();
      let capsulePuts = 0;
      const store: DocumentStore = {
        putIfAbsent: (kind, id, body, options) => {
          if (kind === 'capsule') capsulePuts += 1;
          return inner.putIfAbsent(kind, id, body, options);
        },
        get: (kind, id, now) => inner.get(kind, id, now),
        list: (kind, options) => inner.list(kind, options),
        deleteExpired: (now, limit) => inner.deleteExpired(now, limit),
      };
      const server = await startServer({ env: { OPE_BUILD_ID: 'build-a' }, documentStore: store });
      try {
        const body = quoteRequest({
          contract: { symbol: 'ONCE', strike_price: 95, time_to_expiry: 1, option_type: 'put' },
        });
        const answers = [];
        for (let i = 0; i < 3; i++) answers.push(await server.request('/quote', { body }));
        assert.equal(capsulePuts, 1);
        for (const a of answers) assert.equal(a.text, answers[0]!.text);
        const r = await server.request(`/replay/${answers[0]!.json.capsule_id}`, { body: {} });
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.verified, true);
        assert.deepEqual(numbersOf(r.json), numbersOf(answers[0]!.json));
        // Another contract is another capsule, written.
        await server.request('/quote', { body: quoteRequest() });
        assert.equal(capsulePuts, 2);
      } finally {
        await server.close();
      }
    });

    it('an unknown capsule is 404 capsule_not_found', async () => {
      const r = await s.request(`/replay/${sha256Hex('nothing')}`, { body: {} });
      assert.equal(r.status, 404);
      assert.equal(r.json.detail, 'capsule_not_found');
    });

    it('strict_build against another build is 409 build_conflict; without it the replay still verifies', async () => {
      const store = new MemoryDocumentStore();
      const a = await startServer({ env: { OPE_BUILD_ID: 'old-build' }, documentStore: store });
      let id: string;
      try {
        id = (await a.request('/quote', { body: quoteRequest() })).json.capsule_id;
      } finally {
        await a.close();
      }
      const b = await startServer({ env: { OPE_BUILD_ID: 'new-build' }, documentStore: store });
      try {
        const strict = await b.request(`/replay/${id}`, { body: { strict_build: true } });
        assert.equal(strict.status, 409);
        assert.equal(strict.json.detail, 'build_conflict');
        const lax = await b.request(`/replay/${id}`, { body: { strict_build: false } });
        assert.equal(lax.status, 200);
        assert.equal(lax.json.verified, true);
        assert.equal(lax.json.build_id, 'old-build');
      } finally {
        await b.close();
      }
    });
  });
});
