import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BINOMIAL_CRR_MODEL, priceBinomialCrr } from '../../../src/core/engines/binomial-crr.js';
import { priceBlackScholes } from '../../../src/core/engines/black-scholes.js';
import { CoreError } from '../../../src/core/errors.js';
import type { PriceResult } from '../../../src/core/results.js';
import { crrOracle } from '../oracles/crr-oracle.js';
import type { Case, ConvergenceTolerance } from './tree-test-support.js';
import {
  assertClose,
  assertNearBlackScholes,
  describeCase,
  marketOf,
  optionOf,
  QUANTLIB_TREES,
  registerTreeProperties,
  wideCaseArb,
} from './tree-test-support.js';

const STEPS = 200;

function price(c: Case, greeks = true): PriceResult {
  return priceBinomialCrr(optionOf(c), marketOf(c), { greeks });
}

/**
 * 200-step CRR errors are O(1/steps). Largest measured, in units of assertNearBlackScholes's scales, over
 * 3,000 fast-check draws from wideCaseArb (seed 99) and 2,000 further random cases with low vol and high
 * carry: value 4.8e-3, delta 5.7e-3, gamma 4.4e-3, theta 1.4e-2, vega 6.5e-3, rho 4.5e-3. The bounds leave
 * about a factor 2; a unit slip (theta per day, vega per point) breaks them by orders of magnitude.
 */
const CRR_TO_BLACK_SCHOLES: ConvergenceTolerance = {
  value: 1e-2,
  delta: 1e-2,
  gamma: 1e-2,
  theta: 3e-2,
  vega: 1.5e-2,
  rho: 1e-2,
};

describe('binomial_200 (Cox-Ross-Rubinstein tree)', () => {
  registerTreeProperties('binomial_200', priceBinomialCrr, 0);

  it('refuses a tree that is not arbitrage-free (p outside [0, 1]) with a message naming the cause and every input', () => {
    // sigma = 0.01 < |r - q| sqrt(dt) = 0.2 * sqrt(1/200) = 0.0141: e^((r-q)dt) lies above u, so p > 1.
    const c: Case = {
      type: 'call',
      exercise: 'european',
      spot: 100,
      strike: 100,
      expiry: 1,
      rate: 0.2,
      dividendYield: 0,
      volatility: 0.01,
    };
    assert.throws(
      () => price(c),
      (error: unknown) => {
        assert.ok(error instanceof CoreError);
        assert.equal(error.code, 'ERR_CORE_INVALID_INPUT');
        assert.equal(error.param, 'volatility');
        assert.match(error.message, /not arbitrage-free/);
        assert.match(error.message, /S=100, K=100, T=1, sigma=0\.01, r=0\.2, q=0/);
        return true;
      },
    );
    // The same with the carry the other way round (p < 0).
    assert.throws(() => price({ ...c, rate: 0, dividendYield: 0.2 }), {
      code: 'ERR_CORE_INVALID_INPUT',
      param: 'volatility',
    });
  });

  it('still returns finite greeks right at the arbitrage boundary, differencing one-sidedly where a bump leaves it', () => {
    const boundary = 0.2 * Math.sqrt(1 / STEPS);
    const c: Case = {
      type: 'put',
      exercise: 'american',
      spot: 100,
      strike: 105,
      expiry: 1,
      rate: 0.2,
      dividendYield: 0,
      volatility: boundary * (1 + 1e-7),
    };
    assert.throws(() => price({ ...c, volatility: boundary * (1 - 1e-4) }), { param: 'volatility' });
    const { value, greeks } = price(c);
    const h = BINOMIAL_CRR_MODEL.vegaBump(
      optionOf(c),
      marketOf(c),
      BINOMIAL_CRR_MODEL.policy(optionOf(c), marketOf(c), STEPS),
    );
    const forward = (price({ ...c, volatility: c.volatility + h }, false).value - value) / h;
    assert.ok(
      Number.isFinite(greeks!.vega) && Number.isFinite(greeks!.rho),
      `greeks ${JSON.stringify(greeks)}; ${describeCase(c)}`,
    );
    assertClose(greeks!.vega, forward, 1e-12, 1, 'one-sided vega', c);
  });

  it('agrees to 1e-10 with the naive 2-D-array oracle in value, delta, gamma and theta over a wide random set', () => {
    fc.assert(
      fc.property(wideCaseArb, (c) => {
        const result = price(c);
        const oracle = crrOracle({ ...c, steps: STEPS });
        const size = Math.max(c.spot, c.strike);
        const greeks = result.greeks!;
        // Floors: a price 1e-4 of the notional, a delta of 1e-3, gamma and theta on their natural scales.
        assertClose(result.value, oracle.value, 1e-10, 1e-4 * size, 'value', c);
        assertClose(greeks.delta, oracle.delta, 1e-10, 1e-3, 'delta', c);
        assertClose(greeks.gamma, oracle.gamma, 1e-10, 1 / (size * c.volatility * Math.sqrt(c.expiry)), 'gamma', c);
        assertClose(greeks.theta, oracle.theta, 1e-10, (size * c.volatility) / Math.sqrt(c.expiry), 'theta', c);
      }),
      { seed: 20230515, numRuns: 100 },
    );
  });

  it("agrees with the oracle at the API's extreme inputs, where the nodes span e^-500 to e^500 of spot", () => {
    for (const [spot, strike] of [
      [100, 100],
      [1e9, 1],
      [1e-3, 1e9],
      [1e9, 1e9],
    ] as const) {
      for (const type of ['call', 'put'] as const) {
        for (const exercise of ['european', 'american'] as const) {
          const c: Case = { type, exercise, spot, strike, expiry: 50, rate: 0.05, dividendYield: 0.02, volatility: 5 };
          const oracle = crrOracle({ ...c, steps: STEPS });
          assertClose(price(c, false).value, oracle.value, 1e-10, 1e-4 * Math.max(spot, strike), 'value', c);
        }
      }
    }
  });

  it('takes vega and rho as central differences of the same tree (checked against the oracle repriced at the bumps)', () => {
    fc.assert(
      fc.property(wideCaseArb, (c) => {
        const greeks = price(c).greeks!;
        const lattice = BINOMIAL_CRR_MODEL.policy(optionOf(c), marketOf(c), STEPS);
        const h = BINOMIAL_CRR_MODEL.vegaBump(optionOf(c), marketOf(c), lattice);
        const at = (change: Partial<Case>) => crrOracle({ ...c, ...change, steps: STEPS }).value;
        const vega = (at({ volatility: c.volatility + h }) - at({ volatility: c.volatility - h })) / (2 * h);
        const rho = (at({ rate: c.rate + 1e-4 }) - at({ rate: c.rate - 1e-4 })) / 2e-4;
        // Two prices that agree to ~1e-14 relative, differenced over 2h >= 2e-4 sigma: ~1e-8 of the scale.
        assertClose(greeks.vega, vega, 1e-6, c.spot * Math.sqrt(c.expiry), 'vega', c);
        assertClose(greeks.rho, rho, 1e-6, c.strike * c.expiry, 'rho', c);
      }),
      { seed: 515, numRuns: 20 },
    );
  });

  it('is exactly the stated two-step tree: u = e^(sigma sqrt(dt)), d = 1/u, p = (e^((r-q)dt) - d)/(u - d), e^(-r dt) per step', () => {
    // Worked by hand, independent of both the engine and the oracle.
    const c: Case = {
      type: 'put',
      exercise: 'european',
      spot: 50,
      strike: 52,
      expiry: 2,
      rate: 0.05,
      dividendYield: 0.01,
      volatility: 0.3,
    };
    const dt = 1;
    const u = Math.exp(0.3);
    const d = 1 / u;
    const p = (Math.exp(0.04 * dt) - d) / (u - d);
    const disc = Math.exp(-0.05 * dt);
    const payoff = (s: number) => Math.max(52 - s, 0);
    const [vuu, vud, vdd] = [payoff(50 * u * u), payoff(50), payoff(50 * d * d)];
    const european = disc * disc * (p * p * vuu + 2 * p * (1 - p) * vud + (1 - p) * (1 - p) * vdd);
    const result = priceBinomialCrr(optionOf(c), marketOf(c), { steps: 2 });
    assertClose(result.value, european, 1e-14, 1, 'value', c);
    // Greeks from the nodes: with two steps, the step-2 nodes are the payoffs themselves.
    const v1u = disc * (p * vuu + (1 - p) * vud);
    const v1d = disc * (p * vud + (1 - p) * vdd);
    assertClose(result.greeks!.delta, (v1u - v1d) / (50 * u - 50 * d), 1e-13, 1, 'delta', c);
    const gamma = ((vuu - vud) / (50 * u * u - 50) - (vud - vdd) / (50 - 50 * d * d)) / ((50 * u * u - 50 * d * d) / 2);
    assertClose(result.greeks!.gamma, gamma, 1e-12, 1e-3, 'gamma', c);
    assertClose(result.greeks!.theta, (vud - european) / (2 * dt), 1e-12, 1, 'theta', c);
    assert.deepEqual(result.diagnostics, { model: 'binomial_200', converged: true, iterations: 2 });

    // American: early exercise is checked at both step-1 nodes and at the root.
    const vu = Math.max(disc * (p * vuu + (1 - p) * vud), payoff(50 * u));
    const vd = Math.max(disc * (p * vud + (1 - p) * vdd), payoff(50 * d));
    const american = Math.max(disc * (p * vu + (1 - p) * vd), payoff(50));
    const americanResult = priceBinomialCrr({ ...optionOf(c), exercise: 'american' }, marketOf(c), { steps: 2 });
    assertClose(americanResult.value, american, 1e-14, 1, 'American value', c);
    assert.ok(american > european, 'the worked example must actually exercise early');
    assertClose(americanResult.greeks!.delta, (vu - vd) / (50 * u - 50 * d), 1e-14, 1, 'American delta', c);
  });

  it('defaults to 200 steps, reports them, and returns null greeks when greeks are not requested', () => {
    const c: Case = {
      type: 'call',
      exercise: 'american',
      spot: 100,
      strike: 95,
      expiry: 0.75,
      rate: 0.04,
      dividendYield: 0.02,
      volatility: 0.25,
    };
    const withGreeks = price(c);
    const without = price(c, false);
    assert.deepEqual(withGreeks.diagnostics, { model: 'binomial_200', converged: true, iterations: 200 });
    assert.equal(without.greeks, null);
    assert.equal(without.value, withGreeks.value);
    assert.equal(priceBinomialCrr(optionOf(c), marketOf(c), { steps: 200 }).value, withGreeks.value);
    assert.notEqual(priceBinomialCrr(optionOf(c), marketOf(c), { steps: 201 }).value, withGreeks.value);
  });

  it("stays within O(1/steps) of QuantLib 1.29's CRR engine, whose up probability is built differently", () => {
    // QuantLib's CoxRossRubinstein uses p = 1/2 + (r-q-sigma^2/2)dt/(2 sigma sqrt(dt)); binomial_200 uses
    // p = (e^((r-q)dt) - d)/(u - d). Both are first-order trees with the same nodes, so they differ by a
    // fraction of the tree error itself, whose scale is S sigma sqrt(T)/steps (largest measured: 0.31 of it).
    for (const row of QUANTLIB_TREES.cases) {
      const result = price(row);
      const scale = (row.spot * row.volatility * Math.sqrt(row.expiry)) / STEPS;
      const error = Math.abs(result.value - row.crr200.value);
      assert.ok(
        error <= 0.5 * scale,
        `${row.id}: binomial_200 ${result.value} vs QuantLib CRR ${row.crr200.value}, |error| ${error} > ${0.5 * scale}; ${describeCase(row)}`,
      );
      const deltaError = Math.abs(result.greeks!.delta - row.crr200.delta);
      assert.ok(
        deltaError <= 2e-3,
        `${row.id}: delta ${result.greeks!.delta} vs QuantLib ${row.crr200.delta}; ${describeCase(row)}`,
      );
    }
  });

  it('converges to the QuantLib 1.29 analytic European values and greeks on the reference rows', () => {
    for (const row of QUANTLIB_TREES.cases) {
      if (row.analytic === undefined) continue;
      assertNearBlackScholes(price(row), row.analytic, row, CRR_TO_BLACK_SCHOLES);
    }
  });

  it('converges to Black-Scholes values and greeks for European options over a wide random set', () => {
    fc.assert(
      fc.property(wideCaseArb, (drawn) => {
        const c = { ...drawn, exercise: 'european' as const };
        const bs = priceBlackScholes(optionOf(c), marketOf(c));
        assertNearBlackScholes(price(c), { value: bs.value, ...bs.greeks! }, c, CRR_TO_BLACK_SCHOLES);
      }),
      { seed: 4242, numRuns: 150 },
    );
  });
});
