import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { ModelName } from '../../../src/core/models.js';
import {
  AMERICAN_MODELS,
  caseArb,
  describeCase,
  discounted,
  monteCarloCaseArb,
  price,
  roundingFloor,
  stoppingRuleNoise,
  value,
  type Case,
} from './property-support.js';

const EPS = 2 ** -53;

/** C - P - (S e^{-qT} - K e^{-rT}) for one model, European exercise. */
function parityGap(model: ModelName, c: Case): { gap: number; call: number; put: number } {
  const call = value(model, { ...c, type: 'call' }, 'european');
  const put = value(model, { ...c, type: 'put' }, 'european');
  const d = discounted(c);
  return { gap: call - put - (d.spot - d.strike), call, put };
}

function assertParity(model: ModelName, c: Case, bound: number): void {
  const { gap, call, put } = parityGap(model, c);
  assert.ok(
    Math.abs(gap) <= bound,
    `C - P misses S e^{-qT} - K e^{-rT} by ${gap} > ${bound} (C ${call}, P ${put}); ${describeCase(c, 'european', model)}`,
  );
}

describe('put-call parity C - P = S e^{-qT} - K e^{-rT} across models (European)', () => {
  it('black_scholes, and barone_adesi_whaley on European exercise (the same closed form): to 8 ulps of S e^{-qT} + K e^{-rT}', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const d = discounted(c);
        for (const model of ['black_scholes', 'barone_adesi_whaley'] as const)
          assertParity(model, c, 8 * EPS * (d.spot + d.strike));
      }),
      { numRuns: 500 },
    );
  });

  it('binomial_200 and leisen_reimer: to rounding (1e-12 of max(S, K)), since both trees match the one-step forward e^{(r-q)dt} exactly', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        for (const model of ['binomial_200', 'leisen_reimer'] as const) assertParity(model, c, roundingFloor(c));
      }),
      { numRuns: 80 },
    );
  });

  it('monte_carlo_20k with one seed for both: within 4 (se(C) + se(P)), the standard error of the simulated forward', () => {
    // With the same normals, every path's call payoff minus its put payoff is S_T - K, so C - P is the
    // discounted sample mean of S_T minus K e^{-rT}: parity is off only by the sampling error of that mean. Its
    // standard error is at most se(C) + se(P) (the pair averages of S_T - K are those of the call minus those of
    // the put), so a 4-standard-error bound fails with probability ~6e-5 per draw.
    fc.assert(
      fc.property(monteCarloCaseArb, (c) => {
        const call = price('monte_carlo_20k', { ...c, type: 'call' }, 'european');
        const put = price('monte_carlo_20k', { ...c, type: 'put' }, 'european');
        const d = discounted(c);
        const gap = call.value - put.value - (d.spot - d.strike);
        const bound = 4 * (call.diagnostics.standardError! + put.diagnostics.standardError!) + roundingFloor(c);
        assert.ok(
          Math.abs(gap) <= bound,
          `C - P misses the forward by ${gap} > ${bound} (C ${call.value} se ${call.diagnostics.standardError}, P ${put.value} se ${put.diagnostics.standardError}); ${describeCase(c, 'european', 'monte_carlo_20k')}`,
        );
      }),
      { numRuns: 60 },
    );
  });
});

describe('the American put-call inequalities S e^{-qT} - K <= C - P <= S - K e^{-rT} (Hull, ch. 17; r >= 0, q >= 0)', () => {
  // The two static-replication arguments behind them need cash to grow (r >= 0) and a share held to be worth
  // at least its dividend-stripped forward (q >= 0); with r < 0 they fail in general, so the rate is drawn as |r|.
  // Trees and the Bjerksund-Stensland formulas satisfy them to rounding; barone_adesi_whaley to its stopping rule.

  for (const model of AMERICAN_MODELS) {
    it(`${model} keeps C - P between them`, () => {
      fc.assert(
        fc.property(caseArb, (drawn) => {
          const c = { ...drawn, rate: Math.abs(drawn.rate) };
          const call = value(model, { ...c, type: 'call' }, 'american');
          const put = value(model, { ...c, type: 'put' }, 'american');
          const d = discounted(c);
          const floor = roundingFloor(c) + stoppingRuleNoise(model, c, 'american');
          const lower = d.spot - c.strike;
          const upper = c.spot - d.strike;
          assert.ok(
            call - put >= lower - floor,
            `C - P = ${call - put} < S e^{-qT} - K = ${lower} (C ${call}, P ${put}); ${describeCase(c, 'american', model)}`,
          );
          assert.ok(
            call - put <= upper + floor,
            `C - P = ${call - put} > S - K e^{-rT} = ${upper} (C ${call}, P ${put}); ${describeCase(c, 'american', model)}`,
          );
        }),
        { numRuns: model === 'binomial_200' || model === 'leisen_reimer' ? 80 : 300 },
      );
    });
  }
});
