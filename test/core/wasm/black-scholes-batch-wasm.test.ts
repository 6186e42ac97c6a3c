import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  priceBlackScholesBatch,
  type BlackScholesBatchInput,
  type BlackScholesBatchOutput,
} from '../../../src/core/engines/black-scholes-batch.js';
import { priceBlackScholesBatchWasm, priceBlackScholesPricesWasm } from '../../../src/core/wasm/black-scholes-batch-wasm.js';
import { captureError } from './capture-core-error.js';

interface Row { type: 'call' | 'put'; spot: number; strike: number; expiry: number; volatility: number; rate: number; dividendYield: number }

const FIELDS = ['price', 'delta', 'gamma', 'theta', 'vega', 'rho'] as const;
/** The bar for a kernel against its TypeScript reference. */
const RELATIVE_TOLERANCE = 1e-13;

function toInput(rows: readonly Row[]): BlackScholesBatchInput {
  return {
    isCall: Uint8Array.from(rows, (r) => (r.type === 'call' ? 1 : 0)),
    spot: Float64Array.from(rows, (r) => r.spot),
    strike: Float64Array.from(rows, (r) => r.strike),
    expiry: Float64Array.from(rows, (r) => r.expiry),
    volatility: Float64Array.from(rows, (r) => r.volatility),
    rate: Float64Array.from(rows, (r) => r.rate),
    dividendYield: Float64Array.from(rows, (r) => r.dividendYield),
  };
}

function makeOutput(n: number, fill = 0): BlackScholesBatchOutput {
  const make = (): Float64Array => new Float64Array(n).fill(fill);
  return { price: make(), delta: make(), gamma: make(), theta: make(), vega: make(), rho: make() };
}

function describeRow(input: BlackScholesBatchInput, i: number): string {
  return `${input.isCall[i] === 1 ? 'call' : 'put'} S=${input.spot[i]} K=${input.strike[i]} T=${input.expiry[i]} ` +
    `sigma=${input.volatility[i]} r=${input.rate[i]} q=${input.dividendYield[i]}`;
}

/** Runs both paths over `rows` and returns the number of outputs that differ in any bit. */
function compareWithTypeScript(rows: readonly Row[]): number {
  const input = toInput(rows);
  const expected = makeOutput(rows.length);
  const actual = makeOutput(rows.length, Number.NaN);
  priceBlackScholesBatch(input, expected);
  priceBlackScholesBatchWasm(input, actual);
  let differing = 0;
  for (const field of FIELDS) {
    for (let i = 0; i < rows.length; i++) {
      const want = expected[field][i]!;
      const got = actual[field][i]!;
      if (!Object.is(got, want)) differing++;
      assert.ok(
        Math.abs(got - want) <= RELATIVE_TOLERANCE * Math.abs(want),
        `${field}[${i}]: wasm ${got}, TypeScript ${want}; ${describeRow(input, i)}`,
      );
    }
  }
  return differing;
}

/** The mpmath reference rows: far tails, the quadrature regime, sigma and T -> 0; every path of the kernel. */
const referenceRows = (JSON.parse(
  readFileSync(new URL('../reference/mpmath-black-scholes.json', import.meta.url), 'utf8'),
) as { rows: Row[] }).rows;

/** The distribution of bench:peers: spot and strike 50-150, T 0.05-3, vol 0.05-0.8, r 0-0.08, q 0-0.03. */
const benchRows = fc.sample(fc.record({
  type: fc.constantFrom('call' as const, 'put' as const),
  spot: fc.double({ min: 50, max: 150, noNaN: true }),
  strike: fc.double({ min: 50, max: 150, noNaN: true }),
  expiry: fc.double({ min: 0.05, max: 3, noNaN: true }),
  volatility: fc.double({ min: 0.05, max: 0.8, noNaN: true }),
  rate: fc.double({ min: 0, max: 0.08, noNaN: true }),
  dividendYield: fc.double({ min: 0, max: 0.03, noNaN: true }),
}), { numRuns: 20_000, seed: 7 });

/** The whole valid domain, far tails and negative rates included, on a log scale. */
const wideRows = fc.sample(fc.record({
  type: fc.constantFrom('call' as const, 'put' as const),
  spot: fc.double({ min: 1e-3, max: 1e4, noNaN: true }),
  moneyness: fc.double({ min: -5, max: 5, noNaN: true }),
  expiry: fc.double({ min: 1e-6, max: 50, noNaN: true }),
  totalVolatility: fc.double({ min: -9, max: Math.log(5), noNaN: true }),
  rate: fc.double({ min: -0.2, max: 0.5, noNaN: true }),
  dividendYield: fc.double({ min: -0.1, max: 0.3, noNaN: true }),
}).map(({ type, spot, moneyness, expiry, totalVolatility, rate, dividendYield }) => ({
  type, spot, strike: spot * Math.exp(moneyness), expiry, volatility: Math.exp(totalVolatility) / Math.sqrt(expiry), rate, dividendYield,
})), { numRuns: 20_000, seed: 11 });

/** Where the kernel switches branches: at the money exactly, S/K at the log1p boundaries, q or r zero. */
const edgeRows: Row[] = [0.5, 0.5 + 1e-16, 2, 2 - 4e-16, 1, 1 + 1e-12, 1 - 1e-12, 1.4142135623730951, 0.7071067811865476].flatMap((ratio) =>
  (['call', 'put'] as const).flatMap((type) => [
    { type, spot: 100 * ratio, strike: 100, expiry: 1, volatility: 0.2, rate: 0, dividendYield: 0 },
    { type, spot: 100 * ratio, strike: 100, expiry: 0.25, volatility: 0.3, rate: 0.05, dividendYield: 0.02 },
    { type, spot: 100 * ratio, strike: 100, expiry: 1e-4, volatility: 0.01, rate: 0.03, dividendYield: 0 },
  ]),
);

describe('priceBlackScholesBatchWasm', () => {
  it('matches the TypeScript batch to 1e-13 on the mpmath reference rows, which cover every branch of the kernel', () => {
    compareWithTypeScript(referenceRows);
  });

  it('matches the TypeScript batch to 1e-13 over the bench:peers distribution', () => {
    compareWithTypeScript(benchRows);
  });

  it('matches the TypeScript batch to 1e-13 over the whole domain, deep in and out of the money, tiny and huge volatility', () => {
    compareWithTypeScript(wideRows);
  });

  it('matches the TypeScript batch to 1e-13 at the money and on the boundaries of its log1p and log branches', () => {
    compareWithTypeScript(edgeRows);
  });

  it('returns the TypeScript doubles bit for bit on V8, whose Math.exp, log and log1p the kernel reproduces', () => {
    const differing = compareWithTypeScript([...referenceRows, ...benchRows, ...wideRows, ...edgeRows]);
    assert.equal(differing, 0);
  });

  it('handles every batch length, including odd ones, one and zero, and lengths past a chunk', () => {
    for (const n of [0, 1, 2, 3, 5, 2047, 2048, 2049, 4097]) {
      const rows = benchRows.slice(0, n);
      compareWithTypeScript(rows);
    }
  });

  it('prices only the first n options when n is given and leaves the rest of the output alone', () => {
    const input = toInput(benchRows.slice(0, 10));
    const output = makeOutput(10, -1);
    priceBlackScholesBatchWasm(input, output, 4);
    assert.ok(output.price.slice(0, 4).every((x) => x >= 0));
    assert.deepEqual([...output.price.slice(4)], [-1, -1, -1, -1, -1, -1]);
  });

  it('gives the same prices without greeks as with them', () => {
    const input = toInput(wideRows);
    const full = makeOutput(wideRows.length);
    const prices = new Float64Array(wideRows.length);
    priceBlackScholesBatchWasm(input, full);
    priceBlackScholesPricesWasm(input, prices);
    assert.deepEqual(prices, full.price);
  });

  it('refuses bad input exactly as priceBlackScholesBatch does and writes nothing', () => {
    const base = benchRows.slice(0, 6);
    const cases: Array<{ name: string; mutate: (input: BlackScholesBatchInput) => void; n?: number }> = [
      { name: 'flag 2', mutate: (input) => { input.isCall[3] = 2; } },
      { name: 'zero spot', mutate: (input) => { input.spot[2] = 0; } },
      { name: 'NaN strike', mutate: (input) => { input.strike[5] = Number.NaN; } },
      { name: 'infinite expiry', mutate: (input) => { input.expiry[1] = Infinity; } },
      { name: 'negative volatility', mutate: (input) => { input.volatility[4] = -0.2; } },
      { name: 'NaN rate', mutate: (input) => { input.rate[0] = Number.NaN; } },
      { name: 'infinite dividend yield', mutate: (input) => { input.dividendYield[5] = -Infinity; } },
      { name: 'two bad elements: the first is named', mutate: (input) => { input.spot[4] = -1; input.rate[1] = Infinity; } },
      { name: 'fractional n', mutate: () => undefined, n: 2.5 },
      { name: 'n past the arrays', mutate: () => undefined, n: 7 },
    ];
    for (const { name, mutate, n } of cases) {
      const input = toInput(base);
      mutate(input);
      const expected = captureError(() => priceBlackScholesBatch(input, makeOutput(6), n));
      const output = makeOutput(6, 42);
      const actual = captureError(() => priceBlackScholesBatchWasm(input, output, n));
      assert.deepEqual(
        { code: actual.code, message: actual.message, param: actual.param },
        { code: expected.code, message: expected.message, param: expected.param },
        name,
      );
      for (const field of FIELDS) assert.ok(output[field].every((x) => x === 42), `${name}: ${field} was written`);
    }
  });

  it('names a short output array as the TypeScript batch does', () => {
    const input = toInput(benchRows.slice(0, 4));
    const output = { ...makeOutput(4), vega: new Float64Array(3) };
    const expected = captureError(() => priceBlackScholesBatch(input, output));
    const actual = captureError(() => priceBlackScholesBatchWasm(input, output));
    assert.equal(actual.message, expected.message);
    assert.equal(actual.param, 'vega');
  });
});
