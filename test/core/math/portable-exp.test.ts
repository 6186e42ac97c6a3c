import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { xorshift32 } from '../../../bench/support/xorshift32.js';
import { ulp } from '../../helpers/ulp.js';

import { portableExpInPlace } from '../../../src/core/math/portable-exp.js';

function portableExp(x: number): number {
  const values = Float64Array.of(x);
  portableExpInPlace(values);
  return values[0]!;
}

describe('portableExpInPlace (fdlibm e_exp.c method in plain arithmetic)', () => {
  it('is within 1 ulp of Math.exp over 300,000 arguments spanning the whole finite range', (t) => {
    const next = xorshift32(0x2545f491);
    let identical = 0;
    let total = 0;
    let worst = 0;
    for (const [lo, hi] of [
      [-1e-9, 1e-9],
      [-1, 1],
      [-20, 20],
      [-745.13, 709.78],
      [-745.13, -708],
      [700, 709.78],
    ] as const) {
      const args = Float64Array.from({ length: 50_000 }, () => lo + (hi - lo) * next());
      const values = Float64Array.from(args);
      portableExpInPlace(values);
      for (let i = 0; i < args.length; i++) {
        const v = args[i]!;
        const expected = Math.exp(v);
        const got = values[i]!;
        total++;
        if (Object.is(got, expected)) identical++;
        const error = Math.abs(got - expected) / ulp(expected);
        worst = Math.max(worst, error);
        assert.ok(error <= 1, `exp(${v}): ${got} vs Math.exp ${expected}`);
      }
    }
    t.diagnostic(`${identical} of ${total} bit-identical to this engine's Math.exp; worst difference ${worst} ulp`);
  });

  it('returns exact powers of two and 1 exactly, and e within 1 ulp', () => {
    assert.equal(portableExp(0), 1);
    assert.equal(portableExp(-0), 1);
    // fdlibm's exp(1) is 1 ulp above the correctly rounded e (V8 special-cases it to return Math.E).
    assert.ok(Math.abs(portableExp(1) - Math.E) <= ulp(Math.E), String(portableExp(1)));
    assert.equal(portableExp(Math.LN2), 2);
    assert.equal(portableExp(-Math.LN2), 0.5);
    assert.equal(portableExp(10 * Math.LN2), 1024);
    assert.equal(portableExp(1e-300), 1);
  });

  it('transforms only the first count values', () => {
    const values = Float64Array.of(0, Math.LN2, 5);
    portableExpInPlace(values, 2);
    assert.deepEqual([...values], [1, 2, 5]);
  });

  it('overflows, underflows and passes NaN through at the IEEE thresholds', () => {
    assert.equal(portableExp(709.782712893384), 1.7976931348622732e308);
    assert.equal(portableExp(709.7827128933841), Infinity);
    assert.equal(portableExp(Infinity), Infinity);
    assert.equal(portableExp(-745.1332191019411), 5e-324);
    assert.equal(portableExp(-745.1332191019412), 0);
    assert.equal(portableExp(-Infinity), 0);
    assert.ok(Number.isNaN(portableExp(Number.NaN)));
    assert.equal(
      portableExp(-708.5),
      2.006132305331306e-308,
      'first subnormal-free value below the normal range boundary',
    );
    assert.equal(portableExp(-740), Math.exp(-740), 'subnormal result');
  });
});
