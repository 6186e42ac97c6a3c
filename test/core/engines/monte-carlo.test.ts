import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { priceBlackScholes } from '../../../src/core/engines/black-scholes.js';
import {
  combineMonteCarloBlocks,
  CONFIDENCE_Z_95,
  monteCarloBlockCount,
  priceMonteCarlo,
  simulateMonteCarloBlocks,
  summarizeMonteCarloBlocks,
} from '../../../src/core/engines/monte-carlo.js';
import type { MonteCarloOptions } from '../../../src/core/engines/monte-carlo.js';
import { CoreError } from '../../../src/core/errors.js';
import type { OptionSpec } from '../../../src/core/instruments/option-spec.js';
import type { MarketInputs } from '../../../src/core/market/market-inputs.js';
import { fillStandardNormals } from '../../../src/core/math/normal-stream.js';
import type { PriceResult } from '../../../src/core/results.js';

const CALL: OptionSpec = { type: 'call', strike: 100, expiry: 1, exercise: 'european' };
const PUT: OptionSpec = { ...CALL, type: 'put' };
const MARKET: MarketInputs = { spot: 100, rate: 0.05, dividendYield: 0.01, volatility: 0.2 };

const GREEKS = ['delta', 'gamma', 'theta', 'vega', 'rho'] as const;

/** Every number of a result, flattened with its path, for Object.is comparisons. */
function numbersOf(result: PriceResult): [string, unknown][] {
  const d = result.diagnostics;
  return [
    ['value', result.value],
    ...GREEKS.map((g): [string, unknown] => [g, result.greeks === null ? null : result.greeks[g]]),
    ['model', d.model],
    ['converged', d.converged],
    ['iterations', d.iterations],
    ['paths', d.paths],
    ['standardError', d.standardError],
    ['confidenceInterval[0]', d.confidenceInterval?.[0]],
    ['confidenceInterval[1]', d.confidenceInterval?.[1]],
  ];
}

function assertBitIdentical(actual: PriceResult, expected: PriceResult, label: string): void {
  const a = numbersOf(actual);
  const e = numbersOf(expected);
  for (let i = 0; i < a.length; i++) {
    assert.ok(Object.is(a[i]![1], e[i]![1]), `${label}: ${a[i]![0]} ${String(a[i]![1])} !== ${String(e[i]![1])}`);
  }
}

function assertCoreError(run: () => unknown, code: CoreError['code'], param: string): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof CoreError, String(error));
    assert.equal(error.code, code);
    assert.equal(error.param, param);
    return true;
  });
}

/** Deterministic uniforms in [0, 1) (xorshift32) so the random cases are the same on every run. */
function uniforms(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

interface RandomCase {
  readonly option: OptionSpec;
  readonly market: MarketInputs;
  readonly seed: bigint;
}

/**
 * A wide random set: spot 20-200, expiry 0.02-3 years, volatility 5%-80%, rate -2%..10%, dividend yield
 * 0-6%, calls and puts, and strikes from 3 standard deviations in the money to 3 out of the money
 * (K = F exp(sigma sqrt(T) k), k uniform in [-3, 3]). Beyond that the payoff is a rare event for 20,000 paths
 * and the sample standard error stops describing the error (see the rare-event test below).
 */
function randomCases(count: number, generatorSeed: number): RandomCase[] {
  const next = uniforms(generatorSeed);
  const cases: RandomCase[] = [];
  for (let c = 0; c < count; c++) {
    const spot = 20 + 180 * next();
    const k = -3 + 6 * next();
    const expiry = 0.02 + 2.98 * next();
    const volatility = 0.05 + 0.75 * next();
    const rate = -0.02 + 0.12 * next();
    const dividendYield = 0.06 * next();
    const type = next() < 0.5 ? 'call' : 'put';
    const strike = spot * Math.exp((rate - dividendYield) * expiry + volatility * Math.sqrt(expiry) * k);
    cases.push({
      option: { type, strike, expiry, exercise: 'european' },
      market: { spot, rate, dividendYield, volatility },
      seed: BigInt(generatorSeed) * 100_000n + BigInt(c),
    });
  }
  return cases;
}

function describeCase({ option, market, seed }: RandomCase): string {
  return JSON.stringify({ ...option, ...market, seed: String(seed) });
}

/** Share of |z| <= limit, and the standard deviation of the z-scores (a check that the standard errors are right-sized). */
function zSummary(zs: readonly number[]): { within1: number; within3: number; within4: number; sd: number } {
  const share = (limit: number): number => zs.filter((z) => Math.abs(z) <= limit).length / zs.length;
  // Rare-event degeneracies (zero sample variance) would dominate a plain standard deviation; they are counted
  // in the shares, and the calibration uses the bulk.
  const bulk = zs.filter((z) => Math.abs(z) <= 6);
  const sd = Math.sqrt(bulk.reduce((s, z) => s + z * z, 0) / bulk.length);
  return { within1: share(1), within3: share(3), within4: share(4), sd };
}

describe('priceMonteCarlo (monte_carlo_20k)', () => {
  it('prices 20,000 paths (10,000 antithetic pairs) by default and reports its statistics', () => {
    const result = priceMonteCarlo(CALL, MARKET, { seed: 42n });
    const d = result.diagnostics;
    assert.equal(d.model, 'monte_carlo_20k');
    assert.equal(d.converged, true);
    assert.equal(d.paths, 20_000);
    assert.ok(d.standardError! > 0);
    assert.deepEqual(d.confidenceInterval, [
      result.value - CONFIDENCE_Z_95 * d.standardError!,
      result.value + CONFIDENCE_Z_95 * d.standardError!,
    ]);
    assert.equal(CONFIDENCE_Z_95, 1.959963984540054);
    assert.notEqual(result.greeks, null, 'greeks are on by default, as for the other engines');
  });

  it('returns bit-identical results for the same seed and stream, call and put, with and without greeks', () => {
    for (const option of [CALL, PUT]) {
      for (const greeks of [false, true]) {
        const options: MonteCarloOptions = { seed: 0xdeadbeefcafef00dn, stream: 3n, greeks };
        assertBitIdentical(
          priceMonteCarlo(option, MARKET, options),
          priceMonteCarlo(option, MARKET, options),
          `${option.type} greeks=${greeks}`,
        );
      }
    }
  });

  it('gives the same price, standard error and interval whether or not greeks are computed', () => {
    const plain = priceMonteCarlo(PUT, MARKET, { seed: 7n, greeks: false });
    const full = priceMonteCarlo(PUT, MARKET, { seed: 7n, greeks: true });
    assert.equal(plain.greeks, null);
    assert.ok(Object.is(plain.value, full.value));
    assert.ok(Object.is(plain.diagnostics.standardError, full.diagnostics.standardError));
    assert.deepEqual(plain.diagnostics.confidenceInterval, full.diagnostics.confidenceInterval);
  });

  it('gives different numbers for different seeds and for streams 0 and 1, and treats stream 1 and 1n alike', () => {
    const base = priceMonteCarlo(CALL, MARKET, { seed: 1n });
    assert.notEqual(priceMonteCarlo(CALL, MARKET, { seed: 2n }).value, base.value);
    assert.notEqual(priceMonteCarlo(CALL, MARKET, { seed: 1n, stream: 1n }).value, base.value);
    assert.ok(
      Object.is(priceMonteCarlo(CALL, MARKET, { seed: 1n, stream: 0 }).value, base.value),
      'stream defaults to 0',
    );
    assertBitIdentical(
      priceMonteCarlo(CALL, MARKET, { seed: 1n, stream: 1 }),
      priceMonteCarlo(CALL, MARKET, { seed: 1n, stream: 1n }),
      'stream 1 vs 1n',
    );
    // The top bits of the seed and of the stream matter too.
    assert.notEqual(priceMonteCarlo(CALL, MARKET, { seed: 1n | (1n << 63n) }).value, base.value);
    assert.notEqual(priceMonteCarlo(CALL, MARKET, { seed: 1n, stream: 1n << 63n }).value, base.value);
  });

  it('computes the standard error over the antithetic pair averages, not over the 2n paths', () => {
    const pairs = 4_000;
    const { spot, rate, dividendYield, volatility } = MARKET;
    const { strike, expiry } = CALL;
    const z = new Float64Array(pairs);
    fillStandardNormals(99n, 5n, 0, z);
    const forward = spot * Math.exp((rate - dividendYield - 0.5 * volatility * volatility) * expiry);
    const discount = Math.exp(-rate * expiry);
    const pairAverages = [...z].map((x) => {
      const up = forward * Math.exp(volatility * Math.sqrt(expiry) * x);
      const down = forward * Math.exp(-volatility * Math.sqrt(expiry) * x);
      return (discount * (Math.max(up - strike, 0) + Math.max(down - strike, 0))) / 2;
    });
    const mean = pairAverages.reduce((s, y) => s + y, 0) / pairs;
    const variance = pairAverages.reduce((s, y) => s + (y - mean) ** 2, 0) / (pairs - 1);
    const result = priceMonteCarlo(CALL, MARKET, { seed: 99n, stream: 5n, pairs, greeks: false });
    assert.ok(Math.abs(result.value - mean) <= 1e-12 * mean, `${result.value} vs ${mean}`);
    const expectedError = Math.sqrt(variance / pairs);
    assert.ok(
      Math.abs(result.diagnostics.standardError! - expectedError) <= 1e-9 * expectedError,
      `${result.diagnostics.standardError} vs ${expectedError}`,
    );
    assert.equal(result.diagnostics.paths, 2 * pairs);
  });

  it('matches Black-Scholes within 3 standard errors in at least 99% of 600 random cases, with right-sized errors', (t) => {
    const zs: number[] = [];
    const misses: string[] = [];
    for (const c of randomCases(600, 20240501)) {
      const mc = priceMonteCarlo(c.option, c.market, { seed: c.seed, greeks: false });
      const bs = priceBlackScholes(c.option, c.market, { greeks: false });
      const se = mc.diagnostics.standardError!;
      const z = (mc.value - bs.value) / se;
      zs.push(Number.isNaN(z) ? 0 : z);
      if (!(Math.abs(z) <= 3)) misses.push(`${describeCase(c)}: MC ${mc.value}, BS ${bs.value}, se ${se}`);
    }
    const s = zSummary(zs);
    t.diagnostic(
      `price: ${(100 * s.within3).toFixed(1)}% within 3 se, ${(100 * s.within1).toFixed(1)}% within 1 se, sd(z) ${s.sd.toFixed(3)}`,
    );
    assert.ok(s.within3 >= 0.99, `only ${(100 * s.within3).toFixed(1)}% within 3 se:\n${misses.join('\n')}`);
    // An inflated standard error would pass the 3-se test trivially; the z-scores must also look standard normal.
    assert.ok(s.sd > 0.85 && s.sd < 1.15, `sd of z-scores ${s.sd}`);
    assert.ok(s.within1 > 0.6 && s.within1 < 0.76, `${s.within1} within 1 se`);
  });

  it('estimates every greek without bias: within 4 estimated standard errors of Black-Scholes in 99% of 300 random cases', (t) => {
    const zs: Record<(typeof GREEKS)[number], number[]> = { delta: [], gamma: [], theta: [], vega: [], rho: [] };
    const misses: string[] = [];
    for (const c of randomCases(300, 777)) {
      const blocks = simulateMonteCarloBlocks(c.option, c.market, { seed: c.seed }, 0, monteCarloBlockCount(10_000));
      const { result, greekStandardErrors } = summarizeMonteCarloBlocks(blocks);
      const bs = priceBlackScholes(c.option, c.market);
      for (const g of GREEKS) {
        const se = greekStandardErrors![g];
        const z = (result.greeks![g] - bs.greeks![g]) / se;
        zs[g].push(Number.isNaN(z) ? 0 : z);
        if (!(Math.abs(z) <= 4))
          misses.push(`${g} ${describeCase(c)}: MC ${result.greeks![g]}, BS ${bs.greeks![g]}, se ${se}`);
      }
    }
    const lines: string[] = [];
    for (const g of GREEKS) {
      const s = zSummary(zs[g]);
      lines.push(
        `${g}: ${(100 * s.within3).toFixed(1)}% within 3 se, ${(100 * s.within4).toFixed(1)}% within 4, sd(z) ${s.sd.toFixed(3)}`,
      );
      assert.ok(s.within4 >= 0.99, `${g}: ${(100 * s.within4).toFixed(1)}% within 4 se:\n${misses.join('\n')}`);
      assert.ok(s.within3 >= 0.97, `${g}: ${(100 * s.within3).toFixed(1)}% within 3 se`);
      assert.ok(s.sd > 0.85 && s.sd < 1.15, `${g}: sd of z-scores ${s.sd}`);
    }
    t.diagnostic(lines.join('; '));
  });

  it('never reports a standard error of 0 when no path reaches the money: it flags the sample and bounds the error by the model value', () => {
    // 8 standard deviations out of the money: Black-Scholes is about 1e-17 of spot, far below one path in 20,000.
    const option: OptionSpec = { type: 'call', strike: 100 * Math.exp(0.2 * 8), expiry: 1, exercise: 'european' };
    const market: MarketInputs = { ...MARKET, rate: 0, dividendYield: 0 };
    const mc = priceMonteCarlo(option, market, { seed: 5n });
    assert.equal(mc.value, 0);
    const exact = priceBlackScholes(option, market, { greeks: false }).value;
    assert.ok(exact < 1e-12);
    assert.equal(mc.diagnostics.degenerateSample, true);
    assert.ok(mc.diagnostics.standardError! > 0);
    assert.equal(mc.diagnostics.standardError, Math.max(exact, Number.MIN_VALUE));
    const [low, high] = mc.diagnostics.confidenceInterval!;
    assert.ok(low <= exact && exact <= high, 'the interval covers the exact value');
    for (const g of GREEKS) assert.equal(mc.greeks![g], 0, g);
  });

  it('collapses to the discounted forward intrinsic value when sigma sqrt(T) is tiny', () => {
    for (const volatility of [1e-9, 1e-12, 1e-300]) {
      for (const option of [CALL, PUT, { ...CALL, strike: 90 }, { ...PUT, strike: 110 }]) {
        const market = { ...MARKET, volatility };
        const forward = market.spot * Math.exp((market.rate - market.dividendYield) * option.expiry);
        const intrinsic =
          Math.exp(-market.rate * option.expiry) *
          Math.max(option.type === 'call' ? forward - option.strike : option.strike - forward, 0);
        const result = priceMonteCarlo(option, market, { seed: 11n });
        assert.ok(
          Math.abs(result.value - intrinsic) <= 1e-6 * Math.max(1, intrinsic),
          `sigma ${volatility} ${option.type} K=${option.strike}: ${result.value} vs ${intrinsic}`,
        );
        for (const number of numbersOf(result)) {
          if (typeof number[1] === 'number')
            assert.ok(Number.isFinite(number[1]), `sigma ${volatility}: ${number[0]} = ${number[1]}`);
        }
      }
    }
  });

  it('never returns NaN or an infinity across extreme but valid inputs', () => {
    const extremes: [OptionSpec, MarketInputs][] = [];
    for (const type of ['call', 'put'] as const) {
      for (const [spot, strike] of [
        [1e-6, 1e6],
        [1e6, 1e-6],
        [1e9, 1e9],
        [1e-9, 1e-9],
        [100, 100],
      ]) {
        for (const [expiry, volatility] of [
          [1e-12, 0.2],
          [50, 5],
          [1, 1e-12],
          [50, 1e-3],
          [1e-6, 5],
        ]) {
          for (const rate of [-1, 0, 1]) {
            extremes.push([
              { type, strike: strike!, expiry: expiry!, exercise: 'european' },
              { spot: spot!, rate, dividendYield: rate === 1 ? 1 : 0, volatility: volatility! },
            ]);
          }
        }
      }
    }
    for (const [option, market] of extremes) {
      const result = priceMonteCarlo(option, market, { seed: 3n, pairs: 200 });
      for (const [name, value] of numbersOf(result)) {
        if (typeof value === 'number')
          assert.ok(Number.isFinite(value), `${JSON.stringify({ ...option, ...market })}: ${name} = ${value}`);
      }
      assert.ok(result.value >= 0);
    }
  });
});

describe('Monte Carlo blocks', () => {
  const runs: [string, OptionSpec, MonteCarloOptions][] = [
    ['call with greeks, 10,000 pairs', CALL, { seed: 123n, stream: 9n }],
    ['put without greeks, 2,503 pairs', PUT, { seed: 456n, greeks: false, pairs: 2_503 }],
  ];

  for (const [label, option, options] of runs) {
    it(`gives bit-identical results however the blocks are split (${label})`, () => {
      const whole = priceMonteCarlo(option, MARKET, options);
      const blocks = monteCarloBlockCount(options.pairs ?? 10_000);
      const splits = [[blocks], [1, blocks - 1], [blocks - 1, 1], Array.from({ length: blocks }, () => 1)];
      if (blocks >= 3) splits.push([2, 1, blocks - 3].filter((n) => n > 0));
      for (const split of splits) {
        const partials = [];
        let first = 0;
        for (const size of split) {
          partials.push(...simulateMonteCarloBlocks(option, MARKET, options, first, size));
          first += size;
        }
        assertBitIdentical(combineMonteCarloBlocks(partials), whole, `split ${split.join('+')}`);
        assertBitIdentical(
          combineMonteCarloBlocks([...partials].reverse()),
          whole,
          `split ${split.join('+')} reversed`,
        );
      }
    });
  }

  it('returns plain data that survives structured cloning (worker threads)', () => {
    const partials = simulateMonteCarloBlocks(CALL, MARKET, { seed: 8n }, 0, 10);
    const cloned = structuredClone(partials);
    assertBitIdentical(combineMonteCarloBlocks(cloned), priceMonteCarlo(CALL, MARKET, { seed: 8n }), 'cloned partials');
  });

  it('refuses block ranges outside the run and partials that do not form exactly one run', () => {
    const options = { seed: 1n, pairs: 3_000 };
    assertCoreError(
      () => simulateMonteCarloBlocks(CALL, MARKET, options, -1, 1),
      'ERR_CORE_INVALID_INPUT',
      'firstBlock',
    );
    assertCoreError(
      () => simulateMonteCarloBlocks(CALL, MARKET, options, 3, 1),
      'ERR_CORE_INVALID_INPUT',
      'firstBlock',
    );
    assertCoreError(
      () => simulateMonteCarloBlocks(CALL, MARKET, options, 0.5, 1),
      'ERR_CORE_INVALID_INPUT',
      'firstBlock',
    );
    assertCoreError(
      () => simulateMonteCarloBlocks(CALL, MARKET, options, 0, 0),
      'ERR_CORE_INVALID_INPUT',
      'blockCount',
    );
    assertCoreError(
      () => simulateMonteCarloBlocks(CALL, MARKET, options, 1, 3),
      'ERR_CORE_INVALID_INPUT',
      'blockCount',
    );

    const all = simulateMonteCarloBlocks(CALL, MARKET, options, 0, 3);
    const other = simulateMonteCarloBlocks(CALL, MARKET, { ...options, pairs: 4_000 }, 0, 4);
    const plain = simulateMonteCarloBlocks(CALL, MARKET, { ...options, greeks: false }, 0, 3);
    for (const bad of [
      [],
      all.slice(0, 2),
      all.slice(1),
      [all[0]!, all[0]!, all[2]!],
      [...all, all[1]!],
      [all[0]!, all[1]!, other[2]!],
      [all[0]!, plain[1]!, all[2]!],
    ]) {
      assertCoreError(() => combineMonteCarloBlocks(bad), 'ERR_CORE_INVALID_INPUT', 'partials');
    }
  });
});

describe('Monte Carlo input validation', () => {
  it('refuses American options with ERR_CORE_UNSUPPORTED_EXERCISE', () => {
    assertCoreError(
      () => priceMonteCarlo({ ...CALL, exercise: 'american' }, MARKET, { seed: 1n }),
      'ERR_CORE_UNSUPPORTED_EXERCISE',
      'exercise',
    );
  });

  it('refuses seeds outside [0, 2^64 - 1] or of the wrong type', () => {
    for (const seed of [-1n, 1n << 64n, 42, undefined]) {
      assertCoreError(
        () => priceMonteCarlo(CALL, MARKET, { seed } as unknown as MonteCarloOptions),
        'ERR_CORE_INVALID_INPUT',
        'seed',
      );
    }
    priceMonteCarlo(CALL, MARKET, { seed: (1n << 64n) - 1n, pairs: 2 });
  });

  it('refuses bad streams and pair counts', () => {
    for (const stream of [-1, 1.5, -1n, 1n << 64n]) {
      assertCoreError(() => priceMonteCarlo(CALL, MARKET, { seed: 1n, stream }), 'ERR_CORE_INVALID_INPUT', 'stream');
    }
    for (const pairs of [1, 0, -5, 2.5, Number.NaN, Infinity]) {
      assertCoreError(() => priceMonteCarlo(CALL, MARKET, { seed: 1n, pairs }), 'ERR_CORE_INVALID_INPUT', 'pairs');
    }
  });

  it('refuses invalid market and contract inputs, naming the field', () => {
    assertCoreError(
      () => priceMonteCarlo(CALL, { ...MARKET, spot: 0 }, { seed: 1n }),
      'ERR_CORE_INVALID_INPUT',
      'spot',
    );
    assertCoreError(
      () => priceMonteCarlo(CALL, { ...MARKET, volatility: Number.NaN }, { seed: 1n }),
      'ERR_CORE_INVALID_INPUT',
      'volatility',
    );
    assertCoreError(
      () => priceMonteCarlo({ ...CALL, strike: -1 }, MARKET, { seed: 1n }),
      'ERR_CORE_INVALID_INPUT',
      'strike',
    );
    assertCoreError(
      () => priceMonteCarlo({ ...CALL, expiry: 0 }, MARKET, { seed: 1n }),
      'ERR_CORE_INVALID_INPUT',
      'expiry',
    );
    assertCoreError(
      () => priceMonteCarlo(CALL, { ...MARKET, rate: Infinity }, { seed: 1n }),
      'ERR_CORE_INVALID_INPUT',
      'rate',
    );
    assertCoreError(
      () => priceMonteCarlo(CALL, { ...MARKET, volatility: 150 }, { seed: 1n }),
      'ERR_CORE_INVALID_INPUT',
      'volatility',
    );
    assertCoreError(
      () => priceMonteCarlo(CALL, { ...MARKET, rate: 1000 }, { seed: 1n }),
      'ERR_CORE_INVALID_INPUT',
      'rate',
    );
  });
});
