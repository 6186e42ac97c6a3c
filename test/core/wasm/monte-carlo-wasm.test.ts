import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { priceMonteCarlo } from '../../../src/core/engines/monte-carlo.js';
import type { OptionSpec } from '../../../src/core/instruments/option-spec.js';
import type { MarketInputs } from '../../../src/core/market/market-inputs.js';
import { priceMonteCarloWasm, type MonteCarloWasmOptions } from '../../../src/core/wasm/monte-carlo-wasm.js';
import { captureError } from './capture-core-error.js';

interface Case {
  readonly option: OptionSpec;
  readonly market: MarketInputs;
  readonly options: MonteCarloWasmOptions;
}

const cases: Case[] = fc.sample(
  fc
    .record({
      type: fc.constantFrom('call' as const, 'put' as const),
      spot: fc.double({ min: 1, max: 1000, noNaN: true }),
      moneyness: fc.double({ min: -2, max: 2, noNaN: true }),
      expiry: fc.double({ min: 1e-4, max: 10, noNaN: true }),
      volatility: fc.double({ min: 1e-4, max: 2, noNaN: true }),
      rate: fc.double({ min: -0.05, max: 0.15, noNaN: true }),
      dividendYield: fc.double({ min: 0, max: 0.1, noNaN: true }),
      seed: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
      stream: fc.oneof(fc.nat(), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n })),
      pairs: fc.constantFrom(2, 3, 5, 999, 1000, 1001, 2500, 10_000),
    })
    .map(({ type, spot, moneyness, expiry, volatility, rate, dividendYield, seed, stream, pairs }) => ({
      option: { type, exercise: 'european' as const, strike: spot * Math.exp(moneyness), expiry },
      market: { spot, rate, dividendYield, volatility },
      options: { seed, stream, pairs },
    })),
  { numRuns: 150, seed: 5 },
);

describe('priceMonteCarloWasm', () => {
  it("gives priceMonteCarlo's result without greeks, value, standard error and interval, to the bit", () => {
    for (const { option, market, options } of cases) {
      const want = priceMonteCarlo(option, market, { ...options, greeks: false });
      const got = priceMonteCarloWasm(option, market, { ...options, greeks: false });
      assert.deepEqual(got, want, describe_(option, market, options));
    }
  });

  it("gives priceMonteCarlo's result with its five greeks (the default) to the bit, on random inputs", () => {
    for (const { option, market, options } of cases) {
      const want = priceMonteCarlo(option, market, options);
      assert.notEqual(want.greeks, null);
      assert.deepEqual(priceMonteCarloWasm(option, market, options), want, describe_(option, market, options));
    }
  });

  it('matches with greeks for calls and puts deep in, at and out of the money, with and without a dividend yield, at negative, zero and positive rates, for several seeds', () => {
    for (const type of ['call', 'put'] as const) {
      for (const strike of [40, 97, 100, 104, 250]) {
        for (const dividendYield of [0, 0.06]) {
          for (const rate of [-0.02, 0, 0.08]) {
            for (const seed of [0n, 7n, 0xffff_ffff_ffff_ffffn]) {
              const option: OptionSpec = { type, exercise: 'european', strike, expiry: 0.75 };
              const market = { spot: 100, rate, dividendYield, volatility: 0.3 };
              const options = { seed, stream: 3, pairs: 1001 };
              assert.deepEqual(
                priceMonteCarloWasm(option, market, options),
                priceMonteCarlo(option, market, options),
                describe_(option, market, options),
              );
            }
          }
        }
      }
    }
  });

  it('matches with and without greeks at the largest total volatility Monte Carlo accepts and at vanishing ones (the sinh series of gamma and vega)', () => {
    for (const type of ['call', 'put'] as const) {
      for (const [volatility, strike] of [
        [50, 100],
        [1e-9, 100],
        [1e-9, 99.9],
        [1e-3, 100],
        [2e-3, 100.1],
        [4e-3, 99.5],
      ] as const) {
        const option: OptionSpec = { type, exercise: 'european', strike, expiry: 4 };
        const market = { spot: 100, rate: 0.01, dividendYield: 0.01, volatility };
        for (const greeks of [false, true]) {
          const options = { seed: 9n, greeks };
          assert.deepEqual(
            priceMonteCarloWasm(option, market, options),
            priceMonteCarlo(option, market, options),
            describe_(option, market, options),
          );
        }
      }
    }
  });

  it('matches with greeks on a run of more blocks than the kernel takes per call', () => {
    const option: OptionSpec = { type: 'put', exercise: 'european', strike: 95, expiry: 0.5 };
    const market = { spot: 100, rate: 0.03, dividendYield: 0.02, volatility: 0.25 };
    const options = { seed: 123n, stream: 1n, pairs: 130_001 };
    assert.deepEqual(priceMonteCarloWasm(option, market, options), priceMonteCarlo(option, market, options));
  });

  it('property: with greeks, equal to priceMonteCarlo bit for bit for any seed, stream, pair count and inputs', () => {
    fc.assert(
      fc.property(
        fc.record({
          type: fc.constantFrom('call' as const, 'put' as const),
          spot: fc.double({ min: 0.01, max: 1e4, noNaN: true }),
          moneyness: fc.double({ min: -3, max: 3, noNaN: true }),
          expiry: fc.double({ min: 1e-6, max: 30, noNaN: true }),
          volatility: fc.double({ min: 1e-6, max: 3, noNaN: true }),
          rate: fc.double({ min: -0.1, max: 0.3, noNaN: true }),
          dividendYield: fc.double({ min: -0.05, max: 0.2, noNaN: true }),
          seed: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
          stream: fc.nat(),
          pairs: fc.integer({ min: 2, max: 2600 }),
        }),
        ({ type, spot, moneyness, expiry, volatility, rate, dividendYield, seed, stream, pairs }) => {
          const option: OptionSpec = { type, exercise: 'european', strike: spot * Math.exp(moneyness), expiry };
          const market = { spot, rate, dividendYield, volatility };
          const options = { seed, stream, pairs };
          assert.deepEqual(priceMonteCarloWasm(option, market, options), priceMonteCarlo(option, market, options));
        },
      ),
      { numRuns: 120, seed: 11 },
    );
  });

  it('refuses what priceMonteCarlo refuses, with the same error', () => {
    const { option, market } = cases[0]!;
    const bad: Array<[string, OptionSpec, MarketInputs, MonteCarloWasmOptions]> = [
      ['one pair', option, market, { seed: 1n, pairs: 1 }],
      ['fractional pairs', option, market, { seed: 1n, pairs: 10.5 }],
      ['American exercise', { ...option, exercise: 'american' }, market, { seed: 1n }],
      ['negative seed', option, market, { seed: -1n }],
      ['seed past 64 bits', option, market, { seed: 1n << 64n }],
      ['negative stream', option, market, { seed: 1n, stream: -3 }],
      ['zero spot', option, { ...market, spot: 0 }, { seed: 1n }],
      ['total volatility above 100', { ...option, expiry: 400 }, { ...market, volatility: 6 }, { seed: 1n }],
      [
        'a forward beyond the double range',
        { ...option, expiry: 1 },
        { ...market, rate: 800, volatility: 0.2 },
        { seed: 1n },
      ],
    ];
    for (const [name, o, m, opts] of bad) {
      for (const greeks of [false, true]) {
        const expected = captureError(() => priceMonteCarlo(o, m, { ...opts, greeks }));
        const actual = captureError(() => priceMonteCarloWasm(o, m, { ...opts, greeks }));
        assert.deepEqual(
          { code: actual.code, message: actual.message, param: actual.param },
          { code: expected.code, message: expected.message, param: expected.param },
          name,
        );
      }
    }
  });
});

function describe_(option: OptionSpec, market: MarketInputs, options: MonteCarloWasmOptions): string {
  return JSON.stringify({ option, market, ...options, seed: String(options.seed), stream: String(options.stream) });
}
