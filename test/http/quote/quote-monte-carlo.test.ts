import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../support.js';
import { numbersOf, quoteRequest } from './quote-support.js';
import { MODELS } from '../../../src/core/models.js';

/**
 * The Monte Carlo options of the quote API end to end over a real listener (docs/api.md, "Monte Carlo in this
 * build"): each option changes what it should, reports it in ci / ci_greeks / greeks_meta / model_used, and its
 * capsule replays bit-identically. Path counts are small so the file stays quick on a 2-core CI machine.
 */

const Z_95 = 1.959963984540054;
/** A decoded answer, as loosely typed as the test server's request() gives it. */
type Answer = Awaited<ReturnType<TestServer['request']>>['json'];
const atTheMoney = { symbol: 'MC', strike_price: 100, time_to_expiry: 1, option_type: 'call' };
const market = { spot_price: 100, risk_free_rate: 0.03, dividend_yield: 0.01 };

function monteCarlo(params: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return quoteRequest({
    contract: atTheMoney,
    market,
    volatility: 0.2,
    model: { family: 'monte_carlo', params: { seed_prefix: 'mc-test', ...params } },
    ...extra,
  });
}

describe('quote API: Monte Carlo options', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer();
  });
  after(async () => s.close());

  async function quote(body: Record<string, unknown>): Promise<Answer> {
    const r = await s.request('/quote', { body });
    assert.equal(r.status, 200, r.text);
    return r.json;
  }

  async function assertReplays(answer: Answer): Promise<void> {
    const replay = await s.request(`/replay/${answer.capsule_id}`, { body: {} });
    assert.equal(replay.status, 200, replay.text);
    assert.equal(replay.json.verified, true);
    assert.deepEqual(numbersOf(replay.json), numbersOf(answer));
  }

  it('use_cv: a control-variate quote has a smaller half-width than the plain one at equal paths', async () => {
    const plain = await quote(monteCarlo({ paths: 4000 }));
    const cv = await quote(monteCarlo({ paths: 4000, use_cv: true }));
    assert.equal(plain.ci.vr_pipeline, 'antithetic');
    assert.equal(cv.ci.vr_pipeline, 'antithetic+cv');
    assert.equal(cv.ci.paths_used, 4000);
    // The discounted terminal spot (and its square) explain most of an at-the-money call's variance.
    assert.ok(
      cv.ci.half_width_abs < plain.ci.half_width_abs / 2,
      `${cv.ci.half_width_abs} vs ${plain.ci.half_width_abs}`,
    );
    assert.deepEqual(cv.model_used, {
      family: 'monte_carlo',
      params: { paths: 4000, antithetic: true, use_cv: true, use_qmc: false },
    });
    await assertReplays(plain);
    await assertReplays(cv);
  });

  it('use_qmc: a Sobol quote reports qmc in vr_pipeline and its scramblings in model_used', async () => {
    const sobol = await quote(monteCarlo({ paths: 4096, use_qmc: true }));
    assert.equal(sobol.ci.vr_pipeline, 'antithetic+qmc');
    assert.deepEqual(sobol.model_used.params, {
      paths: 4096,
      antithetic: true,
      use_cv: false,
      use_qmc: true,
      scramblings: 128,
    });
    assert.ok(sobol.ci.half_width_abs > 0);
    // Sobol intervals use Student t over the 128 scramblings (t_0.975,127 = 1.979), the greeks' as well.
    const delta = sobol.ci_greeks.delta;
    assert.ok(Math.abs(delta.half_width_abs / delta.standard_error - 1.979) < 1e-3, JSON.stringify(delta));
    const both = await quote(monteCarlo({ paths: 4096, use_qmc: true, use_cv: true, antithetic: false }));
    assert.equal(both.ci.vr_pipeline, 'cv+qmc');
    await assertReplays(sobol);
    await assertReplays(both);
  });

  it('antithetic: false simulates independent paths ("baseline") and changes the numbers', async () => {
    const pairs = await quote(monteCarlo({ paths: 4000 }));
    const plain = await quote(monteCarlo({ paths: 4000, antithetic: false }));
    assert.equal(plain.ci.vr_pipeline, 'baseline');
    assert.equal(plain.ci.paths_used, 4000);
    assert.equal(plain.model_used.params.antithetic, false);
    assert.notEqual(plain.theoretical_price, pairs.theoretical_price);
    await assertReplays(plain);
  });

  it('precision: the core adds paths until the target is met, or says it was not', async () => {
    const met = await quote(
      monteCarlo({ paths: 1000, use_cv: true }, { precision: { target_ci_bps: 20, max_paths: 64_000 } }),
    );
    assert.equal(met.ci.target_met, true);
    assert.equal(met.ci.target_ci_bps, 20);
    assert.ok(met.ci.half_width_bps <= 20, String(met.ci.half_width_bps));
    assert.ok(met.ci.paths_used > 1000 && met.ci.paths_used <= 64_000);
    const missed = await quote(monteCarlo({ paths: 1000 }, { precision: { target_ci_bps: 1, max_paths: 4000 } }));
    assert.equal(missed.ci.target_met, false);
    assert.equal(missed.ci.paths_used, 4000);
    assert.ok(missed.ci.half_width_bps > 1);
    await assertReplays(met);
    await assertReplays(missed);
  });

  it('ci_greeks and greeks_meta: each returned greek with its standard error, half-width, method and paths', async () => {
    // antithetic: false keeps this quote on the tunable estimator (the default options take the kernel path, below).
    const answer = await quote(
      monteCarlo({ paths: 4000, antithetic: false }, { greeks: { delta: true, gamma: true, vega: true } }),
    );
    assert.deepEqual(Object.keys(answer.ci_greeks).sort(), ['delta', 'gamma', 'vega']);
    assert.deepEqual(Object.keys(answer.greeks_meta).sort(), ['delta', 'gamma', 'vega']);
    for (const name of ['delta', 'gamma', 'vega']) {
      const { standard_error, half_width_abs } = answer.ci_greeks[name];
      assert.ok(standard_error > 0, name);
      assert.equal(half_width_abs, Z_95 * standard_error);
      assert.equal(answer.greeks_meta[name].paths_used, 4000);
    }
    assert.equal(answer.greeks_meta.delta.method, 'pathwise');
    assert.equal(answer.greeks_meta.gamma.method, 'likelihood-ratio-pathwise');
    // Vega per point (0.01 of volatility), like the greek itself: Black-Scholes vega of this call is about 0.38 per point.
    assert.ok(
      Math.abs(answer.greeks.vega - 0.38) < 3 * answer.ci_greeks.vega.standard_error + 0.01,
      String(answer.greeks.vega),
    );
    await assertReplays(answer);
  });

  it('default options run the v1 monte_carlo_20k kernel: its numbers, ci, greeks_meta with v1 method names, no ci_greeks', async () => {
    const body = monteCarlo({ paths: 4000 }, { greeks: { delta: true, gamma: true, theta: true } });
    const answer = await quote(body);
    const explicit = await quote(
      monteCarlo({ paths: 4000, antithetic: true }, { greeks: { delta: true, gamma: true, theta: true } }),
    );
    assert.equal(explicit.theoretical_price, answer.theoretical_price);
    assert.deepEqual(answer.ci, {
      half_width_abs: answer.ci.half_width_abs,
      half_width_bps: answer.ci.half_width_bps,
      paths_used: 4000,
      vr_pipeline: 'antithetic',
    });
    assert.ok(answer.ci.half_width_abs > 0);
    assert.equal(answer.ci.half_width_bps, (answer.ci.half_width_abs / answer.theoretical_price) * 10_000);
    assert.equal(answer.ci_greeks, undefined);
    assert.deepEqual(answer.greeks_meta, {
      delta: { method: 'pathwise', paths_used: 4000 },
      gamma: { method: 'likelihood-ratio/pathwise', paths_used: 4000 },
      theta: { method: 'bump with common random numbers', paths_used: 4000 },
    });
    // The method names are those v1 lists for monte_carlo_20k (GET /api/v1/models).
    const v1 = MODELS.find((m) => m.name === 'monte_carlo_20k');
    assert.deepEqual(
      Object.fromEntries(
        Object.entries(answer.greeks_meta).map(([name, meta]) => [name, (meta as { method: string }).method]),
      ),
      { delta: v1?.greeks.delta, gamma: v1?.greeks.gamma, theta: v1?.greeks.theta },
    );
    // A precision target leaves the kernel path for the tunable estimator, which does report ci_greeks.
    const withTarget = await quote(
      monteCarlo({ paths: 4000 }, { greeks: { delta: true }, precision: { target_ci_bps: 10_000, max_paths: 4000 } }),
    );
    assert.equal(withTarget.ci.target_met, true);
    assert.ok(withTarget.ci_greeks.delta.standard_error > 0);
    assert.equal(withTarget.greeks_meta.delta.method, 'pathwise');
    await assertReplays(answer);
  });

  it('American: a put priced by Longstaff-Schwartz lies within its interval of a 2,001-step Leisen-Reimer value', async () => {
    // The Longstaff-Schwartz case of the Python service: put S = K = 100, T = 0.5, sigma 0.2, r 0.01, 64 exercise dates.
    const contract = {
      symbol: 'LSM',
      strike_price: 100,
      time_to_expiry: 0.5,
      option_type: 'put',
      exercise_style: 'american',
    };
    const lsmMarket = { spot_price: 100, risk_free_rate: 0.01, dividend_yield: 0 };
    const lsm = await quote(
      quoteRequest({
        contract,
        market: lsmMarket,
        volatility: 0.2,
        model: { family: 'monte_carlo', params: { paths: 20_000, seed_prefix: 'lsm' } },
      }),
    );
    const tree = await quote(
      quoteRequest({
        contract,
        market: lsmMarket,
        volatility: 0.2,
        model: { family: 'leisen_reimer', params: { steps: 2001 } },
        greeks: {},
      }),
    );
    assert.equal(lsm.ci.vr_pipeline, 'lsm');
    assert.deepEqual(lsm.model_used.params, {
      paths: 20_000,
      antithetic: false,
      use_cv: false,
      use_qmc: false,
      steps: 64,
    });
    assert.ok(
      Math.abs(lsm.theoretical_price - tree.theoretical_price) <= lsm.ci.half_width_abs,
      `${lsm.theoretical_price} +- ${lsm.ci.half_width_abs} vs ${tree.theoretical_price}`,
    );
    // Longstaff-Schwartz returns no greeks: none are invented.
    assert.deepEqual(lsm.greeks, {});
    assert.equal(lsm.ci_greeks, undefined);
    assert.equal(lsm.greeks_meta, undefined);
    await assertReplays(lsm);
  });

  it('American: steps sets the exercise dates, and a precision target applies too', async () => {
    const contract = {
      symbol: 'LSM',
      strike_price: 110,
      time_to_expiry: 0.25,
      option_type: 'put',
      exercise_style: 'american',
    };
    const answer = await quote(
      quoteRequest({
        contract,
        market,
        volatility: 0.3,
        model: { family: 'monte_carlo', params: { paths: 2000, steps: 16 } },
        precision: { target_ci_bps: 150, max_paths: 16_000 },
      }),
    );
    assert.equal(answer.model_used.params.steps, 16);
    assert.equal(typeof answer.ci.target_met, 'boolean');
    assert.ok(answer.ci.target_met ? answer.ci.half_width_bps <= 150 : answer.ci.paths_used === 16_000);
    await assertReplays(answer);
  });

  it('American: what Longstaff-Schwartz cannot combine is a 400 naming the field, alone in a batch too', async () => {
    const contract = {
      symbol: 'LSM',
      strike_price: 100,
      time_to_expiry: 0.5,
      option_type: 'put',
      exercise_style: 'american',
    };
    for (const field of ['use_cv', 'use_qmc', 'antithetic']) {
      const body = quoteRequest({
        contract,
        market,
        volatility: 0.2,
        model: { family: 'monte_carlo', params: { paths: 1000, [field]: true } },
      });
      const r = await s.request('/quote', { body });
      assert.equal(r.status, 400, r.text);
      assert.deepEqual(r.json.detail[0].loc, ['body', 'model', 'params', field]);
    }
    const refusedItem = quoteRequest({
      contract,
      market,
      volatility: 0.2,
      model: { family: 'monte_carlo', params: { paths: 1000, use_cv: true } },
    });
    const batch = await s.request('/batch', { body: { items: [monteCarlo({ paths: 1000 }), refusedItem] } });
    assert.equal(batch.status, 200, batch.text);
    assert.equal(batch.json.results[0].ok, true);
    assert.deepEqual(batch.json.results[1].error.issues[0].loc, ['body', 'items', 1, 'model', 'params', 'use_cv']);
    const tooManyDates = quoteRequest({
      contract,
      market,
      volatility: 0.2,
      model: { family: 'monte_carlo', params: { paths: 1000, steps: 5000 } },
    });
    const r = await s.request('/quote', { body: tooManyDates });
    assert.equal(r.status, 400, r.text);
    assert.deepEqual(r.json.detail[0].loc, ['body', 'model', 'params', 'steps']);
  });

  it('the batch paths guard counts a precision target at its max_paths', async () => {
    const targeted = monteCarlo({ paths: 1000 }, { precision: { target_ci_bps: 1, max_paths: 262_144 } });
    const refused = await s.request('/batch', { body: { items: Array.from({ length: 6 }, () => targeted) } });
    assert.equal(refused.status, 429, refused.text);
    assert.equal(refused.json.guard, 'batch_paths');
    // max_paths without a target does not grow the run, so it is not counted.
    const untargeted = monteCarlo({ paths: 1000 }, { precision: { max_paths: 262_144 } });
    const accepted = await s.request('/batch', { body: { items: Array.from({ length: 6 }, () => untargeted) } });
    assert.equal(accepted.status, 200, accepted.text);
  });
});
