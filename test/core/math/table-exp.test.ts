import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { xorshift32 } from '../../../bench/support/xorshift32.js';
import { ulp } from '../../helpers/ulp.js';

import { tableExp } from '../../../src/core/math/table-exp.js';

describe("tableExp (Tang's table-driven method)", () => {
  it('is within 2 ulp of Math.exp over 250,000 arguments, including the fallback ranges', (t) => {
    const next = xorshift32(0x2545f491);
    let identical = 0;
    let worst = 0;
    let total = 0;
    for (const [lo, hi] of [
      [-1e-9, 1e-9],
      [-1, 1],
      [-30, 30],
      [-708, 708],
      [-745.13, -708],
      [708, 709.78],
    ] as const) {
      for (let i = 0; i < 40_000; i++) {
        const x = lo + (hi - lo) * next();
        const expected = Math.exp(x);
        const got = tableExp(x);
        total++;
        if (Object.is(got, expected)) identical++;
        const error = Math.abs(got - expected) / ulp(expected);
        worst = Math.max(worst, error);
        assert.ok(error <= 2, `exp(${x}): ${got} vs Math.exp ${expected}`);
      }
    }
    t.diagnostic(`${identical} of ${total} bit-identical to this engine's Math.exp; worst difference ${worst} ulp`);
  });

  it('is exact at 0 and at multiples of ln2 / 256 that are powers of two, and follows IEEE outside the range', () => {
    assert.equal(tableExp(0), 1);
    assert.equal(tableExp(-0), 1);
    assert.equal(tableExp(Math.LN2), 2);
    assert.equal(tableExp(-10 * Math.LN2), 2 ** -10);
    assert.equal(tableExp(1000), Infinity);
    assert.equal(tableExp(-1000), 0);
    assert.ok(Number.isNaN(tableExp(Number.NaN)));
  });
});
