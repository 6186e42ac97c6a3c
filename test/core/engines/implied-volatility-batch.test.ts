import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { impliedVolatilityBatch } from '../../../src/core/engines/implied-volatility-batch.js';
import { IMPLIED_VOLATILITY_STATUS, impliedVolatility } from '../../../src/core/engines/implied-volatility.js';
import { blackScholesPrice } from '../../../src/core/engines/black-scholes.js';
import { CoreError } from '../../../src/core/errors.js';

interface QuoteRow {
  isCall: boolean;
  price: number;
  spot: number;
  strike: number;
  expiry: number;
  rate: number;
  dividendYield: number;
}

function toArrays(rows: QuoteRow[]) {
  const n = rows.length;
  const input = {
    isCall: new Uint8Array(n),
    price: new Float64Array(n),
    spot: new Float64Array(n),
    strike: new Float64Array(n),
    expiry: new Float64Array(n),
    rate: new Float64Array(n),
    dividendYield: new Float64Array(n),
  };
  rows.forEach((r, i) => {
    input.isCall[i] = r.isCall ? 1 : 0;
    input.price[i] = r.price;
    input.spot[i] = r.spot;
    input.strike[i] = r.strike;
    input.expiry[i] = r.expiry;
    input.rate[i] = r.rate;
    input.dividendYield[i] = r.dividendYield;
  });
  return input;
}

function makeOutput(n: number, wide = false) {
  return {
    volatility: new Float64Array(n).fill(-1),
    iterations: wide ? new Uint16Array(n) : new Uint8Array(n),
    status: new Uint8Array(n).fill(255),
  };
}

/** The scalar API's answer as (status, volatility, iterations). */
function scalar(row: QuoteRow): { status: number; volatility: number; iterations: number } {
  try {
    const r = impliedVolatility(
      row.price,
      { type: row.isCall ? 'call' : 'put', strike: row.strike, expiry: row.expiry, exercise: 'european' },
      row,
    );
    return { status: IMPLIED_VOLATILITY_STATUS.ok, volatility: r.volatility, iterations: r.iterations };
  } catch (error) {
    assert.ok(error instanceof CoreError);
    const status =
      error.code === 'ERR_CORE_PRICE_BELOW_INTRINSIC'
        ? IMPLIED_VOLATILITY_STATUS.belowIntrinsic
        : error.code === 'ERR_CORE_PRICE_ABOVE_MAXIMUM'
          ? IMPLIED_VOLATILITY_STATUS.aboveMaximum
          : error.code === 'ERR_CORE_INVALID_INPUT'
            ? IMPLIED_VOLATILITY_STATUS.invalidInput
            : IMPLIED_VOLATILITY_STATUS.noConvergence;
    return { status, volatility: 0, iterations: 0 };
  }
}

const base = { spot: 100, strike: 110, expiry: 0.5, rate: 0.04, dividendYield: 0.01 };
const fair = (isCall: boolean, sigma: number, over: Partial<QuoteRow> = {}): QuoteRow => {
  const r = { isCall, price: 0, ...base, ...over };
  r.price = blackScholesPrice(isCall ? 'call' : 'put', r.spot, r.strike, r.expiry, sigma, r.rate, r.dividendYield);
  return r;
};

describe('impliedVolatilityBatch', () => {
  it('writes a status per quote: 0 ok, 1 below intrinsic, 2 above maximum, 3 invalid input, with volatility 0 (never NaN) when not ok', () => {
    const rows: QuoteRow[] = [
      fair(true, 0.25),
      { isCall: true, price: 0, ...base },
      { isCall: false, price: 5, ...base }, // intrinsic of the put is about 9.3
      { isCall: true, price: 150, ...base },
      { isCall: true, price: Number.NaN, ...base },
      { isCall: true, price: -1, ...base },
      { ...fair(false, 0.3), spot: 0 },
      { ...fair(false, 0.3), expiry: Number.POSITIVE_INFINITY },
      fair(false, 0.3),
    ];
    const output = makeOutput(rows.length);
    impliedVolatilityBatch(toArrays(rows), output);
    assert.deepEqual([...output.status], [0, 1, 1, 2, 3, 3, 3, 3, 0]);
    for (let i = 0; i < rows.length; i++) {
      assert.ok(!Number.isNaN(output.volatility[i]!), `NaN at ${i}`);
      if (output.status[i] !== 0) {
        assert.equal(output.volatility[i], 0, `volatility at ${i}`);
        assert.equal(output.iterations[i], 0, `iterations at ${i}`);
      }
    }
    assert.ok(Math.abs(output.volatility[0]! / 0.25 - 1) < 1e-13);
    assert.ok(Math.abs(output.volatility[8]! / 0.3 - 1) < 1e-13);
    assert.ok(output.iterations[0]! >= 1 && output.iterations[0]! <= 2);
  });

  it('equals the scalar impliedVolatility bit for bit, status and iterations included (property)', () => {
    const row = fc.record({
      isCall: fc.boolean(),
      spot: fc.double({ min: 1, max: 500, noNaN: true }),
      strike: fc.double({ min: 1, max: 500, noNaN: true }),
      expiry: fc.double({ min: 0.01, max: 10, noNaN: true }),
      rate: fc.double({ min: -0.02, max: 0.1, noNaN: true }),
      dividendYield: fc.double({ min: 0, max: 0.08, noNaN: true }),
      sigma: fc.double({ min: 0.01, max: 2, noNaN: true }),
      // Mostly fair prices; sometimes a distorted or invalid one to exercise the other statuses.
      distortion: fc.oneof(
        fc.constant(1),
        fc.constant(1),
        fc.constant(1),
        fc.double({ min: 0, max: 3, noNaN: true }),
        fc.constant(Number.NaN),
        fc.constant(-1),
      ),
    });
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 40 }), (specs) => {
        const rows = specs.map((s): QuoteRow => ({
          isCall: s.isCall,
          price:
            s.distortion *
            blackScholesPrice(s.isCall ? 'call' : 'put', s.spot, s.strike, s.expiry, s.sigma, s.rate, s.dividendYield),
          spot: s.spot,
          strike: s.strike,
          expiry: s.expiry,
          rate: s.rate,
          dividendYield: s.dividendYield,
        }));
        const output = makeOutput(rows.length, true);
        impliedVolatilityBatch(toArrays(rows), output);
        rows.forEach((r, i) => {
          const expected = scalar(r);
          assert.equal(output.status[i], expected.status, `status at ${i}: ${JSON.stringify(r)}`);
          assert.equal(output.volatility[i], expected.volatility, `volatility at ${i}: ${JSON.stringify(r)}`);
          // A quote that did not converge keeps the steps it spent; the scalar API throws instead.
          if (expected.status !== IMPLIED_VOLATILITY_STATUS.noConvergence) {
            assert.equal(output.iterations[i], expected.iterations, `iterations at ${i}: ${JSON.stringify(r)}`);
          }
        });
      }),
      { numRuns: 200 },
    );
  });

  it('processes only the first n quotes when n is given, leaving the rest of the output untouched', () => {
    const rows = [fair(true, 0.2), fair(false, 0.3), fair(true, 0.4)];
    const output = makeOutput(3);
    impliedVolatilityBatch(toArrays(rows), output, 2);
    assert.equal(output.status[2], 255);
    assert.equal(output.volatility[2], -1);
    assert.deepEqual([...output.status.subarray(0, 2)], [0, 0]);
  });

  it('accepts n = 0 and empty arrays', () => {
    const output = makeOutput(0);
    impliedVolatilityBatch(toArrays([]), output);
    impliedVolatilityBatch(toArrays([fair(true, 0.2)]), makeOutput(1), 0);
  });

  it('throws ERR_CORE_INVALID_INPUT (param n) when n is negative, fractional or longer than any array', () => {
    const rows = [fair(true, 0.2), fair(false, 0.3)];
    const isInvalidN = (error: unknown) =>
      error instanceof CoreError && error.code === 'ERR_CORE_INVALID_INPUT' && error.param === 'n';
    assert.throws(() => impliedVolatilityBatch(toArrays(rows), makeOutput(2), -1), isInvalidN);
    assert.throws(() => impliedVolatilityBatch(toArrays(rows), makeOutput(2), 1.5), isInvalidN);
    assert.throws(() => impliedVolatilityBatch(toArrays(rows), makeOutput(2), 3), isInvalidN);
    // An output shorter than the input is caught as well, before anything is written.
    const short = makeOutput(1);
    assert.throws(() => impliedVolatilityBatch(toArrays(rows), short), isInvalidN);
    assert.equal(short.status[0], 255);
  });
});
