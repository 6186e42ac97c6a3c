/**
 * How often the board cleaning's outlier filter (src/core/surface/board.ts; docs/numerics.md, "Cleaning") removes
 * quotes of a clean smile: noise-free boards of one expiry from random raw-SVI smiles, calls and puts at each strike,
 * bid and ask 0.005 either side of the mid. Every quote it removes here is a false positive. Prints, for two
 * parameter ranges, how many boards lost quotes and how many quotes they lost.
 *
 *   node --import tsx bench/outlier-filter.bench.ts
 */
import fc from 'fast-check';
import { buildSurface } from '../src/core/surface/build-surface.js';
import type { BoardQuote } from '../src/core/surface/board.js';

function falsePositives(maxAbsRho: number, minSigma: number, runs: number): string {
  const params = fc.record({
    a: fc.double({ min: 0.0005, max: 0.05, noNaN: true }),
    b: fc.double({ min: 0.02, max: 0.8, noNaN: true }),
    rho: fc.double({ min: -maxAbsRho, max: maxAbsRho, noNaN: true }),
    m: fc.double({ min: -0.2, max: 0.2, noNaN: true }),
    sigma: fc.double({ min: minSigma, max: 0.5, noNaN: true }),
  });
  const board = fc.record({
    p: params,
    expiry: fc.constantFrom(0.02, 0.1, 0.25, 1, 3),
    strikes: fc.integer({ min: 7, max: 41 }),
    kMax: fc.double({ min: 0.1, max: 1.5, noNaN: true }),
  });
  let boards = 0;
  let boardsHit = 0;
  let quotesLost = 0;
  for (const { p, expiry, strikes, kMax } of fc.sample(board, { numRuns: runs, seed: 7 })) {
    const quotes: BoardQuote[] = [];
    let usable = true;
    for (let j = 0; j < strikes; j++) {
      const k = -kMax + (2 * kMax * j) / (strikes - 1);
      const w = expiry * (p.a + p.b * (p.rho * (k - p.m) + Math.sqrt((k - p.m) ** 2 + p.sigma ** 2)));
      const vol = Math.sqrt(w / expiry);
      if (!(vol > 0.011 && vol < 9.9)) usable = false;
      for (const optionType of ['call', 'put'] as const)
        quotes.push({
          expiry,
          strike: 100 * Math.exp(k),
          optionType,
          bidIv: vol - 0.005,
          askIv: vol + 0.005,
          midIv: vol,
        });
    }
    if (!usable) continue;
    boards++;
    let removed: number;
    try {
      removed = buildSurface({ asOf: 0, spot: 100, rate: 0, dividendYield: 0, quotes }).quality.removed.filter(
        (r) => r.reason === 'outlier',
      ).length;
    } catch {
      continue;
    }
    if (removed > 0) boardsHit++;
    quotesLost += removed;
  }
  return `|rho| <= ${maxAbsRho}, sigma >= ${minSigma}: ${boardsHit} of ${boards} clean boards lost ${quotesLost} quotes`;
}

console.log(falsePositives(0.95, 0.02, 3000));
console.log(falsePositives(0.7, 0.1, 3000));
