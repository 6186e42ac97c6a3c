import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { priceBinomialCrr } from '../../../src/core/engines/binomial-crr.js';
import { priceBlackScholes } from '../../../src/core/engines/black-scholes.js';
import {
  COND_LIMIT,
  leastSquaresQr,
  priceLongstaffSchwartz,
  solveNormalEquations,
} from '../../../src/core/engines/longstaff-schwartz.js';
import { CoreError } from '../../../src/core/errors.js';
import type { OptionSpec } from '../../../src/core/instruments/option-spec.js';
import type { MarketInputs } from '../../../src/core/market/market-inputs.js';
import { deriveChildSeed } from '../../../src/core/math/seed.js';
import { putGrid } from './monte-carlo-grid.js';

const PUT: OptionSpec = { type: 'put', strike: 100, expiry: 0.5, exercise: 'american' };
const MARKET: MarketInputs = { spot: 100, rate: 0.01, dividendYield: 0, volatility: 0.2 };

describe('Longstaff-Schwartz: the Python service cases', () => {
  it('put S=K=100, T=0.5, sigma 0.2, r 1%, 64 dates, 50,000 paths: within 2% of a 400-step tree, not below the European', () => {
    const lsm = priceLongstaffSchwartz(PUT, MARKET, { seed: 1n, paths: 50_000, exerciseDates: 64 });
    const tree = priceBinomialCrr(PUT, MARKET, { steps: 400, greeks: false }).value;
    const european = priceBlackScholes({ ...PUT, exercise: 'european' }, MARKET, { greeks: false }).value;
    assert.ok(Math.abs(lsm.value - tree) <= 0.02 * tree, `${lsm.value} vs tree ${tree}`);
    assert.ok(lsm.value >= european, `${lsm.value} below European ${european}`);
    assert.equal(lsm.paths, 50_000);
    assert.ok(lsm.standardError > 0 && lsm.standardError < 0.05);
  });

  // Common random numbers (one seed) make the comparisons of neighbouring contracts sharp at 10,000 paths.
  const price = (option: Partial<OptionSpec>, market: Partial<MarketInputs>): number =>
    priceLongstaffSchwartz({ ...PUT, ...option }, { ...MARKET, ...market }, { seed: 5n, paths: 10_000 }).value;

  it('is monotone in volatility and in expiry', () => {
    const byVol = [0.15, 0.2, 0.3, 0.4].map((volatility) => price({}, { volatility }));
    const byExpiry = [0.25, 0.5, 1, 2].map((expiry) => price({ expiry }, {}));
    for (const series of [byVol, byExpiry]) {
      for (let i = 1; i < series.length; i++) assert.ok(series[i]! > series[i - 1]!, series.join(', '));
    }
  });

  it('is convex in strike', () => {
    const strikes = [80, 90, 100, 110, 120];
    const values = strikes.map((strike) => price({ strike }, {}));
    for (let i = 1; i < strikes.length - 1; i++) {
      assert.ok(values[i - 1]! + values[i + 1]! - 2 * values[i]! >= 0, values.join(', '));
    }
  });
});

describe('Longstaff-Schwartz: bias check on a grid of 50 puts', () => {
  it('within 3 standard errors + 0.5% of a 2,000-step tree', () => {
    // 8,000 pricing and 8,000 regression paths per put keep the 50 runs to seconds on one CI core.
    const failures: string[] = [];
    let sumRelative = 0;
    putGrid('american').forEach(({ option, market }, index) => {
      const lsm = priceLongstaffSchwartz(option, market, { seed: deriveChildSeed(18n, index), paths: 8_000 });
      const tree = priceBinomialCrr(option, market, { steps: 2_000, greeks: false }).value;
      sumRelative += (lsm.value - tree) / tree;
      if (!(Math.abs(lsm.value - tree) <= 3 * lsm.standardError + 0.005 * tree)) {
        failures.push(
          `S=${market.spot} sigma=${market.volatility} T=${option.expiry}: ${lsm.value} +- ${lsm.standardError} vs ${tree}`,
        );
      }
    });
    assert.deepEqual(failures, []);
    // Low bias on average: a feasible exercise rule on independent paths cannot beat the optimal one.
    assert.ok(sumRelative / 50 < 0.002, `mean relative difference ${sumRelative / 50}`);
  });
});

describe('Longstaff-Schwartz: mechanics', () => {
  it('the QR least squares recovers the coefficients of a cubic', () => {
    const m = 200;
    const a = new Float64Array(4 * m);
    const y = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      const x = i / (m - 1);
      a[i] = 1;
      a[m + i] = x;
      a[2 * m + i] = x * x;
      a[3 * m + i] = x * x * x;
      y[i] = 2 - 3 * x + 0.5 * x * x + 0.25 * x * x * x;
    }
    const c = leastSquaresQr(a, y, m, 4);
    assert.deepEqual(
      Array.from(c).map((v) => Number(v.toFixed(9))),
      [2, -3, 0.5, 0.25],
    );
  });

  it('the scaled Cholesky solve agrees with QR where it is well conditioned, and reports where it is not', () => {
    // Columns 1, u, u^2, u^3 of a standardised variable plus noise-free targets: condition number in the tens.
    const m = 500;
    const columns = 4;
    const design = new Float64Array(columns * m);
    const y = new Float64Array(m);
    const gram = new Float64Array(columns * columns);
    const rhs = new Float64Array(columns);
    for (let i = 0; i < m; i++) {
      const u = -1.7 + (3.4 * i) / (m - 1);
      const target = 0.3 - 1.1 * u + 0.2 * u * u + 0.05 * u * u * u + 0.01 * Math.sin(40 * u);
      y[i] = target;
      for (let a = 0; a < columns; a++) {
        design[a * m + i] = u ** a;
        rhs[a] = rhs[a]! + u ** a * target;
        for (let b = a; b < columns; b++) gram[a * columns + b] = gram[a * columns + b]! + u ** (a + b);
      }
    }
    const cholesky = new Float64Array(columns);
    const condition = solveNormalEquations(gram, rhs, columns, cholesky);
    const qr = leastSquaresQr(design, y, m, columns);
    assert.ok(condition > 1 && condition < 100, `condition ${condition}`);
    for (let a = 0; a < columns; a++) assert.ok(Math.abs(cholesky[a]! - qr[a]!) < 1e-13, `${cholesky} vs ${qr}`);
    // Laguerre L_0 .. L_3 of x = S / K over (0.93, 1), the in-the-money puts of an early exercise date: the normal
    // matrix is far beyond COND_LIMIT even with its columns scaled, which is why the engine does not use them.
    gram.fill(0);
    rhs.fill(0);
    for (let i = 0; i < m; i++) {
      const x = 0.93 + (0.07 * i) / (m - 1);
      const row = [1, 1 - x, 1 - 2 * x + (x * x) / 2, 1 - 3 * x + (3 * x * x) / 2 - (x * x * x) / 6];
      for (let a = 0; a < columns; a++) {
        rhs[a] = rhs[a]! + row[a]! * (1 - x);
        for (let b = a; b < columns; b++) gram[a * columns + b] = gram[a * columns + b]! + row[a]! * row[b]!;
      }
    }
    assert.ok(solveNormalEquations(gram, rhs, columns, cholesky) > COND_LIMIT);
    // A zero column (no information on that basis function) is refused, for the QR fallback to drop it.
    gram.fill(0);
    gram[0] = 1;
    assert.equal(solveNormalEquations(gram, rhs, columns, cholesky), Infinity);
  });

  it('every basis degree 1 .. 5 agrees with a 2,000-step tree', () => {
    const put: OptionSpec = { type: 'put', strike: 100, expiry: 1, exercise: 'american' };
    const market: MarketInputs = { spot: 100, rate: 0.05, dividendYield: 0.01, volatility: 0.3 };
    const tree = priceBinomialCrr(put, market, { steps: 2_000, greeks: false }).value;
    for (let basisDegree = 1; basisDegree <= 5; basisDegree++) {
      const lsm = priceLongstaffSchwartz(put, market, { seed: 31n, paths: 10_000, basisDegree });
      assert.ok(
        Math.abs(lsm.value - tree) <= 3 * lsm.standardError + 0.005 * tree,
        `degree ${basisDegree}: ${lsm.value} +- ${lsm.standardError} vs ${tree}`,
      );
    }
  });

  it('is reproducible and independent of nothing but (inputs, seed, stream, paths)', () => {
    const a = priceLongstaffSchwartz(PUT, MARKET, { seed: 9n, stream: 4, paths: 2_000 });
    const b = priceLongstaffSchwartz(PUT, MARKET, { seed: 9n, stream: 4, paths: 2_000 });
    const c = priceLongstaffSchwartz(PUT, MARKET, { seed: 9n, stream: 5, paths: 2_000 });
    assert.ok(Object.is(a.value, b.value) && Object.is(a.standardError, b.standardError));
    assert.notEqual(a.value, c.value);
  });

  it('an American call with a dividend yield agrees with a 2,000-step tree; deep in the money it exercises at once', () => {
    const call: OptionSpec = { type: 'call', strike: 100, expiry: 1, exercise: 'american' };
    const market: MarketInputs = { spot: 100, rate: 0.03, dividendYield: 0.08, volatility: 0.25 };
    const lsm = priceLongstaffSchwartz(call, market, { seed: 12n, paths: 10_000 });
    const tree = priceBinomialCrr(call, market, { steps: 2_000, greeks: false }).value;
    assert.ok(
      Math.abs(lsm.value - tree) <= 3 * lsm.standardError + 0.005 * tree,
      `${lsm.value} +- ${lsm.standardError} vs ${tree}`,
    );
    const deep = priceLongstaffSchwartz(
      { ...PUT, expiry: 1 },
      { spot: 40, rate: 0.1, dividendYield: 0, volatility: 0.2 },
      { seed: 12n, paths: 2_000 },
    );
    assert.equal(deep.exercisedImmediately, true);
    assert.equal(deep.value, 60);
    assert.equal(deep.standardError, 0);
  });

  it('refuses European exercise and bad options with the field named', () => {
    assert.throws(
      () => priceLongstaffSchwartz({ ...PUT, exercise: 'european' }, MARKET, { seed: 1n }),
      (e: unknown) => e instanceof CoreError && e.param === 'exercise',
    );
    for (const [options, field] of [
      [{ paths: 10 }, 'paths'],
      [{ exerciseDates: 0 }, 'exerciseDates'],
      [{ basisDegree: 9 }, 'basisDegree'],
    ] as const) {
      assert.throws(
        () => priceLongstaffSchwartz(PUT, MARKET, { seed: 1n, ...options }),
        (e: unknown) => e instanceof CoreError && e.param === field,
        field,
      );
    }
  });
});
