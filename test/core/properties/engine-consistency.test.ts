/**
 * An engine-consistency sweep in the manner of QuantLib's testEngineConsistency (test-suite/europeanoption.cpp):
 * one grid of contracts, every engine priced on it, each compared with a reference within a tolerance of its own.
 * European engines are compared with black_scholes; American engines with a 2001-step Leisen-Reimer tree.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { priceLeisenReimer } from '../../../src/core/engines/leisen-reimer.js';
import type { ModelName } from '../../../src/core/models.js';
import type { Greeks } from '../../../src/core/results.js';
import {
  AMERICAN_MODELS,
  bjerksundStenslandFallsBack,
  describeCase,
  EUROPEAN_MODELS,
  inApproximationsNegativeRateCallGap,
  intrinsicValue,
  marketOf,
  optionOf,
  price,
  priceScale,
  roundingFloor,
  value,
  type Case,
} from './property-support.js';

/**
 * QuantLib's grid (underlying 100; strikes 75, 100, 125; vols 0.11, 0.50, 1.20; rates 0.01, 0.05, 0.15; dividend
 * yields 0.04 to 0.06) with three expiries instead of one, a negative rate instead of 1%, and q = 0, where American
 * calls are never exercised early (r >= 0) and American puts are exercised the most: 324 contracts.
 */
function grid(): Case[] {
  const cases: Case[] = [];
  for (const type of ['call', 'put'] as const) {
    for (const strike of [75, 100, 125]) {
      for (const expiry of [0.25, 1, 3]) {
        for (const volatility of [0.11, 0.5, 1.2]) {
          for (const rate of [-0.01, 0.05, 0.15]) {
            for (const dividendYield of [0, 0.05])
              cases.push({ type, spot: 100, strike, expiry, volatility, rate, dividendYield });
          }
        }
      }
    }
  }
  return cases;
}

const GRID = grid();
const GREEKS: readonly (keyof Greeks)[] = ['delta', 'gamma', 'theta', 'vega', 'rho'];

/** Natural scale of each quantity (tree-test-support.ts): value S sigma sqrt(T), delta 1, gamma 1/(S sigma sqrt(T)), ... */
function scales(c: Case): Record<'value' | keyof Greeks, number> {
  const sqrtT = Math.sqrt(c.expiry);
  return {
    value: priceScale(c),
    delta: 1,
    gamma: 1 / priceScale(c),
    theta: (c.spot * c.volatility) / sqrtT,
    vega: c.spot * sqrtT,
    rho: c.strike * c.expiry,
  };
}

/**
 * Per-engine tolerances against Black-Scholes, in units of `scales`: the trees' own test bounds
 * (binomial-crr.test.ts, leisen-reimer.test.ts), measured there over 3,000 draws of a wider domain.
 */
const EUROPEAN_TOLERANCE: Partial<Record<ModelName, Record<'value' | keyof Greeks, number>>> = {
  black_scholes: { value: 0, delta: 0, gamma: 0, theta: 0, vega: 0, rho: 0 },
  barone_adesi_whaley: { value: 0, delta: 0, gamma: 0, theta: 0, vega: 0, rho: 0 },
  binomial_200: { value: 1e-2, delta: 1e-2, gamma: 1e-2, theta: 3e-2, vega: 1.5e-2, rho: 1e-2 },
  leisen_reimer: { value: 1.5e-6, delta: 4e-3, gamma: 2.5e-2, theta: 3e-2, vega: 4e-6, rho: 3e-6 },
};

/**
 * Per-engine tolerances against the 2001-step Leisen-Reimer tree, in units of S sigma sqrt(T), about twice the
 * worst error measured on this grid inside each approximation's working region: binomial_200 1.8e-3, leisen_reimer
 * (201 steps) 4.8e-4, barone_adesi_whaley 1.6e-2 (a 3-year call with r = 15%, q = 5%, sigma = 11%), bjerksund_stensland
 * 1.7e-2 (a 3-year call at sigma = 1.2), bjerksund_stensland_1993 1.4e-2. The reference itself is within 1e-4 of the
 * scale of a 4001-step tree (measured 9.4e-5).
 */
const AMERICAN_TOLERANCE: Record<ModelName, number> = {
  black_scholes: 0,
  monte_carlo_20k: 0,
  binomial_200: 4e-3,
  leisen_reimer: 1e-3,
  barone_adesi_whaley: 3e-2,
  bjerksund_stensland: 3e-2,
  bjerksund_stensland_1993: 3e-2,
};
const REFERENCE_ERROR = 2e-4;

describe('engine consistency sweep (QuantLib testEngineConsistency style), 324 contracts', () => {
  it('every European engine agrees with black_scholes in value and greeks within its own tolerance', () => {
    for (const c of GRID) {
      const bs = price('black_scholes', c, 'european', true);
      const scale = scales(c);
      for (const model of EUROPEAN_MODELS) {
        const tolerance = EUROPEAN_TOLERANCE[model];
        if (tolerance === undefined) continue;
        const result = price(model, c, 'european', true);
        for (const name of ['value', ...GREEKS] as const) {
          const got = name === 'value' ? result.value : result.greeks![name];
          const want = name === 'value' ? bs.value : bs.greeks![name];
          const error = Math.abs(got - want) / scale[name];
          assert.ok(
            error <= tolerance[name],
            `${name}: ${got} vs black_scholes ${want}, ${error} of its scale ${scale[name]} > ${tolerance[name]}; ${describeCase(c, 'european', model)}`,
          );
        }
      }
    }
  });

  it('monte_carlo_20k agrees with black_scholes within 3 standard errors on at least 99% of the grid, 4 on all of it (strikes within 3 standard deviations of the forward)', (t) => {
    // Further out exercise is a rare event for 20,000 paths: none may reach the money, and a zero estimate with a
    // zero standard error is the documented outcome (monte-carlo.ts, "Limits"; monte-carlo.test.ts). The grid's
    // total volatility reaches 1.2 sqrt(3) = 2.1, the edge of what 20,000 paths describe.
    const inRange = GRID.filter((c) => {
      const stdDev = c.volatility * Math.sqrt(c.expiry);
      return Math.abs(Math.log(c.strike / c.spot) - (c.rate - c.dividendYield) * c.expiry) <= 3 * stdDev;
    });
    assert.ok(inRange.length >= 250, `only ${inRange.length} contracts in range`);
    let within3 = 0;
    for (const c of inRange) {
      const mc = price('monte_carlo_20k', c, 'european');
      const bs = value('black_scholes', c, 'european');
      const se = mc.diagnostics.standardError!;
      const z = Math.abs(mc.value - bs) / se;
      assert.ok(
        z <= 4,
        `Monte Carlo ${mc.value} vs black_scholes ${bs}: ${z} standard errors (se ${se}); ${describeCase(c, 'european', 'monte_carlo_20k')}`,
      );
      if (z <= 3) within3++;
    }
    t.diagnostic(`${within3} of ${inRange.length} within 3 standard errors`);
    assert.ok(within3 >= 0.99 * inRange.length, `only ${within3} of ${inRange.length} within 3 standard errors`);
  });

  it('every American engine agrees with a 2001-step Leisen-Reimer tree within its own tolerance where it applies, and stays a valid bound elsewhere', (t) => {
    const worst: Partial<Record<ModelName, number>> = {};
    const outside: Partial<Record<ModelName, { count: number; worst: number }>> = {};
    for (const c of GRID) {
      const reference = priceLeisenReimer(optionOf(c, 'american'), marketOf(c), { steps: 2001, greeks: false }).value;
      const european = value('black_scholes', c, 'european');
      const scale = priceScale(c);
      for (const model of AMERICAN_MODELS) {
        const result = price(model, c, 'american');
        const context = `${describeCase(c, 'american', model)}: ${result.value} vs 2001-step tree ${reference}`;
        // Everywhere: a valid American value, never above the true one by more than the method's error.
        const treeEuropeanError =
          model === 'binomial_200' || model === 'leisen_reimer' ? EUROPEAN_TOLERANCE[model]!.value * scale : 0;
        assert.ok(
          result.value >= Math.max(european, intrinsicValue(c)) - roundingFloor(c) - treeEuropeanError,
          `below max(European, intrinsic); ${context}`,
        );
        assert.ok(
          result.value <= reference + (AMERICAN_TOLERANCE[model] + REFERENCE_ERROR) * scale,
          `above the tree by more than its tolerance; ${context}`,
        );
        const approximation = model !== 'binomial_200' && model !== 'leisen_reimer';
        const gap =
          (approximation && inApproximationsNegativeRateCallGap(c)) ||
          (model.startsWith('bjerksund_stensland') && bjerksundStenslandFallsBack(c)) ||
          !result.diagnostics.converged;
        const error = Math.abs(result.value - reference) / scale;
        if (gap) {
          const o = outside[model] ?? { count: 0, worst: 0 };
          outside[model] = { count: o.count + 1, worst: Math.max(o.worst, error) };
          continue;
        }
        worst[model] = Math.max(worst[model] ?? 0, error);
        assert.ok(
          error <= AMERICAN_TOLERANCE[model] + REFERENCE_ERROR,
          `error ${error} of S sigma sqrt(T) > ${AMERICAN_TOLERANCE[model]}; ${context}`,
        );
      }
    }
    t.diagnostic(`worst error / (S sigma sqrt(T)): ${JSON.stringify(worst)}`);
    t.diagnostic(
      `outside the approximations' working regions (known-defects.test.ts), count and worst error: ${JSON.stringify(outside)}`,
    );
  });
});
