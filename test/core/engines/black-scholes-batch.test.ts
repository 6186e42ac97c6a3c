import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { priceBlackScholes } from '../../../src/core/engines/black-scholes.js';
import {
  priceBlackScholesBatch,
  type BlackScholesBatchInput,
  type BlackScholesBatchOutput,
} from '../../../src/core/engines/black-scholes-batch.js';
import { CoreError } from '../../../src/core/errors.js';

interface Row {
  type: 'call' | 'put';
  spot: number;
  strike: number;
  expiry: number;
  volatility: number;
  rate: number;
  dividendYield: number;
}

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

/** The mpmath reference rows: far tails, the regime switch and the sigma, T -> 0 limits, i.e. every code path. */
const referenceRows = (
  JSON.parse(readFileSync(new URL('../reference/mpmath-black-scholes.json', import.meta.url), 'utf8')) as {
    rows: Row[];
  }
).rows;

const randomRows = fc.sample(
  fc.record({
    type: fc.constantFrom('call' as const, 'put' as const),
    spot: fc.double({ min: 1, max: 1000, noNaN: true }),
    strike: fc.double({ min: 1, max: 1000, noNaN: true }),
    expiry: fc.double({ min: 1e-6, max: 30, noNaN: true }),
    volatility: fc.double({ min: 1e-4, max: 3, noNaN: true }),
    rate: fc.double({ min: -0.05, max: 0.2, noNaN: true }),
    dividendYield: fc.double({ min: -0.02, max: 0.15, noNaN: true }),
  }),
  { numRuns: 2000, seed: 99 },
);

describe('priceBlackScholesBatch', () => {
  it('gives every element bit-identical to priceBlackScholes, on every code path of the kernel', () => {
    const rows = [...referenceRows, ...randomRows];
    const out = makeOutput(rows.length);
    priceBlackScholesBatch(toInput(rows), out);
    rows.forEach((row, i) => {
      const single = priceBlackScholes(
        { type: row.type, strike: row.strike, expiry: row.expiry, exercise: 'european' },
        { spot: row.spot, rate: row.rate, dividendYield: row.dividendYield, volatility: row.volatility },
      );
      const where = `element ${i}: ${JSON.stringify(row)}`;
      assert.ok(Object.is(out.price[i], single.value), `price ${out.price[i]} vs ${single.value} at ${where}`);
      for (const name of ['delta', 'gamma', 'theta', 'vega', 'rho'] as const) {
        assert.ok(
          Object.is(out[name][i], single.greeks![name]),
          `${name} ${out[name][i]} vs ${single.greeks![name]} at ${where}`,
        );
      }
    });
  });

  it('prices only the first n elements when n is given and leaves the rest of the output alone', () => {
    const rows = randomRows.slice(0, 10);
    const out = makeOutput(10, -7);
    priceBlackScholesBatch(toInput(rows), out, 4);
    for (let i = 0; i < 10; i++) assert.equal(out.price[i] === -7, i >= 4, `element ${i}`);
    priceBlackScholesBatch(toInput(rows), makeOutput(10), 0);
  });

  it('refuses a bad element with ERR_CORE_INVALID_INPUT naming array and index, before writing anything', () => {
    const rows = randomRows.slice(0, 6);
    const cases: [keyof BlackScholesBatchInput, number][] = [
      ['spot', NaN],
      ['spot', 0],
      ['strike', -1],
      ['strike', Infinity],
      ['expiry', 0],
      ['expiry', NaN],
      ['volatility', -0.2],
      ['volatility', Infinity],
      ['rate', NaN],
      ['rate', -Infinity],
      ['dividendYield', Infinity],
      ['isCall', 2],
    ];
    for (const [field, value] of cases) {
      const input = toInput(rows);
      input[field][3] = value;
      const out = makeOutput(6, -7);
      assert.throws(
        () => priceBlackScholesBatch(input, out),
        (e: unknown) => e instanceof CoreError && e.code === 'ERR_CORE_INVALID_INPUT' && e.param === `${field}[3]`,
        `${field}[3] = ${value}`,
      );
      assert.ok(
        out.price.every((p) => p === -7),
        `output written before ${field}[3] = ${value} was refused`,
      );
    }
  });

  it('refuses arrays shorter than n and an n that is not a non-negative integer', () => {
    const input = toInput(randomRows.slice(0, 5));
    assert.throws(
      () => priceBlackScholesBatch({ ...input, strike: new Float64Array(4) }, makeOutput(5)),
      (e: unknown) => e instanceof CoreError && e.code === 'ERR_CORE_INVALID_INPUT' && e.param === 'strike',
    );
    assert.throws(
      () => priceBlackScholesBatch(input, { ...makeOutput(5), vega: new Float64Array(3) }),
      (e: unknown) => e instanceof CoreError && e.code === 'ERR_CORE_INVALID_INPUT' && e.param === 'vega',
    );
    assert.throws(
      () => priceBlackScholesBatch(input, makeOutput(6), 6),
      (e: unknown) => e instanceof CoreError && e.param === 'isCall',
    );
    for (const n of [-1, 2.5, NaN]) {
      assert.throws(
        () => priceBlackScholesBatch(input, makeOutput(5), n),
        (e: unknown) => e instanceof CoreError && e.code === 'ERR_CORE_INVALID_INPUT' && e.param === 'n',
        `n = ${n}`,
      );
    }
  });
});
