import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normCdf, normPdf } from '../../../src/core/math/normal.js';
import { normCdfFromDensity, quickNormCdf } from '../../../src/core/math/normal-from-density.js';

function relativeError(actual: number, expected: number): number {
  return expected === 0 ? Math.abs(actual) : Math.abs(actual / expected - 1);
}

describe('normCdfFromDensity', () => {
  it('equals normCdf to a few ulps when given the exact density, in both tails and the centre', () => {
    for (let d = -37; d <= 8.5; d += 0.0137) {
      const got = normCdfFromDensity(d, normPdf(d));
      assert.ok(relativeError(got, normCdf(d)) <= 6e-16, `d=${d}: ${got} vs ${normCdf(d)}`);
    }
  });
});

describe('quickNormCdf', () => {
  it('keeps a relative error within 4 d^2 2^-53 + 6e-16 of normCdf from -37 to 8.5 (the rounding of the exponent)', () => {
    for (let d = -37; d <= 8.5; d += 0.00731) {
      const got = quickNormCdf(d);
      const bound = 4 * d * d * 2 ** -53 + 6e-16;
      assert.ok(relativeError(got, normCdf(d)) <= bound, `d=${d}: ${got} vs ${normCdf(d)}, bound ${bound}`);
    }
  });

  it('gives 0 and 1 at the infinities and NaN for NaN', () => {
    assert.equal(quickNormCdf(Number.NEGATIVE_INFINITY), 0);
    assert.equal(quickNormCdf(Number.POSITIVE_INFINITY), 1);
    assert.ok(Number.isNaN(quickNormCdf(Number.NaN)));
  });
});
