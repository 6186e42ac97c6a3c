/**
 * Defects the cross-model properties found in src/core, each kept as a regression test now that it is fixed
 * (docs/numerics.md, "Known defects", says how). Every case prints its inputs, the engine's answer and the
 * reference it is held to: the 2001-step Leisen-Reimer tree.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { impliedVolatilityAmerican } from '../../../src/core/engines/implied-volatility-american.js';
import { priceLeisenReimer } from '../../../src/core/engines/leisen-reimer.js';
import { CoreError } from '../../../src/core/errors.js';
import type { ModelName } from '../../../src/core/models.js';
import { describeCase, marketOf, optionOf, price, priceScale, value, type Case } from './property-support.js';

const APPROXIMATIONS: readonly ModelName[] = ['barone_adesi_whaley', 'bjerksund_stensland', 'bjerksund_stensland_1993'];

/** The 2001-step Leisen-Reimer American value (within 1e-4 S sigma sqrt(T) of a 4001-step tree on the consistency grid). */
function treeValue(c: Case): number {
  return priceLeisenReimer(optionOf(c, 'american'), marketOf(c), { steps: 2001, greeks: false }).value;
}

/** Within 3e-2 S sigma sqrt(T) of the tree (the approximations' tolerance in engine-consistency.test.ts), or says it is not. */
function assertAccurateOrFlagged(model: ModelName, c: Case): void {
  const result = price(model, c, 'american');
  const reference = treeValue(c);
  const error = Math.abs(result.value - reference) / priceScale(c);
  assert.ok(
    error <= 3e-2 || !result.diagnostics.converged,
    `${result.value} (converged: ${result.diagnostics.converged}) vs 2001-step tree ${reference}: ${error} of S sigma sqrt(T); ${describeCase(c, 'american', model)}`,
  );
}

describe('defects the properties found, fixed (regression tests)', () => {
  // Early exercise of a call pays when r < 0 even without dividends: paying the strike now costs less than paying
  // it at expiry. Merton's "never exercise a call early" needs q <= 0 AND r >= 0; the three approximations applied it
  // whenever q <= 0 and returned the European value: S = K = 100, r = -5%, sigma = 20%, T = 5 gives 9.012 where the
  // American value is 10.976 (-18%); sigma = 10%, T = 10 gives 0.977 for 3.754 (-74%).
  const negativeRateCalls: Case[] = [
    { type: 'call', spot: 100, strike: 100, expiry: 5, volatility: 0.2, rate: -0.05, dividendYield: 0 },
    { type: 'call', spot: 100, strike: 100, expiry: 10, volatility: 0.1, rate: -0.05, dividendYield: 0 },
  ];
  it('barone_adesi_whaley, bjerksund_stensland and bjerksund_stensland_1993 value an American call with q = 0 and r < 0 near the tree, or flag it', () => {
    for (const c of negativeRateCalls) for (const model of APPROXIMATIONS) assertAccurateOrFlagged(model, c);
  });

  it('black_scholes does not pass off the European value as an American call with q = 0 when r < 0', () => {
    for (const c of negativeRateCalls) {
      let answer: number | CoreError;
      try {
        answer = value('black_scholes', c, 'american');
      } catch (error) {
        answer = error as CoreError;
      }
      if (answer instanceof CoreError) assert.equal(answer.code, 'ERR_CORE_UNSUPPORTED_EXERCISE');
      else
        assert.ok(
          Math.abs(answer - treeValue(c)) <= 1e-2 * priceScale(c),
          `black_scholes American ${answer} vs tree ${treeValue(c)}; ${describeCase(c, 'american', 'black_scholes')}`,
        );
    }
  });

  // Where the carry of the equivalent call is below -2 sigma / sqrt(T), both Bjerksund-Stensland triggers fall below
  // the strike and the engines return max(European, intrinsic), a valid lower bound far below the American value
  // (an at-the-money put with r = 15%, q = 0, sigma = 11%, T = 3: 0.046 for 1.452; r = 10%, sigma = 10%, T = 5:
  // 0.076 for 1.791). They used to report it as converged; they now report converged: false.
  it('bjerksund_stensland and bjerksund_stensland_1993 price near the tree, or flag it, where their trigger falls below the strike', () => {
    const cases: Case[] = [
      { type: 'put', spot: 100, strike: 100, expiry: 3, volatility: 0.11, rate: 0.15, dividendYield: 0 },
      { type: 'put', spot: 100, strike: 100, expiry: 5, volatility: 0.1, rate: 0.1, dividendYield: 0 },
      { type: 'call', spot: 100, strike: 100, expiry: 3, volatility: 0.05, rate: 0, dividendYield: 0.1 },
    ];
    for (const c of cases)
      for (const model of ['bjerksund_stensland', 'bjerksund_stensland_1993'] as const)
        assertAccurateOrFlagged(model, c);
  });

  it('barone_adesi_whaley prices the smallest subnormal positive rate like r = 0', () => {
    const c: Case = {
      type: 'call',
      spot: 1,
      strike: 1,
      expiry: 1,
      volatility: 0.05,
      rate: 0,
      dividendYield: 0.03673254467091182,
    };
    const atZero = value('barone_adesi_whaley', c, 'american');
    const atSubnormal = value('barone_adesi_whaley', { ...c, rate: 5e-324 }, 'american');
    assert.ok(
      Math.abs(atSubnormal - atZero) <= 1e-12,
      `r = 5e-324: ${atSubnormal}, r = 0: ${atZero}; ${describeCase(c, 'american', 'barone_adesi_whaley')}`,
    );
  });

  it('impliedVolatilityAmerican inverts an American put price between K and K e^{-rT} when r < 0', () => {
    const c: Case = { type: 'put', spot: 100, strike: 100, expiry: 10, volatility: 1, rate: -0.05, dividendYield: 0 };
    const pricer = (volatility: number): number => value('binomial_200', { ...c, volatility }, 'american');
    const quote = pricer(c.volatility); // 150.27, above K = 100
    const result = impliedVolatilityAmerican(quote, optionOf(c, 'american'), marketOf(c), pricer);
    assert.ok(
      Math.abs(result.volatility - c.volatility) <= 1e-6,
      `recovered ${result.volatility} from ${quote}; ${describeCase(c, 'american', 'binomial_200')}`,
    );
  });
});
