import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { priceMonteCarloEuropean } from '../../../src/core/engines/monte-carlo-european.js';
import { priceMonteCarloModel } from '../../../src/core/engines/monte-carlo-model.js';
import { CoreError } from '../../../src/core/errors.js';
import type { OptionSpec } from '../../../src/core/instruments/option-spec.js';
import type { MarketInputs } from '../../../src/core/market/market-inputs.js';

const CALL: OptionSpec = { type: 'call', strike: 100, expiry: 1, exercise: 'european' };
const MARKET: MarketInputs = { spot: 100, rate: 0.05, dividendYield: 0.01, volatility: 0.2 };

describe('priceMonteCarloModel: the quote vocabulary over both engines', () => {
  it('European: the tunable estimator, its pipeline named as the quote API does', () => {
    const r = priceMonteCarloModel(CALL, MARKET, {
      seed: 4n,
      paths: 8_000,
      antithetic: true,
      useControlVariate: true,
      useQuasiRandom: true,
    });
    const direct = priceMonteCarloEuropean(CALL, MARKET, {
      seed: 4n,
      paths: 8_000,
      antithetic: true,
      controlVariate: true,
      sampler: 'sobol',
    });
    assert.equal(r.vrPipeline, 'antithetic+cv+qmc');
    assert.ok(Object.is(r.value, direct.value) && Object.is(r.halfWidthAbs, direct.halfWidth));
    assert.equal(r.pathsUsed, direct.paths);
    assert.ok(
      Object.is(r.criticalValue, direct.criticalValue) && r.criticalValue > 1.96,
      'Sobol: Student t over the scramblings',
    );
    assert.equal(r.targetMet, null);
    assert.equal(priceMonteCarloModel(CALL, MARKET, { seed: 4n, paths: 2_000, greeks: false }).vrPipeline, 'baseline');
    assert.doesNotThrow(() => structuredClone(r));
  });

  it('American: Longstaff-Schwartz, with the precision loop doubling the pricing set', () => {
    const put: OptionSpec = { type: 'put', strike: 100, expiry: 0.5, exercise: 'american' };
    const r = priceMonteCarloModel(put, MARKET, {
      seed: 4n,
      paths: 2_000,
      steps: 16,
      targetCiBps: 150,
      maxPaths: 32_000,
    });
    assert.equal(r.model, 'longstaff_schwartz');
    assert.equal(r.vrPipeline, 'lsm');
    assert.equal(r.criticalValue, 1.959963984540054);
    assert.equal(r.targetMet, true);
    assert.ok(r.halfWidthBps! <= 150 && r.pathsUsed > 2_000, `${r.halfWidthBps} bps at ${r.pathsUsed}`);
    assert.throws(
      () => priceMonteCarloModel(put, MARKET, { seed: 4n, useControlVariate: true }),
      (e: unknown) => e instanceof CoreError && e.param === 'use_cv',
    );
  });

  it('refuses, with a CoreError naming it, a standard error that overflows while the price does not', () => {
    // Payoffs near 1e300 are finite and their squares are not: the price was answered with an infinite error.
    const put: OptionSpec = { type: 'put', strike: 1e300, expiry: 1e-6, exercise: 'european' };
    const market: MarketInputs = { spot: 6.5648e-319, rate: 0, dividendYield: -0.5, volatility: 0.00752598345788836 };
    assert.throws(
      () =>
        priceMonteCarloModel(put, market, {
          seed: 1n,
          paths: 1000,
          antithetic: true,
          useQuasiRandom: true,
          greeks: true,
        }),
      (error: unknown) =>
        error instanceof CoreError &&
        error.code === 'ERR_CORE_INVALID_INPUT' &&
        /monte_carlo gives a non-finite standard error \(Infinity\)/.test(error.message),
    );
  });
});
