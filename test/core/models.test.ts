import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { priceBinomialCrr } from '../../src/core/engines/binomial-crr.js';
import { priceLeisenReimer } from '../../src/core/engines/leisen-reimer.js';
import { priceMonteCarlo } from '../../src/core/engines/monte-carlo.js';
import type { OptionSpec } from '../../src/core/instruments/option-spec.js';
import type { MarketInputs } from '../../src/core/market/market-inputs.js';
import { priceOption, type ModelName } from '../../src/core/models.js';
import type { PriceResult } from '../../src/core/results.js';
import { wasmKernelsAvailable } from '../../src/core/wasm/wasm-kernels.js';

const european: OptionSpec = { type: 'put', exercise: 'european', strike: 105, expiry: 0.8 };
const american: OptionSpec = { ...european, exercise: 'american' };
const market: MarketInputs = { spot: 100, rate: 0.04, dividendYield: 0.015, volatility: 0.27 };

/** The models that have WebAssembly kernels, with the TypeScript engine call priceOption documents for each. */
const kernelModels: Array<[ModelName, OptionSpec, (greeks: boolean) => PriceResult]> = [
  ['monte_carlo_20k', european, (greeks) => priceMonteCarlo(european, market, { greeks, seed: 77n })],
  ['binomial_200', american, (greeks) => priceBinomialCrr(american, market, { greeks, steps: 200 })],
  ['leisen_reimer', american, (greeks) => priceLeisenReimer(american, market, { greeks, steps: 201 })],
];

describe('priceOption on the WebAssembly kernels', () => {
  it('finds the kernels available on this Node', () => {
    assert.equal(wasmKernelsAvailable(), true);
  });

  for (const [model, option, reference] of kernelModels) {
    it(`${model}: the default and the TypeScript reference path give the engine's result bit for bit, with and without greeks`, () => {
      for (const greeks of [true, false]) {
        const want = reference(greeks);
        assert.deepEqual(priceOption(model, option, market, { greeks, seed: 77n }), want);
        assert.deepEqual(priceOption(model, option, market, { greeks, seed: 77n, kernels: 'typescript' }), want);
      }
    });
  }

  it('falls back to the TypeScript engines, with the same results, where the host has no WebAssembly', () => {
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const script = [
      "import { priceOption } from './src/core/models.ts';",
      "import { wasmKernelsAvailable } from './src/core/wasm/wasm-kernels.ts';",
      `const market = ${JSON.stringify(market)};`,
      `const european = ${JSON.stringify(european)};`,
      `const american = ${JSON.stringify(american)};`,
      'const results = [',
      "  priceOption('monte_carlo_20k', european, market, { seed: 77n }),",
      "  priceOption('binomial_200', american, market),",
      "  priceOption('leisen_reimer', american, market),",
      '];',
      'console.log(JSON.stringify({ webAssembly: typeof WebAssembly, available: wasmKernelsAvailable(), results }));',
    ].join('\n');
    const child = spawnSync(
      process.execPath,
      ['--jitless', '--import', 'tsx', '--input-type=module', '--eval', script],
      { cwd: root, encoding: 'utf8' },
    );
    assert.equal(child.status, 0, child.stderr);
    const reported = JSON.parse(child.stdout) as { webAssembly: string; available: boolean; results: PriceResult[] };
    assert.equal(reported.webAssembly, 'undefined');
    assert.equal(reported.available, false);
    // Through JSON, as the child printed them: the same doubles print the same digits.
    assert.deepEqual(
      reported.results,
      JSON.parse(JSON.stringify(kernelModels.map(([, , reference]) => reference(true)))),
    );
  });
});

describe('monte_carlo_20k and American exercise', () => {
  const noDividend: MarketInputs = { ...market, dividendYield: 0 };
  const call: OptionSpec = { type: 'call', exercise: 'american', strike: 105, expiry: 0.8 };

  it('prices an American call without dividends at a non-negative rate as the European call (never exercised early)', () => {
    for (const kernels of ['typescript', 'auto'] as const) {
      for (const rate of [0, 0.04]) {
        const m = { ...noDividend, rate };
        const am = priceOption('monte_carlo_20k', call, m, { seed: 5n, kernels });
        const eu = priceOption('monte_carlo_20k', { ...call, exercise: 'european' }, m, { seed: 5n, kernels });
        assert.deepEqual(am, eu, `${kernels} r=${rate}`);
      }
    }
  });

  it('still refuses American puts, and American calls with a dividend yield or a negative rate', () => {
    const refused = (option: OptionSpec, m: MarketInputs): void =>
      assert.throws(
        () => priceOption('monte_carlo_20k', option, m, { seed: 5n }),
        (e: unknown) => e instanceof Error && (e as { code?: string }).code === 'ERR_CORE_UNSUPPORTED_EXERCISE',
      );
    refused({ ...call, type: 'put' }, noDividend);
    refused(call, { ...noDividend, dividendYield: 0.01 });
    refused(call, { ...noDividend, rate: -0.01 });
  });
});
