import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { priceBaroneAdesiWhaley } from '../../../src/core/engines/barone-adesi-whaley.js';
import { blackScholesPrice, type PricingOptions } from '../../../src/core/engines/black-scholes.js';
import { priceBjerksundStensland } from '../../../src/core/engines/bjerksund-stensland.js';
import { priceBjerksundStensland1993 } from '../../../src/core/engines/bjerksund-stensland-1993.js';
import type { OptionSpec } from '../../../src/core/instruments/option-spec.js';
import type { MarketInputs } from '../../../src/core/market/market-inputs.js';
import type { PriceResult } from '../../../src/core/results.js';
import type { AmericanCase } from './american-approximation-support.js';
import { americanOption, describeCase, intrinsic, marketOf } from './american-approximation-support.js';

type Engine = (option: OptionSpec, market: MarketInputs, options?: PricingOptions) => PriceResult;

const ENGINES: [string, Engine][] = [
  ['barone_adesi_whaley', priceBaroneAdesiWhaley],
  ['bjerksund_stensland', priceBjerksundStensland],
  ['bjerksund_stensland_1993', priceBjerksundStensland1993],
];

const caseArb: fc.Arbitrary<AmericanCase> = fc.record({
  type: fc.constantFrom('call' as const, 'put' as const),
  spot: fc.double({ min: 20, max: 300, noNaN: true }),
  strike: fc.constant(100),
  expiry: fc.double({ min: 1 / 365, max: 5, noNaN: true }),
  rate: fc.double({ min: -0.01, max: 0.12, noNaN: true }),
  dividendYield: fc.double({ min: -0.02, max: 0.12, noNaN: true }),
  volatility: fc.double({ min: 0.05, max: 1, noNaN: true }),
});

/** Slack for comparisons between prices: a few rounding errors of terms of size max(S, K). */
function slack(c: AmericanCase): number {
  return 1e-11 * Math.max(c.spot, c.strike);
}

for (const [model, engine] of ENGINES) {
  const value = (c: AmericanCase): number => engine(americanOption(c), marketOf(c), { greeks: false }).value;

  describe(`${model}: no-arbitrage properties over random inputs`, () => {
    it('is finite and lies between max(European, intrinsic) and the spot (call) or the strike (put)', () => {
      fc.assert(
        fc.property(caseArb, (c) => {
          const v = value(c);
          const european = blackScholesPrice(c.type, c.spot, c.strike, c.expiry, c.volatility, c.rate, c.dividendYield);
          const lower = Math.max(european, intrinsic(c));
          const upper = c.type === 'call' ? c.spot : c.strike;
          assert.ok(Number.isFinite(v), `${describeCase(c)} -> ${v}`);
          assert.ok(
            v >= lower - slack(c),
            `${describeCase(c)}: ${v} below max(European ${european}, intrinsic ${intrinsic(c)})`,
          );
          assert.ok(v <= upper + slack(c), `${describeCase(c)}: ${v} above ${upper}`);
        }),
        { numRuns: 600, seed: 11 },
      );
    });

    it('increases with the spot for a call and decreases for a put', () => {
      fc.assert(
        fc.property(caseArb, fc.double({ min: 1e-4, max: 0.2, noNaN: true }), (c, step) => {
          const higher = { ...c, spot: c.spot * (1 + step) };
          const v = value(c);
          const w = value(higher);
          const ok = c.type === 'call' ? w >= v - slack(c) : w <= v + slack(c);
          assert.ok(ok, `${describeCase(c)}: ${v}; at spot ${higher.spot}: ${w}`);
        }),
        { numRuns: 500, seed: 12 },
      );
    });

    it('increases with the volatility (implied volatility inverts it)', () => {
      fc.assert(
        fc.property(caseArb, fc.double({ min: 1e-3, max: 0.3, noNaN: true }), (c, step) => {
          const higher = { ...c, volatility: c.volatility * (1 + step) };
          const v = value(c);
          const w = value(higher);
          assert.ok(w >= v - slack(c), `${describeCase(c)}: ${v}; at sigma ${higher.volatility}: ${w}`);
        }),
        { numRuns: 500, seed: 14 },
      );
    });

    it('increases with the time to expiry', () => {
      fc.assert(
        fc.property(caseArb, fc.double({ min: 1e-3, max: 0.3, noNaN: true }), (c, step) => {
          const longer = { ...c, expiry: c.expiry * (1 + step) };
          const v = value(c);
          const w = value(longer);
          assert.ok(w >= v - slack(c), `${describeCase(c)}: ${v}; at T ${longer.expiry}: ${w}`);
        }),
        { numRuns: 500, seed: 15 },
      );
    });

    it('is convex in the strike', () => {
      fc.assert(
        fc.property(caseArb, fc.double({ min: 1e-3, max: 0.2, noNaN: true }), (c, step) => {
          const h = c.strike * step;
          const v = value(c);
          const lower = value({ ...c, strike: c.strike - h });
          const upper = value({ ...c, strike: c.strike + h });
          assert.ok(
            lower + upper - 2 * v >= -slack(c),
            `${describeCase(c)}: V(K-h) ${lower}, V(K) ${v}, V(K+h) ${upper}, h = ${h}`,
          );
        }),
        { numRuns: 500, seed: 16 },
      );
    });

    it('decreases with the strike for a call and increases for a put', () => {
      fc.assert(
        fc.property(caseArb, fc.double({ min: 1e-4, max: 0.2, noNaN: true }), (c, step) => {
          const higher = { ...c, strike: c.strike * (1 + step) };
          const v = value(c);
          const w = value(higher);
          const ok = c.type === 'call' ? w <= v + slack(higher) : w >= v - slack(higher);
          assert.ok(ok, `${describeCase(c)}: ${v}; at strike ${higher.strike}: ${w}`);
        }),
        { numRuns: 500, seed: 13 },
      );
    });
  });
}
