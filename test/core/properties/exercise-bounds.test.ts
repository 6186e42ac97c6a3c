import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { ModelName } from '../../../src/core/models.js';
import {
  AMERICAN_MODELS,
  caseArb,
  crrEuropeanErrorBound,
  describeCase,
  discounted,
  EUROPEAN_MODELS,
  intrinsicValue,
  leisenReimerEuropeanErrorBound,
  monteCarloCaseArb,
  price,
  roundingFloor,
  value,
  type Case,
} from './property-support.js';

/** Trees are cheap without greeks, the closed forms cheaper still. */
const runs = (model: ModelName): number => (model === 'binomial_200' || model === 'leisen_reimer' ? 150 : 400);

/** How far a tree's European value may sit from Black-Scholes (property-support.ts measures both). */
function treeEuropeanError(model: ModelName, c: Case): number | undefined {
  if (model === 'binomial_200') return crrEuropeanErrorBound(c);
  if (model === 'leisen_reimer') return leisenReimerEuropeanErrorBound(c);
  return undefined;
}

describe('European values within the static no-arbitrage bounds max(S e^{-qT} - K e^{-rT}, 0) <= C <= S e^{-qT}, max(K e^{-rT} - S e^{-qT}, 0) <= P <= K e^{-rT}', () => {
  for (const model of EUROPEAN_MODELS.filter((m) => m !== 'monte_carlo_20k')) {
    it(`${model} stays within them to rounding`, () => {
      fc.assert(
        fc.property(caseArb, (c) => {
          const v = value(model, c, 'european');
          const d = discounted(c);
          const forward = c.type === 'call' ? d.spot - d.strike : d.strike - d.spot;
          const lower = Math.max(forward, 0);
          const upper = c.type === 'call' ? d.spot : d.strike;
          const floor = roundingFloor(c);
          assert.ok(
            v >= lower - floor && v <= upper + floor,
            `value ${v} outside [${lower}, ${upper}]; ${describeCase(c, 'european', model)}`,
          );
        }),
        { numRuns: runs(model) },
      );
    });
  }

  it('monte_carlo_20k stays within them to 4 standard errors (its simulated forward is itself an estimate)', () => {
    fc.assert(
      fc.property(monteCarloCaseArb, (c) => {
        const result = price('monte_carlo_20k', c, 'european');
        const d = discounted(c);
        const lower = Math.max(c.type === 'call' ? d.spot - d.strike : d.strike - d.spot, 0);
        const upper = c.type === 'call' ? d.spot : d.strike;
        const slack = 4 * result.diagnostics.standardError! + roundingFloor(c);
        assert.ok(
          result.value >= 0,
          `negative value ${result.value}; ${describeCase(c, 'european', 'monte_carlo_20k')}`,
        );
        assert.ok(
          result.value >= lower - slack && result.value <= upper + slack,
          `value ${result.value} (se ${result.diagnostics.standardError}) outside [${lower}, ${upper}]; ${describeCase(c, 'european', 'monte_carlo_20k')}`,
        );
      }),
      { numRuns: 40 },
    );
  });
});

describe('American values: European <= American, intrinsic <= American <= S (call) or K max(1, e^{-rT}) (put; K when r >= 0)', () => {
  for (const model of AMERICAN_MODELS) {
    it(`${model}: at least its intrinsic value and the black_scholes European value, at most S (call) or K max(1, e^{-rT}) (put)`, () => {
      // The closed-form approximations floor their value at max(European, intrinsic), so they meet the European
      // bound to rounding. A tree meets it against its own European tree exactly (also asserted) and against
      // Black-Scholes only up to that tree's European discretisation error: a 200-step CRR American call with
      // r > q, which is never exercised early, sits up to 1.5e-3 S sigma sqrt(T) below Black-Scholes (measured), and
      // more where the carry dominates the volatility.
      fc.assert(
        fc.property(caseArb, (c) => {
          const treeError = treeEuropeanError(model, c) ?? 0;
          const american = value(model, c, 'american');
          const european = value('black_scholes', c, 'european');
          const floor = roundingFloor(c);
          const context = describeCase(c, 'american', model);
          assert.ok(american >= intrinsicValue(c), `American ${american} < intrinsic ${intrinsicValue(c)}; ${context}`);
          assert.ok(
            american >= european - floor - treeError,
            `American ${american} < black_scholes European ${european}; ${context}`,
          );
          if (treeError > 0) {
            const ownEuropean = value(model, c, 'european');
            assert.ok(
              american >= ownEuropean - floor,
              `American ${american} < the same tree's European ${ownEuropean}; ${context}`,
            );
          }
          // The put's ceiling is K only for r >= 0: with r < 0 a put held to expiry can be worth up to K e^{-rT} > K.
          const ceiling = c.type === 'call' ? c.spot : c.strike * Math.max(1, Math.exp(-c.rate * c.expiry));
          assert.ok(
            american <= ceiling + floor,
            `American ${american} > ${c.type === 'call' ? 'S' : 'K max(1, e^{-rT})'} = ${ceiling}; ${context}`,
          );
        }),
        { numRuns: runs(model) },
      );
    });
  }

  it('every American model values a call with q = 0 and r >= 0 (never exercised early, Merton 1973) like the European call', () => {
    // Equal for the closed forms (they return Black-Scholes there); a tree's American and European rollbacks of
    // the same tree agree to rounding, and the tree is within its discretisation error of Black-Scholes.
    fc.assert(
      fc.property(caseArb, (drawn) => {
        const c: Case = { ...drawn, type: 'call', dividendYield: 0, rate: Math.abs(drawn.rate) };
        const european = value('black_scholes', c, 'european');
        for (const model of AMERICAN_MODELS) {
          const american = value(model, c, 'american');
          const treeError = treeEuropeanError(model, c);
          const reference = treeError === undefined ? european : value(model, c, 'european');
          assert.ok(
            Math.abs(american - reference) <= roundingFloor(c),
            `American ${american} vs European ${reference}; ${describeCase(c, 'american', model)}`,
          );
          if (treeError !== undefined) {
            assert.ok(
              Math.abs(american - european) <= treeError,
              `tree ${american} vs Black-Scholes ${european}; ${describeCase(c, 'american', model)}`,
            );
          }
        }
        assert.equal(
          value('black_scholes', c, 'american'),
          european,
          `black_scholes American call with q = 0; ${describeCase(c, 'american', 'black_scholes')}`,
        );
      }),
      { numRuns: 100 },
    );
  });
});
