import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { priceBinomialCrr } from '../../../src/core/engines/binomial-crr.js';
import type { TreeOptions } from '../../../src/core/engines/binomial-tree.js';
import { priceLeisenReimer } from '../../../src/core/engines/leisen-reimer.js';
import { CoreError } from '../../../src/core/errors.js';
import type { OptionSpec } from '../../../src/core/instruments/option-spec.js';
import type { MarketInputs } from '../../../src/core/market/market-inputs.js';
import type { PriceResult } from '../../../src/core/results.js';
import { priceBinomialCrrWasm, priceLeisenReimerWasm } from '../../../src/core/wasm/binomial-tree-wasm.js';
import { captureError } from './capture-core-error.js';

interface Case {
  readonly option: OptionSpec;
  readonly market: MarketInputs;
}

const RELATIVE_TOLERANCE = 1e-13;

const cases: Case[] = fc.sample(
  fc
    .record({
      type: fc.constantFrom('call' as const, 'put' as const),
      exercise: fc.constantFrom('american' as const, 'european' as const),
      spot: fc.double({ min: 20, max: 300, noNaN: true }),
      moneyness: fc.double({ min: -1.5, max: 1.5, noNaN: true }),
      expiry: fc.double({ min: 0.01, max: 5, noNaN: true }),
      volatility: fc.double({ min: 0.05, max: 1.2, noNaN: true }),
      rate: fc.double({ min: -0.02, max: 0.1, noNaN: true }),
      dividendYield: fc.double({ min: 0, max: 0.08, noNaN: true }),
    })
    .map(({ type, exercise, spot, moneyness, expiry, volatility, rate, dividendYield }) => ({
      option: { type, exercise, strike: spot * Math.exp(moneyness), expiry },
      market: { spot, rate, dividendYield, volatility },
    })),
  { numRuns: 300, seed: 3 },
);

function describeCase({ option, market }: Case, steps: number): string {
  return (
    `${option.exercise} ${option.type} S=${market.spot} K=${option.strike} T=${option.expiry} sigma=${market.volatility} ` +
    `r=${market.rate} q=${market.dividendYield} steps=${steps}`
  );
}

type Pricer = (option: OptionSpec, market: MarketInputs, steps: number) => number;

const engines: Array<{ name: string; typescript: Pricer; wasm: Pricer; steps: readonly number[] }> = [
  {
    name: 'binomial_200 (CRR)',
    typescript: (o, m, steps) => priceBinomialCrr(o, m, { greeks: false, steps }).value,
    wasm: (o, m, steps) => priceBinomialCrrWasm(o, m, { greeks: false, steps }).value,
    steps: [2, 3, 4, 5, 6, 7, 8, 9, 200, 1001],
  },
  {
    name: 'leisen_reimer',
    typescript: (o, m, steps) => priceLeisenReimer(o, m, { greeks: false, steps }).value,
    wasm: (o, m, steps) => priceLeisenReimerWasm(o, m, { greeks: false, steps }).value,
    steps: [2, 3, 5, 201, 1000],
  },
];

type ResultPricer = (option: OptionSpec, market: MarketInputs, options?: TreeOptions) => PriceResult;

const greekEngines: Array<{ name: string; typescript: ResultPricer; wasm: ResultPricer; steps: readonly number[] }> = [
  {
    name: 'binomial_200 (CRR)',
    typescript: priceBinomialCrr,
    wasm: priceBinomialCrrWasm,
    steps: [2, 3, 4, 7, 200, 1001],
  },
  { name: 'leisen_reimer', typescript: priceLeisenReimer, wasm: priceLeisenReimerWasm, steps: [3, 5, 201, 1001] },
];

describe('tree rollback in WebAssembly', () => {
  for (const engine of engines) {
    it(`${engine.name}: prices every case as the TypeScript engine does, to 1e-13 and bit for bit on V8`, () => {
      let differing = 0;
      for (const steps of engine.steps) {
        for (const c of steps > 500 ? cases.slice(0, 20) : cases) {
          // A tree with few steps can fail to be arbitrage-free: then both paths must refuse it alike.
          const refusal = tryError(() => engine.typescript(c.option, c.market, steps));
          if (refusal) {
            assert.equal(tryError(() => engine.wasm(c.option, c.market, steps))?.message, refusal.message);
            continue;
          }
          const want = engine.typescript(c.option, c.market, steps);
          const got = engine.wasm(c.option, c.market, steps);
          if (!Object.is(got, want)) differing++;
          assert.ok(
            Math.abs(got - want) <= RELATIVE_TOLERANCE * Math.abs(want),
            `wasm ${got}, TypeScript ${want}; ${describeCase(c, steps)}`,
          );
        }
      }
      assert.equal(differing, 0);
    });
  }

  it('uses 200 steps for CRR and 201 for Leisen-Reimer by default, as the TypeScript engines do', () => {
    const { option, market } = cases[0]!;
    assert.equal(priceBinomialCrrWasm(option, market).value, priceBinomialCrr(option, market, { greeks: false }).value);
    assert.equal(priceBinomialCrrWasm(option, market).diagnostics.iterations, 200);
    assert.equal(priceLeisenReimerWasm(option, market).diagnostics.iterations, 201);
    assert.equal(
      priceLeisenReimerWasm(option, market).value,
      priceLeisenReimer(option, market, { greeks: false }).value,
    );
    assert.equal(priceBinomialCrrWasm(option, market, { greeks: false }).greeks, null);
  });

  for (const engine of greekEngines) {
    it(`${engine.name}: gives the TypeScript engine's whole result with greeks, bumped rollbacks included, to the bit`, () => {
      for (const steps of engine.steps) {
        for (const c of steps > 500 ? cases.slice(0, 10) : cases.slice(0, 120)) {
          const refusal = tryError(() => engine.typescript(c.option, c.market, { steps }));
          if (refusal) {
            assert.equal(tryError(() => engine.wasm(c.option, c.market, { steps }))?.message, refusal.message);
            continue;
          }
          assert.deepEqual(
            engine.wasm(c.option, c.market, { steps }),
            engine.typescript(c.option, c.market, { steps }),
            describeCase(c, steps),
          );
        }
      }
    });

    it(`${engine.name}: with greeks by default, and equal where a bump leaves the tree's domain (one-sided vega)`, () => {
      const { option, market } = cases[1]!;
      assert.deepEqual(engine.wasm(option, market), engine.typescript(option, market));
      assert.notEqual(engine.wasm(option, market).greeks, null);
      // CRR needs sigma >= |r - q| sqrt(dt): at sigma just above it the downward vega bump is refused.
      const edge = {
        option: { type: 'put' as const, exercise: 'american' as const, strike: 101, expiry: 1 },
        market: { spot: 100, rate: 0.1, dividendYield: 0, volatility: 0.00708 },
      };
      assert.ok(
        tryError(() => priceBinomialCrr(edge.option, { ...edge.market, volatility: 0.0068 }, { greeks: false })),
      );
      const result = engine.typescript(edge.option, edge.market);
      assert.ok(Number.isFinite(result.greeks!.vega));
      assert.deepEqual(engine.wasm(edge.option, edge.market), result);
    });
  }

  it('property: CRR and Leisen-Reimer with greeks on random inputs and step counts equal the TypeScript engines bit for bit', () => {
    fc.assert(
      fc.property(
        fc.record({
          c: fc.constantFrom(...cases),
          steps: fc.integer({ min: 2, max: 260 }),
          engine: fc.constantFrom(...greekEngines),
          greeks: fc.boolean(),
        }),
        ({ c, steps, engine, greeks }) => {
          const refusal = tryError(() => engine.typescript(c.option, c.market, { steps, greeks }));
          if (refusal) {
            assert.equal(tryError(() => engine.wasm(c.option, c.market, { steps, greeks }))?.message, refusal.message);
            return;
          }
          assert.deepEqual(
            engine.wasm(c.option, c.market, { steps, greeks }),
            engine.typescript(c.option, c.market, { steps, greeks }),
          );
        },
      ),
      { numRuns: 200, seed: 17 },
    );
  });

  it('refuses what the TypeScript engines refuse, with the same error', () => {
    const good = cases[0]!;
    const bad: Array<[string, Case, number]> = [
      ['zero spot', { option: good.option, market: { ...good.market, spot: 0 } }, 200],
      ['NaN volatility', { option: good.option, market: { ...good.market, volatility: Number.NaN } }, 200],
      ['one step', good, 1],
      ['fractional steps', good, 200.5],
      ['too many steps', good, 20_001],
      [
        'a CRR tree that is not arbitrage-free',
        {
          option: { ...good.option, expiry: 4 },
          market: { ...good.market, volatility: 0.001, rate: 0.2, dividendYield: 0 },
        },
        200,
      ],
    ];
    for (const [name, c, steps] of bad) {
      const expected = captureError(() => priceBinomialCrr(c.option, c.market, { greeks: false, steps }));
      const actual = captureError(() => priceBinomialCrrWasm(c.option, c.market, { greeks: false, steps }));
      assert.deepEqual(
        { code: actual.code, message: actual.message, param: actual.param },
        { code: expected.code, message: expected.message, param: expected.param },
        name,
      );
    }
  });
});

function tryError(run: () => void): CoreError | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof CoreError) return error;
    throw error;
  }
  return undefined;
}
