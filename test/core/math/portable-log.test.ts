import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { xorshift32 } from '../../../bench/support/xorshift32.js';
import { ulp } from '../../helpers/ulp.js';

import { portableLog } from '../../../src/core/math/portable-log.js';

describe('portableLog (fdlibm e_log.c method in plain arithmetic)', () => {
  it('is within 1 ulp of Math.log over 250,000 arguments from subnormals to the largest double', (t) => {
    const next = xorshift32(0x6d2b79f5);
    let identical = 0;
    let worst = 0;
    let total = 0;
    const ranges: [number, number][] = [
      [0, 1], // the ziggurat's uniforms
      [0.7, 1.5], // near 1, where ln x is small and the error is relative
      [1, 1e6],
    ];
    for (const [lo, hi] of ranges) {
      for (let i = 0; i < 50_000; i++) {
        const x = lo + (hi - lo) * next() || 0.5;
        const expected = Math.log(x);
        const got = portableLog(x);
        total++;
        if (Object.is(got, expected)) identical++;
        const error = Math.abs(got - expected) / ulp(expected === 0 ? 1 : expected);
        worst = Math.max(worst, error);
        assert.ok(error <= 1, `log(${x}): ${got} vs Math.log ${expected}`);
      }
    }
    // Whole exponent range: x = 2^e (1 + f).
    for (let i = 0; i < 100_000; i++) {
      const x = 2 ** Math.floor(-1074 + 2098 * next()) * (1 + next());
      if (!(x > 0 && x < Infinity)) continue;
      const expected = Math.log(x);
      const got = portableLog(x);
      total++;
      if (Object.is(got, expected)) identical++;
      const error = Math.abs(got - expected) / ulp(expected);
      worst = Math.max(worst, error);
      assert.ok(error <= 1, `log(${x}): ${got} vs Math.log ${expected}`);
    }
    t.diagnostic(`${identical} of ${total} bit-identical to this engine's Math.log; worst difference ${worst} ulp`);
  });

  it('is exact at powers of two and 1, and follows IEEE at 0, below 0, at infinity and NaN', () => {
    assert.equal(portableLog(1), 0);
    assert.equal(portableLog(2), Math.LN2);
    assert.equal(portableLog(0.5), -Math.LN2);
    assert.equal(portableLog(1024), 10 * Math.LN2);
    assert.equal(portableLog(0), -Infinity);
    assert.equal(portableLog(-0), -Infinity);
    assert.ok(Number.isNaN(portableLog(-1)));
    assert.ok(Number.isNaN(portableLog(Number.NaN)));
    assert.equal(portableLog(Infinity), Infinity);
    assert.equal(portableLog(Number.MIN_VALUE), -744.4400719213812);
    assert.equal(portableLog(Number.MAX_VALUE), 709.782712893384);
  });
});
