import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { blackScholesPrice, priceBlackScholes } from '../../../src/core/engines/black-scholes.js';
import {
  bjerksundStensland2002Price,
  priceBjerksundStensland,
  twoStepBoundaryCall,
} from '../../../src/core/engines/bjerksund-stensland.js';
import { CoreError } from '../../../src/core/errors.js';
import { oracleBs2002, oracleEuropean } from '../oracles/bjerksund-stensland-2002-oracle.js';
import type { AmericanCase } from './american-approximation-support.js';
import {
  americanOption,
  assertClose,
  describeCase,
  europeanOption,
  intrinsic,
  marketOf,
} from './american-approximation-support.js';
import { xorshift32 } from '../../../bench/support/xorshift32.js';

function price(c: AmericanCase, greeks = false) {
  return priceBjerksundStensland(americanOption(c), marketOf(c), { greeks });
}

/** The oracle's literal formula with the engine's two documented floors (European value, intrinsic value). */
function oracle(c: AmericanCase): number {
  const raw = oracleBs2002(c.type, c.spot, c.strike, c.expiry, c.rate, c.dividendYield, c.volatility);
  return Math.max(
    raw,
    oracleEuropean(c.type, c.spot, c.strike, c.expiry, c.rate, c.dividendYield, c.volatility),
    intrinsic(c),
  );
}

/** A fixed pseudo-random set (xorshift32), so every run checks the same cases. */
function randomCases(n: number, seed: number): AmericanCase[] {
  const next = xorshift32(seed);
  const out: AmericanCase[] = [];
  for (let i = 0; i < n; i++) {
    out.push({
      type: next() < 0.5 ? 'call' : 'put',
      spot: 50 + 100 * next(),
      strike: 100,
      expiry: 0.01 + 4 * next(),
      rate: 0.12 * next(),
      dividendYield: 0.12 * next(),
      volatility: 0.05 + 0.9 * next(),
    });
  }
  return out;
}

const EDGE_CASES: AmericanCase[] = [
  // A day to expiry, in, at and out of the money.
  { type: 'put', spot: 99, strike: 100, expiry: 1 / 365, rate: 0.05, dividendYield: 0, volatility: 0.3 },
  { type: 'call', spot: 100, strike: 100, expiry: 1 / 365, rate: 0.02, dividendYield: 0.06, volatility: 0.3 },
  { type: 'put', spot: 103, strike: 100, expiry: 1 / 365, rate: 0.05, dividendYield: 0.01, volatility: 0.6 },
  // Ten years; very high and low volatility.
  { type: 'put', spot: 100, strike: 100, expiry: 10, rate: 0.05, dividendYield: 0.02, volatility: 0.25 },
  { type: 'call', spot: 80, strike: 100, expiry: 10, rate: 0.03, dividendYield: 0.07, volatility: 1.5 },
  { type: 'put', spot: 120, strike: 100, expiry: 0.5, rate: 0.08, dividendYield: 0, volatility: 0.04 },
  { type: 'call', spot: 100, strike: 100, expiry: 1, rate: 0.05, dividendYield: 0.05, volatility: 0.0021 },
  // Deep in the money but below the first trigger; far out of the money.
  { type: 'put', spot: 62, strike: 100, expiry: 2, rate: 0.07, dividendYield: 0.0, volatility: 0.35 },
  { type: 'call', spot: 30, strike: 100, expiry: 1, rate: 0.04, dividendYield: 0.1, volatility: 0.3 },
  // Strongly negative carry, where the second-period trigger I1 lies above I2.
  { type: 'call', spot: 100, strike: 100, expiry: 2, rate: 0.02, dividendYield: 0.15, volatility: 0.1 },
  { type: 'put', spot: 95, strike: 100, expiry: 3, rate: 0.1, dividendYield: 0.01, volatility: 0.1 },
  // Negative rate with a positive dividend yield (call), q = r.
  { type: 'call', spot: 105, strike: 100, expiry: 1, rate: -0.01, dividendYield: 0.03, volatility: 0.2 },
  { type: 'put', spot: 100, strike: 100, expiry: 0.5, rate: 0.1, dividendYield: 0.1, volatility: 0.25 },
];

describe('bjerksund_stensland (Bjerksund & Stensland 2002, two-step exercise boundary)', () => {
  it("reproduces Haug's published Bjerksund-Stensland (2002) values at their printed 4 decimals", () => {
    // Haug, "The Complete Guide to Option Pricing Formulas", 2nd ed. (McGraw-Hill 2007), ch. 3, Bjerksund-
    // Stensland 2002 values for X = 100, T = 0.5, r = 0.1, b = 0 (so q = 0.1), as transcribed in the tests of
    // the GBS Python library (Davis Edwards, "Python_Option_Pricing"): calls and puts at S = 90, 100, 110 with
    // sigma = 0.15, 0.25, 0.35 respectively.
    const published: [AmericanCase['type'], number, number, number][] = [
      ['call', 90, 0.15, 0.8099],
      ['call', 100, 0.25, 6.7661],
      ['call', 110, 0.35, 15.5137],
      ['put', 90, 0.15, 10.54],
      ['put', 100, 0.25, 6.7661],
      ['put', 110, 0.35, 5.8374],
    ];
    for (const [type, spot, volatility, value] of published) {
      const c: AmericanCase = { type, spot, strike: 100, expiry: 0.5, rate: 0.1, dividendYield: 0.1, volatility };
      assertClose(price(c).value, value, 0, 5e-5, 'Haug (2007)', c);
    }
  });

  it('agrees to 1e-8 relative with the independent oracle (literal formula, bivariate normal by adaptive quadrature) on 70 random and 13 edge cases', () => {
    let worst = 0;
    for (const c of [...randomCases(70, 20021021), ...EDGE_CASES]) {
      const expected = oracle(c);
      assert.ok(Number.isFinite(expected), `oracle failed: ${describeCase(c)}`);
      const deviation = assertClose(price(c).value, expected, 1e-8, 1e-12 * Math.max(c.spot, c.strike), 'oracle', c);
      if (expected >= 1e-6 * c.strike) worst = Math.max(worst, deviation);
    }
    // Measured: ~5e-11 (the oracle's own quadrature and normal CDF are good to ~1e-14 absolute).
    assert.ok(worst < 1e-9, `worst relative deviation ${worst}`);
  });

  it('gives the same numbers from its fast arrangement and its all-logarithms arrangement (to 1e-12)', () => {
    for (const c of randomCases(200, 7)) {
      const call =
        c.type === 'call' ? c : { ...c, spot: c.strike, strike: c.spot, rate: c.dividendYield, dividendYield: c.rate };
      if (call.dividendYield <= 0) continue;
      const fast = twoStepBoundaryCall(
        call.spot,
        call.strike,
        call.expiry,
        call.volatility,
        call.rate,
        call.dividendYield,
        false,
      );
      const general = twoStepBoundaryCall(
        call.spot,
        call.strike,
        call.expiry,
        call.volatility,
        call.rate,
        call.dividendYield,
        true,
      );
      if (!Number.isFinite(fast)) {
        assert.equal(general, fast, describeCase(c));
        continue;
      }
      assertClose(fast, general, 1e-12, 1e-13 * call.strike, 'fast vs general', c);
    }
  });

  it('stays finite, within [max(European, intrinsic), strike bound] for tiny volatility, where the literal formula overflows, and reports converged: false only where the carry is below -2 sigma / sqrt(T)', () => {
    for (const volatility of [1e-4, 5e-4, 2e-3]) {
      for (const spot of [95, 99.9, 100, 100.1, 105]) {
        for (const [rate, dividendYield] of [
          [0.05, 0.05],
          [0.03, 0.08],
          [0.08, 0.03],
        ] as const) {
          for (const type of ['call', 'put'] as const) {
            const c: AmericanCase = { type, spot, strike: 100, expiry: 1, rate, dividendYield, volatility };
            const { value, diagnostics } = price(c);
            const european = blackScholesPrice(type, spot, 100, 1, volatility, rate, dividendYield);
            assert.ok(
              Number.isFinite(value) && value >= Math.max(european, intrinsic(c)) - 1e-14,
              `${describeCase(c)} -> ${value}`,
            );
            assert.ok(value <= (type === 'call' ? spot : 100), `${describeCase(c)} -> ${value}`);
            // A carry below -2 sigma / sqrt(T) puts the trigger below the strike: the method fails and says so.
            const carry = type === 'call' ? rate - dividendYield : dividendYield - rate;
            assert.equal(diagnostics.converged, carry >= -2 * volatility, describeCase(c));
          }
        }
      }
    }
  });

  it('prices calls with q <= 0 and puts with r <= 0 at exactly the Black-Scholes value (b >= r: never exercised early)', () => {
    const cases: AmericanCase[] = [
      { type: 'call', spot: 95, strike: 100, expiry: 1, rate: 0.05, dividendYield: 0, volatility: 0.3 },
      { type: 'put', spot: 95, strike: 100, expiry: 1, rate: 0, dividendYield: 0.03, volatility: 0.3 },
      { type: 'put', spot: 95, strike: 100, expiry: 1, rate: -0.01, dividendYield: 0.0, volatility: 0.3 },
    ];
    for (const c of cases) {
      assert.equal(
        price(c).value,
        blackScholesPrice(c.type, c.spot, c.strike, c.expiry, c.volatility, c.rate, c.dividendYield),
        describeCase(c),
      );
    }
  });

  it('satisfies the put-call transformation P(S, K, T, r, q, sigma) = C(K, S, T, q, r, sigma)', () => {
    for (const c of randomCases(100, 3)) {
      const put: AmericanCase = { ...c, type: 'put' };
      const call: AmericanCase = {
        ...c,
        type: 'call',
        spot: c.strike,
        strike: c.spot,
        rate: c.dividendYield,
        dividendYield: c.rate,
      };
      assertClose(price(put).value, price(call).value, 1e-13, 1e-13 * c.strike, 'put vs transformed call', put);
    }
  });

  it('refuses European exercise with ERR_CORE_UNSUPPORTED_EXERCISE (param exercise) and invalid inputs with ERR_CORE_INVALID_INPUT', () => {
    const c: AmericanCase = {
      type: 'put',
      spot: 100,
      strike: 100,
      expiry: 1,
      rate: 0.05,
      dividendYield: 0,
      volatility: 0.2,
    };
    assert.throws(
      () => priceBjerksundStensland(europeanOption(c), marketOf(c)),
      (e: unknown) => e instanceof CoreError && e.code === 'ERR_CORE_UNSUPPORTED_EXERCISE' && e.param === 'exercise',
    );
    for (const [patch, param] of [
      [{ spot: -100 }, 'spot'],
      [{ expiry: -1 }, 'expiry'],
      [{ volatility: Number.NaN }, 'volatility'],
      [{ dividendYield: Number.NEGATIVE_INFINITY }, 'dividendYield'],
    ] as const) {
      const bad = { ...c, ...patch };
      assert.throws(
        () => price(bad),
        (e: unknown) => e instanceof CoreError && e.code === 'ERR_CORE_INVALID_INPUT' && e.param === param,
        describeCase(bad),
      );
    }
  });

  it('returns five bump-and-revalue greeks with diagnostics { model: bjerksund_stensland, converged: true }', () => {
    const c: AmericanCase = {
      type: 'put',
      spot: 92,
      strike: 100,
      expiry: 0.8,
      rate: 0.07,
      dividendYield: 0.01,
      volatility: 0.28,
    };
    const result = price(c, true);
    assert.deepEqual(result.diagnostics, { model: 'bjerksund_stensland', converged: true });
    const g = result.greeks!;
    assert.ok(g.delta > -1 && g.delta < 0 && g.gamma > 0 && g.vega > 0 && g.rho < 0 && g.theta < 0, JSON.stringify(g));
    // Delta and gamma against a wider central difference of the same model.
    const h = 0.01;
    const up = bjerksundStensland2002Price('put', 92 + h, 100, 0.8, 0.28, 0.07, 0.01);
    const down = bjerksundStensland2002Price('put', 92 - h, 100, 0.8, 0.28, 0.07, 0.01);
    assertClose(g.delta, (up - down) / (2 * h), 1e-5, 0, 'delta', c);
    assertClose(g.gamma, (up - 2 * result.value + down) / (h * h), 1e-4, 0, 'gamma', c);
  });

  it('gives bump-and-revalue greeks within 1e-5 of the analytic Black-Scholes ones where there is no early-exercise premium (call, q = 0; put, r = 0)', () => {
    const cases: AmericanCase[] = [
      { type: 'call', spot: 90, strike: 100, expiry: 0.5, rate: 0.05, dividendYield: 0, volatility: 0.25 },
      { type: 'call', spot: 100, strike: 100, expiry: 0.02, rate: 0.03, dividendYield: 0, volatility: 0.2 },
      { type: 'put', spot: 110, strike: 100, expiry: 1.5, rate: 0, dividendYield: 0.02, volatility: 0.35 },
    ];
    for (const c of cases) {
      const bumped = priceBjerksundStensland(americanOption(c), marketOf(c)).greeks!;
      const exact = priceBlackScholes(europeanOption(c), marketOf(c)).greeks!;
      // rho is left out for the put at r = 0: its stencil straddles the switch to the approximation at r > 0.
      for (const g of ['delta', 'gamma', 'theta', 'vega', 'rho'] as const) {
        if (g === 'rho' && c.type === 'put') continue;
        assertClose(bumped[g], exact[g], 1e-5, 1e-9, g, c);
      }
    }
  });
});
