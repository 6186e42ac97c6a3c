import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CoreError } from '../../../src/core/errors.js';
import { calibrateSabr } from '../../../src/core/surface/calibrate-sabr.js';
import { calibrateSvi } from '../../../src/core/surface/calibrate-svi.js';
import { sabrVolatility, type SabrParameters } from '../../../src/core/surface/sabr.js';
import { sviDensityFactor, sviTotalVariance, type SviParameters } from '../../../src/core/surface/svi.js';

function strikes(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let k = from; k <= to + 1e-9; k += step) out.push(k);
  return out;
}

function assertClose(actual: number, expected: number, tolerance: number, label: string): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${label}: ${actual} vs ${expected} (tolerance ${tolerance})`);
}

describe('calibrateSabr on noise-free synthetic smiles', () => {
  const cases: { forward: number; expiry: number; p: SabrParameters }[] = [
    { forward: 100, expiry: 0.25, p: { alpha: 2.0, beta: 0.5, rho: -0.35, nu: 0.6 } },
    { forward: 100, expiry: 1, p: { alpha: 1.6, beta: 0.5, rho: 0.2, nu: 0.9 } },
    { forward: 50, expiry: 2, p: { alpha: 0.25, beta: 1, rho: -0.6, nu: 0.4 } },
    { forward: 120, expiry: 0.5, p: { alpha: 25, beta: 0, rho: -0.1, nu: 0.3 } },
  ];
  for (const { forward, expiry, p } of cases) {
    it(`recovers ${JSON.stringify(p)} (F ${forward}, T ${expiry}) to 1e-6, volatilities to 1e-8`, () => {
      const quotes = strikes(0.8 * forward, 1.2 * forward, 0.02 * forward).map((strike) => ({
        strike,
        volatility: sabrVolatility(forward, strike, expiry, p),
      }));
      const fit = calibrateSabr(forward, expiry, quotes, { beta: p.beta });
      assert.equal(fit.parameters.beta, p.beta);
      assertClose(fit.parameters.alpha, p.alpha, 1e-6 * Math.max(1, p.alpha), 'alpha');
      assertClose(fit.parameters.rho, p.rho, 1e-6, 'rho');
      assertClose(fit.parameters.nu, p.nu, 1e-6, 'nu');
      for (const q of quotes)
        assertClose(
          sabrVolatility(forward, q.strike, expiry, fit.parameters),
          q.volatility,
          1e-8,
          `vol at ${q.strike}`,
        );
      assert.ok(fit.rmse < 1e-8);
    });
  }

  it('fits beta too when asked, the volatilities to 1e-8 (beta and alpha trade off, so only the smile is pinned)', () => {
    const p = { alpha: 0.9, beta: 0.7, rho: -0.3, nu: 0.5 };
    const quotes = strikes(70, 140, 5).map((strike) => ({ strike, volatility: sabrVolatility(100, strike, 1, p) }));
    const fit = calibrateSabr(100, 1, quotes, { beta: 'fit' });
    for (const q of quotes)
      assertClose(sabrVolatility(100, q.strike, 1, fit.parameters), q.volatility, 1e-8, `vol at ${q.strike}`);
  });

  it('uses a warm start first and stops there when it fits exactly', () => {
    const p = { alpha: 2.0, beta: 0.5, rho: -0.3, nu: 0.5 };
    const quotes = strikes(80, 120, 2).map((strike) => ({ strike, volatility: sabrVolatility(100, strike, 0.5, p) }));
    const fit = calibrateSabr(100, 0.5, quotes, { initial: { alpha: 2.05, beta: 0.5, rho: -0.25, nu: 0.55 } });
    assert.equal(fit.starts, 1);
    assertClose(fit.parameters.rho, p.rho, 1e-6, 'rho');
  });

  it('is deterministic: the same smile gives the same parameters bit for bit', () => {
    const quotes = strikes(80, 120, 2).map((strike, i) => ({
      strike,
      volatility: 0.2 + 0.001 * Math.sin(i) + 0.0005 * ((strike - 100) / 20) ** 2,
    }));
    const a = calibrateSabr(100, 0.5, quotes);
    const b = calibrateSabr(100, 0.5, quotes);
    assert.deepEqual(a, b);
    assert.ok(Object.is(a.parameters.alpha, b.parameters.alpha));
  });

  it('refuses unusable input, naming the field', () => {
    const good = strikes(90, 110, 5).map((strike) => ({ strike, volatility: 0.2 }));
    assert.throws(
      () => calibrateSabr(100, 1, good.slice(0, 2)),
      (e: unknown) => e instanceof CoreError && e.param === 'quotes',
    );
    assert.throws(
      () => calibrateSabr(100, 1, [...good, { strike: -1, volatility: 0.2 }]),
      (e: unknown) => e instanceof CoreError && e.param === 'quotes[5].strike',
    );
    assert.throws(
      () => calibrateSabr(100, 1, [...good, { strike: 100, volatility: Number.NaN }]),
      (e: unknown) => e instanceof CoreError && e.param === 'quotes[5].volatility',
    );
    assert.throws(
      () => calibrateSabr(0, 1, good),
      (e: unknown) => e instanceof CoreError && e.param === 'forward',
    );
    assert.throws(
      () => calibrateSabr(100, 1, good, { beta: 1.5 }),
      (e: unknown) => e instanceof CoreError && e.param === 'beta',
    );
  });
});

describe('calibrateSvi on noise-free synthetic smiles', () => {
  const cases: { forward: number; expiry: number; p: SviParameters; range: [number, number, number] }[] = [
    { forward: 100, expiry: 0.5, p: { a: 0.01, b: 0.08, rho: -0.4, m: 0.05, sigma: 0.15 }, range: [60, 160, 5] },
    { forward: 100, expiry: 1, p: { a: 0.02, b: 0.1, rho: -0.6, m: 0.0, sigma: 0.2 }, range: [50, 200, 5] },
    { forward: 80, expiry: 0.25, p: { a: 0.005, b: 0.05, rho: 0.1, m: -0.02, sigma: 0.1 }, range: [56, 112, 4] },
  ];
  for (const { forward, expiry, p, range } of cases) {
    it(`recovers ${JSON.stringify(p)} (F ${forward}, T ${expiry}) to 1e-6, volatilities to 1e-8`, () => {
      const quotes = strikes(...range).map((strike) => ({
        strike,
        volatility: Math.sqrt(sviTotalVariance(Math.log(strike / forward), p) / expiry),
      }));
      const fit = calibrateSvi(forward, expiry, quotes);
      for (const key of ['a', 'b', 'rho', 'm', 'sigma'] as const) assertClose(fit.parameters[key], p[key], 1e-6, key);
      for (const q of quotes) {
        const v = Math.sqrt(sviTotalVariance(Math.log(q.strike / forward), fit.parameters) / expiry);
        assertClose(v, q.volatility, 1e-8, `vol at ${q.strike}`);
      }
      assert.equal(fit.butterflyFree, true);
    });
  }

  it("keeps Gatheral-Jacquier's g(k) >= 0 when the quotes themselves would have it negative", () => {
    // Gatheral and Jacquier (2014), section 2.2: raw SVI a = -0.0410, b = 0.1331, rho = 0.3060, m = 0.3586,
    // sigma = 0.4153, T = 1 has g < 0 near k = 0.7: a slice with butterfly arbitrage.
    const bad = { a: -0.041, b: 0.1331, rho: 0.306, m: 0.3586, sigma: 0.4153 };
    const ks = strikes(-1.5, 1.5, 0.1);
    assert.ok(
      ks.some((k) => sviDensityFactor(k, bad) < 0),
      'the example must be arbitrageable',
    );
    const quotes = ks.map((k) => ({ strike: 100 * Math.exp(k), volatility: Math.sqrt(sviTotalVariance(k, bad)) }));
    const fit = calibrateSvi(100, 1, quotes);
    assert.equal(fit.butterflyFree, true);
    assert.ok(fit.rmse < 0.01, `rmse ${fit.rmse}`);
  });

  it('refuses fewer than 5 strikes', () => {
    const quotes = strikes(90, 110, 5)
      .slice(0, 4)
      .map((strike) => ({ strike, volatility: 0.2 }));
    assert.throws(
      () => calibrateSvi(100, 1, quotes),
      (e: unknown) => e instanceof CoreError && e.param === 'quotes',
    );
  });
});
