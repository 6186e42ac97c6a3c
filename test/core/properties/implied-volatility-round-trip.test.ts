import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { impliedVolatility } from '../../../src/core/engines/implied-volatility.js';
import { impliedVolatilityAmerican } from '../../../src/core/engines/implied-volatility-american.js';
import { CoreError } from '../../../src/core/errors.js';
import type { ExerciseStyle } from '../../../src/core/instruments/option-spec.js';
import type { ModelName } from '../../../src/core/models.js';
import {
  AMERICAN_MODELS,
  caseArb,
  crrEuropeanErrorBound,
  describeCase,
  inApproximationsNegativeRateCallGap,
  intrinsicValue,
  leisenReimerEuropeanErrorBound,
  marketOf,
  monteCarloCaseArb,
  optionOf,
  price,
  priceScale,
  stoppingRuleNoise,
  value,
  type Case,
} from './property-support.js';

/** P / (sigma dP/dsigma): how much a relative error in the price is amplified in sigma (implied-volatility.test.ts). */
function conditionNumber(c: Case): number {
  const bs = price('black_scholes', c, 'european', true);
  return bs.value / (c.volatility * bs.greeks!.vega);
}

/** The Black-Scholes implied volatility of `quote`, or the CoreError that refused it. */
function blackScholesImplied(quote: number, c: Case): number | CoreError {
  try {
    return impliedVolatility(quote, optionOf(c, 'european'), marketOf(c)).volatility;
  } catch (error) {
    if (error instanceof CoreError) return error;
    throw error;
  }
}

describe('European round trips: a model price -> impliedVolatility (Black-Scholes, "Let\'s be rational") -> sigma', () => {
  it('black_scholes and barone_adesi_whaley (European): sigma back to 1e-12 relative wherever the quote is well conditioned (cond <= 100)', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        for (const model of ['black_scholes', 'barone_adesi_whaley'] as const) {
          const quote = value(model, c, 'european');
          const cond = conditionNumber(c);
          const implied = blackScholesImplied(quote, c);
          const context = `${describeCase(c, 'european', model)} price=${quote} cond=${cond}`;
          if (implied instanceof CoreError) {
            // Refusal only where the time value is lost in the price's own rounding.
            assert.equal(implied.code, 'ERR_CORE_PRICE_BELOW_INTRINSIC', `${implied.message}; ${context}`);
            assert.ok(
              !(quote > 1e-300) || cond > 1e10,
              `refused a quote with cond ${cond}: ${implied.message}; ${context}`,
            );
            continue;
          }
          assert.ok(Number.isFinite(implied) && implied > 0, `volatility ${implied}; ${context}`);
          if (quote > 1e-300 && cond <= 100)
            assert.ok(Math.abs(implied / c.volatility - 1) <= 1e-12, `implied ${implied}; ${context}`);
        }
      }),
      { numRuns: 1000 },
    );
  });

  /**
   * A tree's European price is Black-Scholes plus its discretisation error e, so its Black-Scholes implied volatility
   * is sigma + e / vega to first order. With |e| bounded as property-support.ts measures (crrEuropeanErrorBound,
   * leisenReimerEuropeanErrorBound), |implied - sigma| * vega stays within that bound up to the second-order
   * term, which 2x covers where vega is not tiny (vega >= 1e-3 S sqrt(T), i.e. not deep in or out of the money).
   * Where the tree's price falls outside the Black-Scholes bounds (deep in the money, a time value below the tree's
   * error), the refusal must name the lower bound, and Black-Scholes must indeed be within e of it.
   */
  const treeBound = { binomial_200: crrEuropeanErrorBound, leisen_reimer: leisenReimerEuropeanErrorBound } as const;
  for (const model of ['binomial_200', 'leisen_reimer'] as const) {
    it(`${model}: its Black-Scholes implied volatility is sigma to within its price error over vega`, () => {
      fc.assert(
        fc.property(caseArb, (c) => {
          const quote = value(model, c, 'european');
          const bs = price('black_scholes', c, 'european', true);
          const allowed = treeBound[model](c);
          const implied = blackScholesImplied(quote, c);
          const context = `${describeCase(c, 'european', model)} tree price=${quote} Black-Scholes ${bs.value}`;
          if (implied instanceof CoreError) {
            assert.equal(implied.code, 'ERR_CORE_PRICE_BELOW_INTRINSIC', `${implied.message}; ${context}`);
            const d = {
              spot: c.spot * Math.exp(-c.dividendYield * c.expiry),
              strike: c.strike * Math.exp(-c.rate * c.expiry),
            };
            const bound = Math.max(c.type === 'call' ? d.spot - d.strike : d.strike - d.spot, 0);
            assert.ok(
              bs.value - bound <= allowed,
              `refused although Black-Scholes is ${bs.value - bound} above the bound: ${implied.message}; ${context}`,
            );
            return;
          }
          if (bs.greeks!.vega < 1e-3 * c.spot * Math.sqrt(c.expiry)) return;
          const error = Math.abs(implied - c.volatility) * bs.greeks!.vega;
          assert.ok(
            error <= 2 * allowed,
            `implied ${implied}: |implied - sigma| vega = ${error} > ${2 * allowed}; ${context}`,
          );
        }),
        { numRuns: 150 },
      );
    });
  }

  it('monte_carlo_20k: its Black-Scholes implied volatility is sigma to within 4 standard errors over vega', () => {
    fc.assert(
      fc.property(monteCarloCaseArb, (c) => {
        const mc = price('monte_carlo_20k', c, 'european');
        const bs = price('black_scholes', c, 'european', true);
        const implied = blackScholesImplied(mc.value, c);
        const se = mc.diagnostics.standardError!;
        const context = `${describeCase(c, 'european', 'monte_carlo_20k')} Monte Carlo ${mc.value} (se ${se}), Black-Scholes ${bs.value}`;
        if (implied instanceof CoreError) {
          // An estimate can land outside the bounds by sampling error; Black-Scholes must then be near that bound.
          const d = {
            spot: c.spot * Math.exp(-c.dividendYield * c.expiry),
            strike: c.strike * Math.exp(-c.rate * c.expiry),
          };
          const lower = Math.max(c.type === 'call' ? d.spot - d.strike : d.strike - d.spot, 0);
          const upper = c.type === 'call' ? d.spot : d.strike;
          const gap = implied.code === 'ERR_CORE_PRICE_BELOW_INTRINSIC' ? bs.value - lower : upper - bs.value;
          assert.ok(gap <= 4 * se, `refused (${implied.code}) with Black-Scholes ${gap} inside the bound: ${context}`);
          return;
        }
        if (bs.greeks!.vega < 1e-3 * c.spot * Math.sqrt(c.expiry)) return;
        const error = Math.abs(implied - c.volatility) * bs.greeks!.vega;
        // 4 standard errors of the price, plus the second-order term of the linearisation.
        assert.ok(
          error <= 4 * se * 1.5 + 1e-12 * priceScale(c),
          `implied ${implied}: |implied - sigma| vega = ${error}; ${context}`,
        );
      }),
      { numRuns: 30 },
    );
  });
});

describe('round trips through each model: price = M(sigma) -> impliedVolatilityAmerican with M as the pricer -> sigma', () => {
  /**
   * impliedVolatilityAmerican inverts any pricer that rises with sigma; it stops when the price is matched to 1e-10
   * relative or sigma is bracketed to 1e-12 relative. The price must be a real function of sigma there: a quote at
   * the intrinsic value (deep in the money, exercised at once over a range of sigma) or with a negligible vega has
   * no unique answer, so such draws are skipped (the model's price is required to move by 1e-6 of itself when sigma
   * moves by 1%). Recovered sigma must then reprice the quote to 1e-10 relative (plus barone_adesi_whaley's stopping
   * rule, whose 1e-6 K steps make its price a staircase in sigma) and sit within the matching distance of sigma.
   */
  function roundTrip(model: ModelName, exercise: ExerciseStyle, c: Case): void {
    const pricer = (volatility: number): number => value(model, { ...c, volatility }, exercise);
    const quote = pricer(c.volatility);
    const context = `${describeCase(c, exercise, model)} price=${quote}`;
    const moved = pricer(c.volatility * 1.01) - quote;
    if (!(quote > intrinsicValue(c) * (1 + 1e-6) + 1e-12 * c.strike) || !(moved > 1e-6 * quote)) return;
    // An American put at r < 0 can be worth more than K, which impliedVolatilityAmerican refuses (known-defects.test.ts).
    if (exercise === 'american' && c.type === 'put' && quote >= c.strike) return;
    const result = impliedVolatilityAmerican(quote, optionOf(c, exercise), marketOf(c), pricer);
    const noise = stoppingRuleNoise(model, c, exercise);
    const repriced = pricer(result.volatility);
    assert.ok(result.converged, `not converged: ${JSON.stringify(result)}; ${context}`);
    // Tiny quotes are matched to rounding of the notional rather than to 1e-10 of themselves.
    const matched = 1e-10 * quote + 2 * noise + 1e-15 * Math.max(c.spot, c.strike);
    assert.ok(Math.abs(repriced - quote) <= matched, `sigma ${result.volatility} reprices to ${repriced}; ${context}`);
    // dP/dsigma >= moved / (0.01 sigma) where the price is convex-ish in sigma; a factor 4 covers the curvature.
    const slope = moved / (0.01 * c.volatility);
    const allowed = (4 * matched) / slope + 1e-11 * c.volatility;
    assert.ok(
      Math.abs(result.volatility - c.volatility) <= allowed,
      `sigma ${result.volatility}, |error| ${Math.abs(result.volatility - c.volatility)} > ${allowed}; ${context}`,
    );
    assert.ok(result.iterations <= 40, `${result.iterations} pricer evaluations; ${context}`);
  }

  for (const model of AMERICAN_MODELS) {
    it(`${model} (american) recovers sigma from its own price`, () => {
      fc.assert(
        fc.property(caseArb, (c) => {
          // The approximations' flip to the European value at r < 0, q ~ 0 makes their price jump in sigma there.
          if (model !== 'binomial_200' && model !== 'leisen_reimer' && inApproximationsNegativeRateCallGap(c)) return;
          roundTrip(model, 'american', c);
        }),
        { numRuns: model === 'binomial_200' || model === 'leisen_reimer' ? 30 : 150 },
      );
    });
  }

  for (const model of ['binomial_200', 'leisen_reimer'] as const) {
    it(`${model} (european) recovers sigma from its own price`, () => {
      fc.assert(
        fc.property(caseArb, (c) => roundTrip(model, 'european', c)),
        { numRuns: 30 },
      );
    });
  }
});
