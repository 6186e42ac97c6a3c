import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { blackScholesPrice, priceBlackScholes } from '../../../src/core/engines/black-scholes.js';
import {
  bumpGreeks,
  EXPIRY_RELATIVE_BUMP,
  RATE_BUMP,
  SPOT_BUMP_PER_STD_DEV,
  SPOT_RELATIVE_BUMP,
  VOLATILITY_RELATIVE_BUMP,
} from '../../../src/core/engines/bump-greeks.js';
import type { Pricer } from '../../../src/core/engines/bump-greeks.js';
import type { OptionSpec } from '../../../src/core/instruments/option-spec.js';
import type { MarketInputs } from '../../../src/core/market/market-inputs.js';

const blackScholes: Pricer = (o, m) =>
  blackScholesPrice(o.type, m.spot, o.strike, o.expiry, m.volatility, m.rate, m.dividendYield);

function describeInputs(o: OptionSpec, m: MarketInputs): string {
  return `${o.type} S=${m.spot} K=${o.strike} T=${o.expiry} r=${m.rate} q=${m.dividendYield} sigma=${m.volatility}`;
}

const GREEKS = ['delta', 'gamma', 'theta', 'vega', 'rho'] as const;

describe('bumpGreeks (central-difference bump and revalue)', () => {
  it('reproduces the analytic Black-Scholes greeks to 1e-5 relative (plus the rounding floor of each difference) over a wide random domain', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('call' as const, 'put' as const),
        fc.double({ min: -1.5, max: 1.5, noNaN: true }),
        fc.double({ min: 0.02, max: 5, noNaN: true }),
        fc.double({ min: 0.05, max: 1.2, noNaN: true }),
        fc.double({ min: -0.02, max: 0.12, noNaN: true }),
        fc.double({ min: 0, max: 0.1, noNaN: true }),
        (type, logMoneyness, expiry, volatility, rate, dividendYield) => {
          const option: OptionSpec = { type, strike: 100, expiry, exercise: 'european' };
          const market: MarketInputs = { spot: 100 * Math.exp(logMoneyness), rate, dividendYield, volatility };
          const bumped = bumpGreeks(blackScholes, option, market);
          const exact = priceBlackScholes(option, market).greeks!;
          // Absolute floors: the rounding error of each difference, a few eps * V / h (eps * V / h^2 for gamma),
          // with the bump sizes bumpGreeks documents. Deep in the money at a tiny sigma sqrt(T) that is all
          // gamma can be known to (V = 70, h = 2e-4: 2e-7, against an exact gamma of 0).
          const value = blackScholes(option, market);
          const eps = Number.EPSILON;
          const hS = market.spot * Math.min(SPOT_RELATIVE_BUMP, SPOT_BUMP_PER_STD_DEV * volatility * Math.sqrt(expiry));
          for (const g of GREEKS) {
            const floor =
              {
                delta: (4 * eps * value) / hS,
                gamma: (16 * eps * value) / (hS * hS),
                theta: (4 * eps * value) / (EXPIRY_RELATIVE_BUMP * expiry),
                vega: (4 * eps * value) / (VOLATILITY_RELATIVE_BUMP * volatility),
                rho: (4 * eps * value) / RATE_BUMP,
              }[g] + 1e-12;
            const error = Math.abs(bumped[g] - exact[g]);
            // Truncation: ~e^2 d^2 / 6 for delta with e = 1e-3 standard deviations, 1e-6 at d = 2.4 and more
            // further out; the other bumps are relative 1e-4 or absolute 1e-5 and far below this.
            assert.ok(
              error <= 1e-5 * Math.abs(exact[g]) + floor,
              `${g}: ${describeInputs(option, market)}: bumped ${bumped[g]}, analytic ${exact[g]}`,
            );
          }
        },
      ),
      { numRuns: 400, seed: 42 },
    );
  });

  it('keeps its accuracy for a tiny expiry (T = 1e-5, one standard deviation of 0.06%), where gamma is a narrow spike', () => {
    for (const spot of [99.9, 100, 100.03]) {
      const option: OptionSpec = { type: 'call', strike: 100, expiry: 1e-5, exercise: 'european' };
      const market: MarketInputs = { spot, rate: 0.03, dividendYield: 0.01, volatility: 0.2 };
      const bumped = bumpGreeks(blackScholes, option, market);
      const exact = priceBlackScholes(option, market).greeks!;
      for (const g of GREEKS) {
        assert.ok(
          Math.abs(bumped[g] - exact[g]) <= 1e-5 * Math.abs(exact[g]) + 1e-9,
          `${g}: ${describeInputs(option, market)}: bumped ${bumped[g]}, analytic ${exact[g]}`,
        );
      }
    }
  });

  it('reports theta as dV/dt (time passing), so a long at-the-money option decays: theta < 0', () => {
    const option: OptionSpec = { type: 'put', strike: 100, expiry: 0.5, exercise: 'european' };
    const market: MarketInputs = { spot: 100, rate: 0.01, dividendYield: 0, volatility: 0.3 };
    const { theta } = bumpGreeks(blackScholes, option, market);
    assert.ok(theta < 0, `theta ${theta}`);
  });

  it('revalues nine times, or eight when given the base value, and never with a non-positive spot, volatility or expiry', () => {
    const seen: { option: OptionSpec; market: MarketInputs }[] = [];
    const recording: Pricer = (o, m) => {
      seen.push({ option: o, market: m });
      return blackScholes(o, m);
    };
    const option: OptionSpec = { type: 'call', strike: 100, expiry: 1e-9, exercise: 'european' };
    const market: MarketInputs = { spot: 1e-6, rate: -0.01, dividendYield: 0, volatility: 1e-6 };
    bumpGreeks(recording, option, market);
    assert.equal(seen.length, 9);
    bumpGreeks(recording, option, market, blackScholes(option, market));
    assert.equal(seen.length, 9 + 8);
    for (const { option: o, market: m } of seen) {
      assert.ok(m.spot > 0 && m.volatility > 0 && o.expiry > 0, JSON.stringify({ o, m }));
    }
  });
});
