import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { CoreError } from '../../../src/core/errors.js';
import { inverseNormalCdf, inverseNormalCdfInPlace } from '../../../src/core/math/inverse-normal.js';

interface ReferenceTable {
  readonly source: string;
  readonly rows: readonly { readonly p: number; readonly x: number }[];
}

// Reference quantiles solved with mpmath at 80 digits; the generator script sits beside the data.
const reference = JSON.parse(
  readFileSync(new URL('../reference/mpmath-inverse-normal.json', import.meta.url), 'utf8'),
) as ReferenceTable;

describe('inverseNormalCdf (Wichura AS241 PPND16)', () => {
  it('matches high-precision quantiles to 1e-15 relative from p = 5e-324 to 1 - 2^-53', (t) => {
    assert.ok(reference.rows.length > 300, 'the reference table is loaded');
    let worst = 0;
    for (const { p, x } of reference.rows) {
      const got = inverseNormalCdf(p);
      const error = x === 0 ? Math.abs(got) : Math.abs(got - x) / Math.abs(x);
      worst = Math.max(worst, error);
      assert.ok(error <= 1e-15, `p=${p}: got ${got}, reference ${x} (${reference.source}), relative error ${error}`);
    }
    // The algorithm claims about 1e-16; the bound leaves room for a few roundings in the Horner chains.
    t.diagnostic(`worst relative error ${worst.toExponential(2)} over ${reference.rows.length} probabilities`);
  });

  it('is odd about p = 1/2 wherever both p and 1 - p are exact doubles', () => {
    for (let k = 1; k < 4096; k++) {
      const p = k / 8192;
      assert.equal(inverseNormalCdf(1 - p), -inverseNormalCdf(p), `p=${p}`);
    }
  });

  it('is strictly increasing across the region boundaries and the far tails', () => {
    const probabilities: number[] = [];
    for (let e = -320; e <= -1; e += 0.25) probabilities.push(10 ** e);
    for (let p = 0.07; p <= 0.93; p += 1e-4) probabilities.push(p);
    for (let e = -1; e >= -16; e -= 0.25) probabilities.push(1 - 10 ** e);
    const sorted = [...new Set(probabilities)].sort((a, b) => a - b);
    let previous = -Infinity;
    for (const p of sorted) {
      const x = inverseNormalCdf(p);
      assert.ok(x > previous, `not increasing at p=${p}: ${x} after ${previous}`);
      previous = x;
    }
  });

  it('returns exactly 0 at p = 1/2 and the infinities at 0 and 1', () => {
    assert.equal(inverseNormalCdf(0.5), 0);
    assert.equal(inverseNormalCdf(0), -Infinity);
    assert.equal(inverseNormalCdf(1), Infinity);
  });

  it('gives element for element the same numbers in place over a batch, tails and edges included', () => {
    const probabilities = [...reference.rows.map((row) => row.p), 0, 1, 0.5, 0.075, 0.925, 1e-300, 1 - 2 ** -53];
    const batch = Float64Array.from(probabilities);
    inverseNormalCdfInPlace(batch);
    probabilities.forEach((p, i) => assert.ok(Object.is(batch[i], inverseNormalCdf(p)), `p=${p}`));
    const partial = Float64Array.from([0.1, 0.01, 0.3]);
    inverseNormalCdfInPlace(partial, 2);
    assert.equal(partial[2], 0.3, 'only the first count values are transformed');
    assert.throws(() => inverseNormalCdfInPlace(Float64Array.from([0.5, Number.NaN])), CoreError);
  });

  it('refuses NaN and probabilities outside [0, 1] with ERR_CORE_INVALID_INPUT', () => {
    for (const p of [Number.NaN, -1e-300, -0.5, 1 + 2 ** -52, 2, Infinity, -Infinity]) {
      assert.throws(
        () => inverseNormalCdf(p),
        (error: unknown) => {
          assert.ok(error instanceof CoreError);
          assert.equal(error.code, 'ERR_CORE_INVALID_INPUT');
          assert.equal(error.param, 'probability');
          return true;
        },
        `p=${p}`,
      );
    }
  });
});
