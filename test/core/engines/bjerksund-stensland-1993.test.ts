import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { blackScholesPrice, priceBlackScholes } from '../../../src/core/engines/black-scholes.js';
import { flatBoundaryCall, priceBjerksundStensland1993 } from '../../../src/core/engines/bjerksund-stensland-1993.js';
import { CoreError } from '../../../src/core/errors.js';
import type { AmericanCase } from './american-approximation-support.js';
import {
  americanOption,
  assertClose,
  describeCase,
  europeanOption,
  intrinsic,
  marketOf,
  QUANTLIB_AMERICAN,
} from './american-approximation-support.js';

function price(c: AmericanCase, greeks = false) {
  return priceBjerksundStensland1993(americanOption(c), marketOf(c), { greeks });
}

function european(c: AmericanCase): number {
  return blackScholesPrice(c.type, c.spot, c.strike, c.expiry, c.volatility, c.rate, c.dividendYield);
}

describe('bjerksund_stensland_1993 (flat exercise boundary, as QuantLib 1.29 implements it)', () => {
  it("matches QuantLib 1.29's BjerksundStenslandApproximationEngine to 1e-8 relative on Haug's table grid (1998 p. 24), Haug's p. 27 examples and 1,190 random and edge cases", () => {
    // QuantLib 1.29 returns the flat-boundary value even where it is below the European value or the
    // intrinsic value; this engine never does, since both are lower bounds of the American value too. The
    // reference is therefore max(QuantLib, European, intrinsic), which is QuantLib's own number except on 21
    // rows (14 edge rows within a week of expiry, 6 random rows with high volatility and a dividend yield
    // close to the rate, 1 of QuantLib's tiny-volatility rows), where the flat-boundary strategy is worth
    // less than never exercising early.
    let worst = 0;
    let compared = 0;
    let floored = 0;
    for (const row of QUANTLIB_AMERICAN.rows) {
      if (row.bjerksundStensland1993 === null) continue;
      const reference = Math.max(row.bjerksundStensland1993, european(row), intrinsic(row));
      if (reference - row.bjerksundStensland1993 > 1e-8 * reference + 1e-12 * Math.max(row.spot, row.strike)) floored++;
      const { value, diagnostics } = price(row);
      assert.equal(diagnostics.converged, true, describeCase(row));
      const deviation = assertClose(
        value,
        reference,
        1e-8,
        1e-12 * Math.max(row.spot, row.strike),
        `${row.set} vs QuantLib`,
        row,
      );
      if (reference >= 1e-6 * row.strike) worst = Math.max(worst, deviation);
      compared++;
    }
    assert.ok(compared > 1200, `compared ${compared}`);
    assert.equal(floored, 21, 'rows where the European/intrinsic floor decides');
    // Measured: 1.5e-10 at worst where the value is above 1e-6 of the strike (small values, where the
    // formula's cancellation between terms of size S leaves ~1e-14 absolute in both implementations).
    assert.ok(worst < 1e-9, `worst relative deviation ${worst}`);
    const haugGrid = QUANTLIB_AMERICAN.rows.filter((r) => r.set === 'haug-1998-p24');
    for (const row of haugGrid)
      assert.equal(
        row.bjerksundStensland1993 !== null && row.bjerksundStensland1993 >= european(row),
        true,
        describeCase(row),
      );
  });

  it("reproduces Haug's Bjerksund-Stensland examples at their printed 4 decimals: 5.2704 (1998 p. 27) and 4.4531 (his VBA example)", () => {
    const rows = QUANTLIB_AMERICAN.rows.filter((r) => r.publishedModel === 'bjerksund_stensland_1993');
    assert.equal(rows.length, 2);
    for (const row of rows) assertClose(price(row).value, row.published!, 0, 5e-5, 'Haug (1998)', row);
  });

  it('returns max(European, intrinsic) with converged: false where QuantLib 1.29 throws "approximation not applicable" (trigger price below the strike)', () => {
    const failing = QUANTLIB_AMERICAN.rows.filter((r) => r.bjerksundStensland1993 === null);
    assert.ok(failing.length > 0);
    for (const row of failing) {
      const { value, diagnostics } = price(row);
      assert.equal(value, Math.max(european(row), intrinsic(row)), describeCase(row));
      assert.equal(diagnostics.converged, false, describeCase(row));
    }
  });

  it('prices calls with q <= 0 and puts with r <= 0 (never exercised early) at exactly the Black-Scholes value', () => {
    const cases: AmericanCase[] = [
      { type: 'call', spot: 95, strike: 100, expiry: 1, rate: 0.05, dividendYield: 0, volatility: 0.3 },
      { type: 'call', spot: 95, strike: 100, expiry: 1, rate: 0.05, dividendYield: -0.01, volatility: 0.3 },
      { type: 'put', spot: 95, strike: 100, expiry: 1, rate: 0, dividendYield: 0.03, volatility: 0.3 },
      { type: 'put', spot: 95, strike: 100, expiry: 1, rate: -0.005, dividendYield: 0.03, volatility: 0.3 },
    ];
    for (const c of cases) assert.equal(price(c).value, european(c), describeCase(c));
  });

  it('gives the same numbers from its fast arrangement and its all-logarithms arrangement (to 1e-12)', () => {
    let compared = 0;
    for (const row of QUANTLIB_AMERICAN.rows) {
      const call =
        row.type === 'call'
          ? row
          : { ...row, spot: row.strike, strike: row.spot, rate: row.dividendYield, dividendYield: row.rate };
      if (call.dividendYield <= 0) continue;
      const fast = flatBoundaryCall(
        call.spot,
        call.strike,
        call.expiry,
        call.volatility,
        call.rate,
        call.dividendYield,
        false,
      );
      const general = flatBoundaryCall(
        call.spot,
        call.strike,
        call.expiry,
        call.volatility,
        call.rate,
        call.dividendYield,
        true,
      );
      if (!Number.isFinite(fast)) {
        assert.equal(general, fast, describeCase(row));
        continue;
      }
      assertClose(fast, general, 1e-12, 1e-13 * Math.max(row.spot, row.strike), 'fast vs general', row);
      compared++;
    }
    assert.ok(compared > 800, `compared ${compared}`);
  });

  it('satisfies the put-call transformation P(S, K, T, r, q, sigma) = C(K, S, T, q, r, sigma) of Bjerksund and Stensland', () => {
    for (const row of QUANTLIB_AMERICAN.rows.filter((r) => r.set === 'random').slice(0, 200)) {
      const put: AmericanCase = { ...row, type: 'put' };
      const call: AmericanCase = {
        ...row,
        type: 'call',
        spot: row.strike,
        strike: row.spot,
        rate: row.dividendYield,
        dividendYield: row.rate,
      };
      assertClose(price(put).value, price(call).value, 1e-13, 1e-13 * row.strike, 'put vs transformed call', put);
    }
  });

  it('refuses European exercise with ERR_CORE_UNSUPPORTED_EXERCISE (param exercise)', () => {
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
      () => priceBjerksundStensland1993(europeanOption(c), marketOf(c)),
      (e: unknown) => e instanceof CoreError && e.code === 'ERR_CORE_UNSUPPORTED_EXERCISE' && e.param === 'exercise',
    );
  });

  it('refuses invalid inputs with ERR_CORE_INVALID_INPUT naming the field', () => {
    const good: AmericanCase = {
      type: 'call',
      spot: 100,
      strike: 100,
      expiry: 1,
      rate: 0.05,
      dividendYield: 0.04,
      volatility: 0.2,
    };
    for (const [patch, param] of [
      [{ spot: 0 }, 'spot'],
      [{ strike: -5 }, 'strike'],
      [{ expiry: Number.NaN }, 'expiry'],
      [{ volatility: 0 }, 'volatility'],
      [{ rate: Number.NaN }, 'rate'],
    ] as const) {
      const c = { ...good, ...patch };
      assert.throws(
        () => price(c),
        (e: unknown) => e instanceof CoreError && e.code === 'ERR_CORE_INVALID_INPUT' && e.param === param,
        describeCase(c),
      );
    }
  });

  it('reports diagnostics { model: bjerksund_stensland_1993, converged: true } and five finite greeks by default', () => {
    const c: AmericanCase = {
      type: 'put',
      spot: 97,
      strike: 100,
      expiry: 0.75,
      rate: 0.06,
      dividendYield: 0.01,
      volatility: 0.3,
    };
    const result = priceBjerksundStensland1993(americanOption(c), marketOf(c));
    assert.deepEqual(result.diagnostics, { model: 'bjerksund_stensland_1993', converged: true });
    for (const [name, v] of Object.entries(result.greeks!)) assert.ok(Number.isFinite(v), `${name} = ${v}`);
    assert.ok(
      result.greeks!.delta < 0 &&
        result.greeks!.delta > -1 &&
        result.greeks!.gamma > 0 &&
        result.greeks!.vega > 0 &&
        result.greeks!.rho < 0,
    );
  });

  it('gives bump-and-revalue greeks within 1e-5 of the analytic Black-Scholes ones where there is no early-exercise premium (call, q = 0; put, r = 0)', () => {
    const cases: AmericanCase[] = [
      { type: 'call', spot: 90, strike: 100, expiry: 0.5, rate: 0.05, dividendYield: 0, volatility: 0.25 },
      { type: 'call', spot: 100, strike: 100, expiry: 0.02, rate: 0.03, dividendYield: 0, volatility: 0.2 },
      { type: 'put', spot: 110, strike: 100, expiry: 1.5, rate: 0, dividendYield: 0.02, volatility: 0.35 },
    ];
    for (const c of cases) {
      const bumped = priceBjerksundStensland1993(americanOption(c), marketOf(c)).greeks!;
      const exact = priceBlackScholes(europeanOption(c), marketOf(c)).greeks!;
      // rho is left out for the put at r = 0: its stencil straddles the switch to the approximation at r > 0.
      for (const g of ['delta', 'gamma', 'theta', 'vega', 'rho'] as const) {
        if (g === 'rho' && c.type === 'put') continue;
        assertClose(bumped[g], exact[g], 1e-5, 1e-9, g, c);
      }
    }
  });
});
