import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createResultCache, resultCacheKey } from '../../src/http/result-cache.js';
import { toDisplayGreeks, vegaExposure } from '../../src/http/units.js';
import type { PricedItem, PriceItem } from '../../src/pool/tasks.js';

describe('toDisplayGreeks', () => {
  it('converts theta per year to per calendar day and vega, rho per 1.00 to per point; delta and gamma unchanged', () => {
    assert.deepEqual(toDisplayGreeks({ delta: 0.5, gamma: 0.02, theta: -3.65, vega: 25, rho: 40 }), {
      delta: 0.5,
      gamma: 0.02,
      theta: -0.01,
      vega: 0.25,
      rho: 0.4,
    });
  });

  it('keeps absent greeks null', () => {
    assert.deepEqual(toDisplayGreeks({ delta: null, gamma: null, theta: null, vega: null, rho: null }), {
      delta: null,
      gamma: null,
      theta: null,
      vega: null,
      rho: null,
    });
  });

  it('turns display vega back into exposure per 1.00 of volatility', () => {
    assert.equal(vegaExposure(0.25), 25);
  });
});

const option = { type: 'call', strike: 100, expiry: 1, exercise: 'european' } as const;
const market = { spot: 100, rate: 0.01, dividendYield: 0, volatility: 0.2 };
const item: PriceItem = { option, market };
const priced: PricedItem = {
  ok: true,
  result: { value: 1, greeks: null, diagnostics: { model: 'black_scholes', converged: true } },
  seconds: 0,
};

describe('resultCacheKey', () => {
  it('differs whenever an input that changes the numbers differs', () => {
    const base = resultCacheKey('black_scholes', true, item);
    const variants = [
      resultCacheKey('binomial_200', true, item),
      resultCacheKey('black_scholes', false, item),
      resultCacheKey('black_scholes', true, { option, market: { ...market, spot: 100.00000000000001 } }),
      resultCacheKey('black_scholes', true, { option, market: { ...market, rate: 0.010000000000000002 } }),
      resultCacheKey('black_scholes', true, { option, market: { ...market, dividendYield: 1e-300 } }),
      resultCacheKey('black_scholes', true, { option: { ...option, type: 'put' }, market }),
      resultCacheKey('black_scholes', true, { option: { ...option, strike: 100.5 }, market }),
      resultCacheKey('black_scholes', true, { option: { ...option, expiry: 1.0000000000000002 }, market }),
      resultCacheKey('black_scholes', true, { option: { ...option, exercise: 'american' }, market }),
      resultCacheKey('black_scholes', true, { option, market: { ...market, volatility: 0.20000000000000004 } }),
      resultCacheKey('black_scholes', true, { ...item, seed: 9007199254740993n }),
      resultCacheKey('black_scholes', true, { ...item, seed: 9007199254740992n }),
    ];
    assert.equal(new Set([base, ...variants]).size, variants.length + 1);
  });

  it("writes the pricing routes' items as the generic canonical form does", () => {
    // An extra property whose value is undefined leaves the canonical text as it is but is not the routes' shape,
    // so the second key of each pair comes from the generic walk.
    const items: PriceItem[] = [
      item,
      { ...item, seed: 42n },
      { ...item, seed: 2n ** 63n - 1n },
      { option: { ...option, strike: -0, type: 'put', exercise: 'american' }, market: { ...market, rate: -0.015 } },
      { option: { ...option, expiry: 1e-300 }, market: { ...market, spot: 1e21, volatility: Number.NaN } },
      { option: { ...option, type: 'ca"ll\\' as never }, market },
    ];
    for (const priced of items) {
      for (const model of ['black_scholes', 'monte_carlo_20k'] as const) {
        for (const greeks of [true, false]) {
          const generic = resultCacheKey(model, greeks, { ...priced, extra: undefined } as PriceItem);
          assert.equal(resultCacheKey(model, greeks, priced), generic);
        }
      }
    }
    // Other shapes keep their own keys: a field the routes do not send is part of the key.
    assert.notEqual(
      resultCacheKey('black_scholes', true, { option: { ...option, barrier: 90 } as never, market }),
      resultCacheKey('black_scholes', true, item),
    );
  });
});

describe('createResultCache', () => {
  it('is disabled by a size or TTL of 0', () => {
    assert.equal(createResultCache({ size: 0, ttlSeconds: 5 }), null);
    assert.equal(createResultCache({ size: 10, ttlSeconds: 0 }), null);
  });

  it('keeps at most `size` entries, evicting the least recently used', () => {
    const cache = createResultCache({ size: 2, ttlSeconds: 60 })!;
    cache.set('a', priced);
    cache.set('b', priced);
    assert.equal(cache.get('a'), priced);
    cache.set('c', priced);
    assert.equal(cache.get('b'), undefined);
    assert.equal(cache.get('a'), priced);
    assert.equal(cache.size, 2);
  });
});
