import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { BoardQuote } from '../../../src/core/surface/board.js';
import { buildSurface } from '../../../src/core/surface/build-surface.js';
import { sabrVolatility } from '../../../src/core/surface/sabr.js';
import { SurfaceEvaluator } from '../../../src/core/surface/surface.js';

/** Random SABR boards (two or three expiries, 7 to 15 strikes, noise up to 0.003): the pipeline's invariants. */
const boards = fc
  .record({
    spot: fc.double({ min: 20, max: 500, noNaN: true }),
    rate: fc.double({ min: -0.01, max: 0.06, noNaN: true }),
    atm: fc.double({ min: 0.1, max: 0.6, noNaN: true }),
    rho: fc.double({ min: -0.8, max: 0.3, noNaN: true }),
    nu: fc.double({ min: 0.1, max: 1.2, noNaN: true }),
    strikes: fc.integer({ min: 7, max: 15 }),
    width: fc.double({ min: 0.1, max: 0.5, noNaN: true }),
    expiries: fc.constantFrom([0.1, 0.5], [0.25, 1, 2], [0.5, 1.5]),
    noise: fc.array(fc.double({ min: -0.003, max: 0.003, noNaN: true }), { minLength: 100, maxLength: 100 }),
  })
  .map((p) => {
    const quotes: BoardQuote[] = [];
    let n = 0;
    for (const expiry of p.expiries) {
      const forward = p.spot * Math.exp(p.rate * expiry);
      const params = { alpha: p.atm * Math.sqrt(forward), beta: 0.5, rho: p.rho, nu: p.nu };
      for (let i = 0; i < p.strikes; i++) {
        const strike = forward * Math.exp(p.width * Math.sqrt(expiry) * (-1 + (2 * i) / (p.strikes - 1)));
        const mid = sabrVolatility(forward, strike, expiry, params) + p.noise[n++ % 100]!;
        quotes.push({ expiry, strike, optionType: i % 2 === 0 ? 'call' : 'put', bidIv: mid - 0.01, askIv: mid + 0.01 });
      }
    }
    return { asOf: 0, spot: p.spot, rate: p.rate, dividendYield: 0, quotes };
  });

describe('buildSurface properties', () => {
  it('fits every random SABR board to within its noise, deterministically, and evaluates to positive volatilities everywhere', () => {
    fc.assert(
      fc.property(
        boards,
        fc.double({ min: 0.02, max: 5, noNaN: true }),
        fc.double({ min: 0.2, max: 5, noNaN: true }),
        (board, t, moneyness) => {
          const build = buildSurface(board);
          assert.deepEqual(buildSurface(board), build);
          for (const slice of build.slices) assert.ok(slice.rmse < 0.005, `expiry ${slice.expiry}: rmse ${slice.rmse}`);
          const surface = new SurfaceEvaluator(build.definition);
          const v = surface.volatility(board.spot * moneyness, t);
          assert.ok(v > 0 && v < 5, `${v}`);
        },
      ),
      { numRuns: 25, seed: 20261207 },
    );
  });
});
