import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  AMERICAN_MAX_VOLATILITY,
  AMERICAN_MIN_VOLATILITY,
  impliedVolatilityAmerican,
} from '../../../src/core/engines/implied-volatility-american.js';
import { priceBinomialCrr } from '../../../src/core/engines/binomial-crr.js';
import { blackScholesPrice } from '../../../src/core/engines/black-scholes.js';
import { CoreError, type CoreErrorCode } from '../../../src/core/errors.js';
import type { OptionSpec, OptionType } from '../../../src/core/instruments/option-spec.js';

type Market = { spot: number; rate: number; dividendYield: number };

function crrPricer(option: OptionSpec, market: Market): (volatility: number) => number {
  return (volatility) => priceBinomialCrr(option, { ...market, volatility }, { greeks: false }).value;
}

function counting(pricer: (v: number) => number): { pricer: (v: number) => number; calls: () => number } {
  let n = 0;
  return {
    pricer: (v) => {
      n++;
      return pricer(v);
    },
    calls: () => n,
  };
}

function isCoreError(code: CoreErrorCode, param?: string, message?: RegExp) {
  return (error: unknown): boolean =>
    error instanceof CoreError &&
    error.code === code &&
    (param === undefined || error.param === param) &&
    (message === undefined || message.test(error.message));
}

describe('impliedVolatilityAmerican with the binomial_200 (CRR) pricer', () => {
  it('matches the quoted price to 1e-10 relative and recovers sigma, in a bounded number of tree evaluations', () => {
    const cases: [OptionType, number, number, number, number, number][] = [
      // type, spot, strike, expiry, rate, dividendYield
      ['put', 100, 100, 1, 0.05, 0],
      ['put', 90, 100, 0.5, 0.08, 0.02],
      ['put', 120, 100, 2, 0.03, 0.01],
      ['call', 100, 95, 1, 0.03, 0.07],
      ['call', 80, 100, 0.25, 0.05, 0.04],
    ];
    let checked = 0;
    for (const [type, spot, strike, expiry, rate, dividendYield] of cases) {
      for (const sigma of [0.15, 0.3, 0.6, 1.5]) {
        const option: OptionSpec = { type, strike, expiry, exercise: 'american' };
        const market = { spot, rate, dividendYield };
        const tree = crrPricer(option, market);
        const price = tree(sigma);
        // Deep in the money at low volatility the tree exercises at once: the price is the intrinsic value for a
        // whole range of sigma, and is refused as "not above the intrinsic value" (tested below).
        if (price <= Math.max(type === 'call' ? spot - strike : strike - spot, 0)) continue;
        checked++;
        const counted = counting(tree);
        const context = `${type} S=${spot} K=${strike} T=${expiry} r=${rate} q=${dividendYield} sigma=${sigma} price=${price}`;
        const result = impliedVolatilityAmerican(price, option, market, counted.pricer);
        assert.equal(result.converged, true);
        assert.equal(result.iterations, counted.calls(), context);
        assert.ok(result.iterations <= 20, `${result.iterations} evaluations: ${context}`);
        const repriced = tree(result.volatility);
        assert.ok(Math.abs(repriced / price - 1) <= 1e-10, `repriced ${repriced}: ${context}`);
        // The tree's price is smooth in sigma here, so sigma itself is recovered to (price tolerance) x (condition).
        assert.ok(Math.abs(result.volatility / sigma - 1) <= 1e-8, `volatility ${result.volatility}: ${context}`);
      }
    }
    assert.ok(checked >= 18, `only ${checked} cases checked`);
  });

  it('recovers sigma from American puts over random markets (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 60, max: 140, noNaN: true }),
        fc.double({ min: 0.1, max: 3, noNaN: true }),
        fc.double({ min: 0, max: 0.1, noNaN: true }),
        fc.double({ min: 0, max: 0.05, noNaN: true }),
        fc.double({ min: 0.1, max: 1.2, noNaN: true }),
        (spot, expiry, rate, dividendYield, sigma) => {
          const option: OptionSpec = { type: 'put', strike: 100, expiry, exercise: 'american' };
          const market = { spot, rate, dividendYield };
          const tree = crrPricer(option, market);
          const price = tree(sigma);
          // Deep in the money the tree exercises at once over a range of sigma: no unique answer there.
          if (!(price > Math.max(100 - spot, 0) * (1 + 1e-6) + 1e-9)) return;
          const result = impliedVolatilityAmerican(price, option, market, tree);
          const repriced = tree(result.volatility);
          assert.ok(
            Math.abs(repriced / price - 1) <= 1e-10,
            `repriced ${repriced} vs ${price} (S=${spot} T=${expiry} r=${rate} q=${dividendYield} sigma=${sigma})`,
          );
          assert.ok(result.iterations <= 25, `iterations ${result.iterations}`);
        },
      ),
      { numRuns: 40, seed: 20261128 }, // fixed: a random draw can land a put exactly on the no-arbitrage bound, where no sigma fits
    );
  });
});

describe('impliedVolatilityAmerican as a generic inverter', () => {
  it('recovers sigma to 1e-12 from a European Black-Scholes pricer with a tight price tolerance', () => {
    for (const [type, strike, sigma] of [
      ['call', 90, 0.2],
      ['put', 110, 0.45],
      ['call', 130, 0.8],
    ] as const) {
      const option: OptionSpec = { type, strike, expiry: 0.75, exercise: 'european' };
      const price = blackScholesPrice(type, 100, strike, 0.75, sigma, 0.04, 0.01);
      const result = impliedVolatilityAmerican(
        price,
        option,
        { spot: 100, rate: 0.04, dividendYield: 0.01 },
        (v) => blackScholesPrice(type, 100, strike, 0.75, v, 0.04, 0.01),
        {
          priceTolerance: 1e-15,
        },
      );
      assert.ok(Math.abs(result.volatility / sigma - 1) <= 1e-12, `${type} K=${strike}: ${result.volatility}`);
    }
  });

  it('stops early with a loose price tolerance', () => {
    const option: OptionSpec = { type: 'put', strike: 100, expiry: 1, exercise: 'american' };
    const market = { spot: 100, rate: 0.05, dividendYield: 0 };
    const tree = crrPricer(option, market);
    const price = tree(0.3);
    const loose = impliedVolatilityAmerican(price, option, market, tree, { priceTolerance: 1e-3 });
    const tight = impliedVolatilityAmerican(price, option, market, tree);
    assert.ok(Math.abs(tree(loose.volatility) / price - 1) <= 1e-3);
    assert.ok(loose.iterations < tight.iterations, `${loose.iterations} vs ${tight.iterations}`);
  });
});

describe('impliedVolatilityAmerican refusals', () => {
  const put: OptionSpec = { type: 'put', strike: 100, expiry: 1, exercise: 'american' };
  const call: OptionSpec = { type: 'call', strike: 100, expiry: 1, exercise: 'american' };
  const market = { spot: 90, rate: 0.05, dividendYield: 0 };
  const never = (): number => {
    throw new Error('the pricer must not be called');
  };

  it('throws ERR_CORE_PRICE_BELOW_INTRINSIC at or below the American intrinsic value, naming it', () => {
    for (const price of [10, 9.99, 0]) {
      assert.throws(
        () => impliedVolatilityAmerican(price, put, market, never),
        isCoreError(
          'ERR_CORE_PRICE_BELOW_INTRINSIC',
          'price',
          /bound 10 of an American put \(the intrinsic value max\(K - S, 0\)\)/,
        ),
        `price ${price}`,
      );
    }
  });

  it('uses the European lower bound where it is the higher one (a call with r > q)', () => {
    const spot = 110;
    const europeanLower = spot - 100 * Math.exp(-0.05);
    assert.ok(europeanLower > 10);
    assert.throws(
      () => impliedVolatilityAmerican(0.5 * (10 + europeanLower), call, { ...market, spot }, never),
      isCoreError('ERR_CORE_PRICE_BELOW_INTRINSIC', 'price', /the European lower bound/),
    );
  });

  it('throws ERR_CORE_PRICE_ABOVE_MAXIMUM at or above S (call) or K (put), naming the bound', () => {
    assert.throws(
      () => impliedVolatilityAmerican(100, put, market, never),
      isCoreError('ERR_CORE_PRICE_ABOVE_MAXIMUM', 'price', /bound 100 of an American put/),
    );
    assert.throws(
      () => impliedVolatilityAmerican(90, call, market, never),
      isCoreError('ERR_CORE_PRICE_ABOVE_MAXIMUM', 'price', /bound 90 of an American call/),
    );
    assert.throws(
      () => impliedVolatilityAmerican(95, call, market, never),
      isCoreError('ERR_CORE_PRICE_ABOVE_MAXIMUM', 'price'),
    );
  });

  it('applies the European bounds to European exercise', () => {
    const europeanPut: OptionSpec = { ...put, exercise: 'european' };
    const upper = 100 * Math.exp(-0.05);
    assert.throws(
      () => impliedVolatilityAmerican(upper, europeanPut, market, never),
      isCoreError('ERR_CORE_PRICE_ABOVE_MAXIMUM', 'price', /K e\^\(-rT\)/),
    );
    assert.throws(
      () => impliedVolatilityAmerican(upper - 90, europeanPut, market, never),
      isCoreError('ERR_CORE_PRICE_BELOW_INTRINSIC', 'price'),
    );
  });

  it(`throws ERR_CORE_PRICE_ABOVE_MAXIMUM when the model cannot reach the price by volatility ${AMERICAN_MAX_VOLATILITY}`, () => {
    // A model that saturates at 20: a price of 30 is inside the no-arbitrage bounds but beyond the model.
    const saturating = (v: number): number => 20 * (1 - Math.exp(-v));
    assert.throws(
      () => impliedVolatilityAmerican(30, put, market, saturating),
      isCoreError('ERR_CORE_PRICE_ABOVE_MAXIMUM', 'price', /volatility 10/),
    );
  });

  it(`throws ERR_CORE_PRICE_BELOW_INTRINSIC when the model stays above the price down to volatility ${AMERICAN_MIN_VOLATILITY}`, () => {
    const floor = (v: number): number => 12 + v;
    assert.throws(
      () => impliedVolatilityAmerican(12.00001, put, market, floor),
      isCoreError('ERR_CORE_PRICE_BELOW_INTRINSIC', 'price', /volatility 0\.0001/),
    );
  });

  it('searches down to the lowest volatility a pricer accepts and refuses below it (the CRR tree with a large carry)', () => {
    // CRR needs sigma >= |r - q| sqrt(T/200), 0.0354 with r = 0.5: an at-the-money put is worth about 0.0004 there.
    const highRate = { spot: 100, rate: 0.5, dividendYield: 0 };
    const option: OptionSpec = { type: 'put', strike: 100, expiry: 1, exercise: 'american' };
    const tree = crrPricer(option, highRate);
    assert.throws(
      () => impliedVolatilityAmerican(1e-6, option, highRate, tree),
      (error: unknown) =>
        isCoreError('ERR_CORE_PRICE_BELOW_INTRINSIC', 'price', /lowest volatility the model accepts/)(error) &&
        (error as CoreError).cause instanceof CoreError,
    );
    // Just above the floor the answer lies between the refused and the accepted volatilities, and is found.
    const result = impliedVolatilityAmerican(1e-3, option, highRate, tree);
    assert.ok(
      result.volatility > 0.5 * Math.sqrt(1 / 200) * 0.999 && result.volatility < 0.037,
      `volatility ${result.volatility}`,
    );
    assert.ok(Math.abs(tree(result.volatility) / 1e-3 - 1) <= 1e-10);
  });

  it('throws ERR_CORE_NO_CONVERGENCE when the pricer returns NaN or the evaluation budget runs out', () => {
    assert.throws(
      () => impliedVolatilityAmerican(15, put, market, () => Number.NaN),
      isCoreError('ERR_CORE_NO_CONVERGENCE', 'price', /NaN/),
    );
    const tree = crrPricer(put, market);
    assert.throws(
      () => impliedVolatilityAmerican(tree(0.3), put, market, tree, { maxEvaluations: 3 }),
      isCoreError('ERR_CORE_NO_CONVERGENCE', 'price', /3 pricer evaluations/),
    );
  });

  it('throws ERR_CORE_INVALID_INPUT for a bad price, market field, pricer or option', () => {
    const cases: [string, () => unknown][] = [
      ['price', () => impliedVolatilityAmerican(Number.NaN, put, market, never)],
      ['price', () => impliedVolatilityAmerican(-1, put, market, never)],
      ['spot', () => impliedVolatilityAmerican(12, put, { ...market, spot: -90 }, never)],
      ['expiry', () => impliedVolatilityAmerican(12, { ...put, expiry: 0 }, market, never)],
      ['pricer', () => impliedVolatilityAmerican(12, put, market, 'binomial_200' as unknown as (v: number) => number)],
      ['priceTolerance', () => impliedVolatilityAmerican(12, put, market, never, { priceTolerance: 0 })],
      ['maxEvaluations', () => impliedVolatilityAmerican(12, put, market, never, { maxEvaluations: 2.5 })],
    ];
    for (const [param, call] of cases) assert.throws(call, isCoreError('ERR_CORE_INVALID_INPUT', param), param);
  });
});
