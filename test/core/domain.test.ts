import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CORE_DOMAIN, MODELS, impliedVolatility, isCoreError, priceOption } from '../../src/core/index.js';
import type {
  ExerciseStyle,
  MarketInputs,
  ModelName,
  OptionSpec,
  OptionType,
  PriceResult,
} from '../../src/core/index.js';
import { priceMonteCarlo } from '../../src/core/engines/monte-carlo.js';

/**
 * The core's input domain (docs/numerics.md, "Input domain"): inside it every output is a finite number;
 * outside it a coded CoreError, never NaN, an infinity, a TypeError or a run that never ends. The extreme cases
 * are the ones an independent audit found (finite but extreme inputs gave NaN or Infinity).
 */

const KINDS: readonly { model: ModelName; exercise: ExerciseStyle }[] = MODELS.flatMap((m) =>
  m.exerciseStyles.map((exercise) => ({ model: m.name, exercise })),
);

function numbers(result: PriceResult): number[] {
  const g = result.greeks;
  return [result.value, ...(g === null ? [] : [g.delta, g.gamma, g.theta, g.vega, g.rho])];
}

/** A finite result, or a CoreError; anything else fails. */
function priceOrRefuse(model: ModelName, option: OptionSpec, market: MarketInputs): PriceResult | 'refused' {
  try {
    const result = priceOption(model, option, market, { seed: 7n });
    for (const n of numbers(result))
      assert.ok(Number.isFinite(n), `${model} ${JSON.stringify({ option, market })}: ${numbers(result).join(', ')}`);
    return result;
  } catch (error) {
    assert.ok(isCoreError(error), `${model}: ${String(error)}`);
    return 'refused';
  }
}

describe('core input domain', () => {
  it('refuses, with a coded error naming the input, the extremes that gave NaN from the American approximations', () => {
    const cases: [Partial<OptionSpec>, Partial<MarketInputs>, string][] = [
      [{ expiry: 5e-324 }, {}, 'expiry'],
      [{ strike: 1e-300 }, {}, 'strike'],
      [{}, { volatility: 1e-300 }, 'volatility'],
      [{}, { spot: 1e-158 }, 'spot'],
      [{ expiry: 1000 }, { rate: -1 }, 'rate'],
    ];
    for (const model of ['barone_adesi_whaley', 'bjerksund_stensland', 'bjerksund_stensland_1993'] as const) {
      for (const type of ['call', 'put'] as const) {
        for (const [optionPatch, marketPatch, param] of cases) {
          const option: OptionSpec = { type, strike: 100, expiry: 1, exercise: 'american', ...optionPatch };
          const market: MarketInputs = { spot: 100, rate: 0.05, dividendYield: 0.02, volatility: 0.2, ...marketPatch };
          assert.throws(
            () => priceOption(model, option, market),
            (error: unknown) => isCoreError(error) && error.code === 'ERR_CORE_INVALID_INPUT' && error.param === param,
            `${model} ${type} ${JSON.stringify({ ...optionPatch, ...marketPatch })}`,
          );
        }
      }
    }
  });

  it('never reports delta 0 for an in-the-money American call at a vanishing expiry: it refuses below the domain', () => {
    for (const expiry of [1e-300, 1e-200, 1e-100]) {
      for (const model of ['barone_adesi_whaley', 'bjerksund_stensland', 'bjerksund_stensland_1993'] as const) {
        const outcome = priceOrRefuse(
          model,
          { type: 'call', strike: 90, expiry, exercise: 'american' },
          { spot: 100, rate: 0.05, dividendYield: 0.02, volatility: 0.2 },
        );
        assert.equal(outcome, 'refused', `${model} at T=${expiry}`);
      }
    }
    // At the domain's lower bound the delta is that of the intrinsic value.
    for (const model of ['barone_adesi_whaley', 'bjerksund_stensland', 'bjerksund_stensland_1993'] as const) {
      const at = priceOption(
        model,
        { type: 'call', strike: 90, expiry: CORE_DOMAIN.minExpiry, exercise: 'american' },
        { spot: 100, rate: 0.05, dividendYield: 0.02, volatility: 0.2 },
      );
      assert.ok(Math.abs(at.greeks!.delta - 1) < 1e-6, `${model}: delta ${at.greeks!.delta}`);
    }
  });

  it('gives every model finite outputs or a CoreError at the extremes of the API domain (T and volatility down to the smallest double)', () => {
    const expiries = [Number.MIN_VALUE, 1e-300, 1e-100, CORE_DOMAIN.minExpiry, 1e-4, 1, 50];
    const vols = [Number.MIN_VALUE, 1e-300, 1e-161, CORE_DOMAIN.minVolatility, 0.2, 5];
    const prices = [1e-300, 1e-158, 1e-50, 1, 1e9];
    for (const { model, exercise } of KINDS) {
      for (const type of ['call', 'put'] as OptionType[]) {
        const heavy = model === 'monte_carlo_20k' || model === 'binomial_200' || model === 'leisen_reimer';
        const ts = heavy ? [Number.MIN_VALUE, 1e-100, 1] : expiries;
        const vs = heavy ? [Number.MIN_VALUE, 1e-161, 0.2] : vols;
        for (const expiry of ts) {
          for (const volatility of vs)
            priceOrRefuse(
              model,
              { type, strike: 90, expiry, exercise },
              { spot: 100, rate: 0.05, dividendYield: 0.02, volatility },
            );
        }
        for (const spot of heavy ? [1e-300, 1e9] : prices) {
          for (const strike of heavy ? [1e-300, 1e9] : prices)
            priceOrRefuse(
              model,
              { type, strike, expiry: 1, exercise },
              { spot, rate: -1, dividendYield: 1, volatility: 0.2 },
            );
        }
      }
    }
  });

  it('prices a Black-Scholes put at T = 5e-324 with finite greeks or refuses it: never a null gamma', () => {
    const outcome = priceOrRefuse(
      'black_scholes',
      { type: 'put', strike: 100, expiry: 5e-324, exercise: 'european' },
      { spot: 100, rate: 0.05, dividendYield: 0, volatility: 0.2 },
    );
    if (outcome !== 'refused') assert.ok(Number.isFinite(outcome.greeks!.gamma));
  });

  it('answers a CoreError, not a TypeError, for a null option or market with every model', () => {
    const market: MarketInputs = { spot: 100, rate: 0.05, dividendYield: 0, volatility: 0.2 };
    const option: OptionSpec = { type: 'call', strike: 100, expiry: 1, exercise: 'european' };
    for (const { name: model } of MODELS) {
      for (const [o, m, param] of [
        [null, market, 'option'],
        [option, null, 'market'],
      ] as const) {
        assert.throws(
          () => priceOption(model, o as unknown as OptionSpec, m as unknown as MarketInputs, { seed: 1n }),
          (error: unknown) => isCoreError(error) && error.code === 'ERR_CORE_INVALID_INPUT' && error.param === param,
          `${model} with a null ${param}`,
        );
      }
    }
  });

  it('refuses a Monte Carlo run of 1e12 pairs at once instead of running for ever', () => {
    assert.throws(
      () =>
        priceMonteCarlo(
          { type: 'call', strike: 100, expiry: 1, exercise: 'european' },
          { spot: 100, rate: 0, dividendYield: 0, volatility: 0.2 },
          { seed: 1n, pairs: 1e12 },
        ),
      (error: unknown) => isCoreError(error) && error.param === 'pairs',
    );
  });

  it('never reports a Monte Carlo standard error of 0 for an out-of-the-money call (K=150, S=100, T=0.25, sigma 0.2)', () => {
    let degenerate = 0;
    for (let seed = 1n; seed <= 40n; seed += 1n) {
      const result = priceMonteCarlo(
        { type: 'call', strike: 150, expiry: 0.25, exercise: 'european' },
        { spot: 100, rate: 0, dividendYield: 0, volatility: 0.2 },
        { seed, greeks: false },
      );
      assert.ok(result.diagnostics.standardError! > 0, `seed ${seed}`);
      if (result.value === 0) {
        degenerate += 1;
        assert.equal(result.diagnostics.degenerateSample, true);
      }
    }
    assert.ok(degenerate > 0, 'some seeds put no path in the money (the case under test)');
  });

  it('refuses a put quoted exactly at its upper bound K e^(-rT) with ERR_CORE_PRICE_ABOVE_MAXIMUM', () => {
    for (const expiry of [0.25, 1, 4]) {
      assert.throws(
        () =>
          impliedVolatility(
            100,
            { type: 'put', strike: 100, expiry, exercise: 'european' },
            { spot: 0.00961116520613947, rate: 0, dividendYield: 0 },
          ),
        (error: unknown) => isCoreError(error) && error.code === 'ERR_CORE_PRICE_ABOVE_MAXIMUM',
        `T=${expiry}`,
      );
    }
  });
});
