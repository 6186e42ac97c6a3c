import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { priceBinomialCrr } from '../../../src/core/engines/binomial-crr.js';
import { priceLeisenReimer } from '../../../src/core/engines/leisen-reimer.js';
import { caseArb, describeCase, marketOf, optionOf, priceScale, value, type Case } from './property-support.js';

/** |tree(steps) - Black-Scholes| for a European option. */
function crrError(c: Case, steps: number): number {
  return Math.abs(
    priceBinomialCrr(optionOf(c, 'european'), marketOf(c), { steps, greeks: false }).value -
      value('black_scholes', c, 'european'),
  );
}

function lrError(c: Case, steps: number): number {
  return Math.abs(
    priceLeisenReimer(optionOf(c, 'european'), marketOf(c), { steps, greeks: false }).value -
      value('black_scholes', c, 'european'),
  );
}

/** Below this a tree's error is rounding, not discretisation: the ratio of two such errors means nothing. */
const roundingLevel = (c: Case): number => 1e-11 * Math.max(c.spot, c.strike);

describe('tree -> Black-Scholes convergence as the steps grow (European)', () => {
  it('leisen_reimer: four times the steps cut the error by 14 to 40 times (order 2: 16), 101 -> 401 steps', () => {
    // Leisen and Reimer (1996): with the strike centred between nodes the error of the Peizer-Pratt tree is smooth,
    // C / n^2. Measured over 200 random draws: ratios 13.9 to 30.3.
    let compared = 0;
    fc.assert(
      fc.property(caseArb, (c) => {
        const coarse = lrError(c, 101);
        const fine = lrError(c, 401);
        if (!(coarse > 1e3 * roundingLevel(c))) return;
        compared++;
        const ratio = coarse / fine;
        assert.ok(
          ratio >= 14 && ratio <= 40,
          `error ${coarse} at 101 steps, ${fine} at 401: ratio ${ratio}; ${describeCase(c, 'european', 'leisen_reimer')}`,
        );
      }),
      { numRuns: 100 },
    );
    assert.ok(compared >= 50, `only ${compared} draws had an error above rounding`);
  });

  it('leisen_reimer: the error at 201 steps (the model) is below 1.5e-6 S sigma sqrt(T), and at 801 steps below a tenth of that', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const scale = priceScale(c);
        assert.ok(
          lrError(c, 201) <= 1.5e-6 * scale,
          `error ${lrError(c, 201)} at 201 steps; ${describeCase(c, 'european', 'leisen_reimer')}`,
        );
        assert.ok(
          lrError(c, 801) <= 1.5e-7 * scale + roundingLevel(c),
          `error ${lrError(c, 801)} at 801 steps; ${describeCase(c, 'european', 'leisen_reimer')}`,
        );
      }),
      { numRuns: 60 },
    );
  });

  it('binomial_200 at the money: doubling the steps halves the error (order 1), 100 -> 200 -> 400 -> 800 steps', () => {
    // With K = S and an even step count the middle terminal node sits on the strike, and the CRR error is the
    // smooth leading term C / n (Leisen and Reimer 1996; Hull ch. 21) as long as the forward stays near the strike
    // (|r - q| T <= 2 sigma sqrt(T)); further away the O(1/n^2) term still shows at 100 steps (measured ratios down
    // to 1.48). Measured ratios per doubling over 2,000 draws with the forward within 2 standard deviations:
    // 1.984 to 2.007.
    fc.assert(
      fc.property(caseArb, (drawn) => {
        const c: Case = { ...drawn, strike: drawn.spot };
        fc.pre(Math.abs((c.rate - c.dividendYield) * c.expiry) <= 2 * c.volatility * Math.sqrt(c.expiry));
        const errors = [100, 200, 400, 800].map((n) => crrError(c, n));
        fc.pre(errors[0]! > 1e3 * roundingLevel(c));
        const context = `errors ${errors.join(', ')} at 100, 200, 400, 800 steps; ${describeCase(c, 'european', 'binomial_200')}`;
        for (let k = 1; k < errors.length; k++) {
          const ratio = errors[k - 1]! / errors[k]!;
          assert.ok(
            ratio >= 1.9 && ratio <= 2.1,
            `ratio ${ratio} between ${50 * 2 ** k} and ${100 * 2 ** k} steps: ${context}`,
          );
        }
      }),
      { numRuns: 40 },
    );
  });

  it('binomial_200 anywhere: n |error| stays below (1 + rho^2) S sigma sqrt(T) / 2 at 200, 400 and 800 steps (an O(1/n) envelope)', () => {
    // Off the money the CRR error oscillates in n as nodes sweep across the strike (the 800-step error can equal
    // the 200-step one), so only its envelope falls like 1/n: a bound on n |error| is what holds. Its constant grows
    // with the carry in standard deviations, rho = |r - q| sqrt(T) / sigma (the tree is centred on the spot, not the
    // forward): measured n |error| / (S sigma sqrt(T)) <= 0.21 (1 + rho^2) at 200 steps (crrEuropeanErrorBound).
    fc.assert(
      fc.property(caseArb, (c) => {
        const scale = priceScale(c);
        const rho = (Math.abs(c.rate - c.dividendYield) * Math.sqrt(c.expiry)) / c.volatility;
        for (const n of [200, 400, 800]) {
          const error = crrError(c, n);
          const bound = 0.5 * (1 + rho * rho);
          assert.ok(
            (n * error) / scale <= bound,
            `n |error| / scale = ${(n * error) / scale} > ${bound} at ${n} steps (error ${error}); ${describeCase(c, 'european', 'binomial_200')}`,
          );
        }
      }),
      { numRuns: 30 },
    );
  });
});
