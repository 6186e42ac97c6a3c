import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { CoreError } from '../../../src/core/errors.js';
import { priceMonteCarlo } from '../../../src/core/engines/monte-carlo.js';
import type { OptionSpec } from '../../../src/core/instruments/option-spec.js';
import type { MarketInputs } from '../../../src/core/market/market-inputs.js';
import { priceMonteCarloWasm, type MonteCarloWasmOptions } from '../../../src/core/wasm/monte-carlo-wasm.js';

interface Case { readonly option: OptionSpec; readonly market: MarketInputs; readonly options: MonteCarloWasmOptions }

const cases: Case[] = fc.sample(fc.record({
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
}).map(({ type, spot, moneyness, expiry, volatility, rate, dividendYield, seed, stream, pairs }) => ({
  option: { type, exercise: 'european' as const, strike: spot * Math.exp(moneyness), expiry },
  market: { spot, rate, dividendYield, volatility },
  options: { seed, stream, pairs },
})), { numRuns: 150, seed: 5 });

describe('priceMonteCarloWasm', () => {
  it('gives priceMonteCarlo\'s result without greeks, value, standard error and interval, to the bit', () => {
    for (const { option, market, options } of cases) {
      const want = priceMonteCarlo(option, market, { ...options, greeks: false });
      const got = priceMonteCarloWasm(option, market, options);
      assert.deepEqual(got, want, `${JSON.stringify({ option, market, seed: String(options.seed), stream: String(options.stream), pairs: options.pairs })}`);
    }
  });

  it('matches at the largest total volatility Monte Carlo accepts and at a vanishing one', () => {
    const option: OptionSpec = { type: 'call', exercise: 'european', strike: 100, expiry: 4 };
    for (const volatility of [50, 1e-9]) {
      const market = { spot: 100, rate: 0.01, dividendYield: 0, volatility };
      assert.deepEqual(priceMonteCarloWasm(option, market, { seed: 9n }), priceMonteCarlo(option, market, { seed: 9n, greeks: false }));
    }
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
      ['a forward beyond the double range', { ...option, expiry: 1 }, { ...market, rate: 800, volatility: 0.2 }, { seed: 1n }],
    ];
    for (const [name, o, m, opts] of bad) {
      const expected = captureError(() => priceMonteCarlo(o, m, { ...opts, greeks: false }));
      const actual = captureError(() => priceMonteCarloWasm(o, m, opts));
      assert.deepEqual({ code: actual.code, message: actual.message, param: actual.param }, { code: expected.code, message: expected.message, param: expected.param }, name);
    }
  });
});

function captureError(run: () => void): CoreError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof CoreError, `expected a CoreError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected an error');
}
