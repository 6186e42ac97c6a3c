import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import {
  normalisedBlack,
  normalisedBlackOtm,
  normalisedBlackOtmAndVega,
  normalisedIntrinsicCall,
  normalisedVega,
} from '../../../src/core/engines/normalised-black.js';
import { blackScholesPrice } from '../../../src/core/engines/black-scholes.js';

const EPS = 2 ** -52;
const reference = JSON.parse(
  readFileSync(new URL('../reference/mpmath-normalised-black.json', import.meta.url), 'utf8'),
) as {
  source: string;
  rows: [x: number, s: number, b: number, vega: number][];
};

describe('normalisedBlack', () => {
  it(`matches 50-digit values in all four regions to 8 ulps times the function's own condition number 1 + (h^2 + t^2)/2 (${reference.source})`, () => {
    // b and its vega depend on exp(-(h^2 + t^2)/2) with h = x/s, t = s/2: rounding x or s by one ulp already moves
    // them by (h^2 + t^2)/2 ulps, so that is the accuracy any double-precision evaluation can promise.
    const sink = { vega: 0 };
    for (const [x, s, b, vega] of reference.rows) {
      const h = x / s;
      const t = 0.5 * s;
      const allowed = 8 * EPS * (1 + 0.5 * (h * h + t * t));
      const got = normalisedBlackOtmAndVega(x, s, Math.exp(0.5 * x), sink);
      assert.ok(
        Math.abs(got / b - 1) <= allowed,
        `b(${x}, ${s}) = ${got}, expected ${b}: ${Math.abs(got / b - 1) / EPS} ulps`,
      );
      assert.ok(Math.abs(sink.vega / vega - 1) <= allowed, `vega(${x}, ${s}) = ${sink.vega}, expected ${vega}`);
      assert.equal(normalisedBlackOtm(x, s), got);
      assert.equal(normalisedVega(x, s), sink.vega);
    }
  });

  it('is the undiscounted Black-Scholes price over sqrt(F K) (against blackScholesPrice, 1e-13)', () => {
    for (const [type, S, K, T, r, q, sigma] of [
      ['call', 100, 90, 0.5, 0.05, 0.02, 0.3],
      ['put', 100, 90, 0.5, 0.05, 0.02, 0.3],
      ['call', 50, 80, 2, 0.01, 0, 0.6],
      ['put', 120, 100, 0.1, -0.01, 0.03, 0.15],
    ] as const) {
      const F = S * Math.exp((r - q) * T);
      const b = normalisedBlack(Math.log(F / K), sigma * Math.sqrt(T), type === 'call' ? 1 : -1);
      const price = Math.exp(-r * T) * Math.sqrt(F * K) * b;
      const expected = blackScholesPrice(type, S, K, T, sigma, r, q);
      assert.ok(Math.abs(price / expected - 1) < 1e-13, `${type} S=${S} K=${K}: ${price} vs ${expected}`);
    }
  });

  it('satisfies put-call parity b(x, s, +1) - b(x, s, -1) = 2 sinh(x/2) and reciprocal-strike symmetry (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -5, max: 5, noNaN: true }),
        fc.double({ min: 1e-3, max: 5, noNaN: true }),
        (x, s) => {
          const call = normalisedBlack(x, s, 1);
          const put = normalisedBlack(x, s, -1);
          assert.ok(
            Math.abs(call - put - 2 * Math.sinh(0.5 * x)) <= 8 * EPS * Math.max(call, put, 1e-300),
            `x=${x} s=${s}: ${call} - ${put}`,
          );
          assert.equal(normalisedBlack(-x, s, 1), put);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('increases with s from the intrinsic value towards e^(x/2) (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -5, max: 0, noNaN: true }),
        fc.double({ min: 1e-3, max: 10, noNaN: true }),
        (x, s) => {
          const b = normalisedBlackOtm(x, s);
          assert.ok(normalisedBlackOtm(x, s * 1.01) >= b, `not increasing at x=${x} s=${s}`);
          assert.ok(b >= 0 && b < Math.exp(0.5 * x), `b(${x}, ${s}) = ${b} outside [0, e^(x/2))`);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('gives the intrinsic value at s = 0 and 0 for an underflowing out-of-the-money value, never NaN', () => {
    assert.equal(normalisedBlack(0.5, 0, 1), normalisedIntrinsicCall(0.5));
    assert.equal(normalisedBlack(-0.5, 0, 1), 0);
    assert.equal(normalisedBlackOtm(-30, 0.01), 0);
    assert.equal(normalisedVega(-30, 0), 0);
    assert.equal(normalisedIntrinsicCall(-1), 0);
    assert.ok(Math.abs(normalisedIntrinsicCall(1e-10) / 1e-10 - 1) < 1e-15);
  });
});
