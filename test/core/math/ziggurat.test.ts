import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { normCdf } from '../../../src/core/math/normal.js';
import { seedXoshiro128 } from '../../../src/core/math/xoshiro128.js';
import { fillZigguratNormals, zigguratLayerEdges } from '../../../src/core/math/ziggurat.js';

const R = 3.442619855899;
const V = 9.91256303526217e-3;
const f = (x: number): number => Math.exp(-0.5 * x * x);

function normals(count: number, seed: bigint): Float64Array {
  const state = new Int32Array(4);
  seedXoshiro128(state, 0, seed, 0, 0);
  const out = new Float64Array(count);
  fillZigguratNormals(state, 0, out, count);
  return out;
}

describe('ziggurat normals (Marsaglia and Tsang, 128 layers)', () => {
  it('builds 127 layers of area V on top of each other, from x_127 = R down to x_1, the top one ending at 0', () => {
    const x = zigguratLayerEdges();
    assert.equal(x[127], R);
    for (let i = 2; i < 128; i++) {
      // Layer i is [0, x_i] x [f(x_i), f(x_{i-1})].
      const area = x[i]! * (f(x[i - 1]!) - f(x[i]!));
      assert.ok(x[i - 1]! < x[i]!);
      assert.ok(Math.abs(area / V - 1) < 1e-12, `layer ${i}: ${area}`);
    }
    // The top layer [0, x_1] x [f(x_1), 1]: the published constants close it to 1.2e-9 relative.
    assert.ok(Math.abs((x[1]! * (1 - f(x[1]!))) / V - 1) < 1e-8);
  });

  it('gives the same numbers whether drawn at once or in pieces (the slow branch keeps the state)', () => {
    const whole = normals(20_000, 11n);
    const state = new Int32Array(4);
    seedXoshiro128(state, 0, 11n, 0, 0);
    const pieces = new Float64Array(20_000);
    let at = 0;
    for (const size of [1, 7, 512, 3, 4_000, 9_999, 5_478]) {
      const out = new Float64Array(size);
      fillZigguratNormals(state, 0, out, size);
      pieces.set(out, at);
      at += size;
    }
    assert.equal(at, 20_000);
    assert.deepEqual(pieces, whole);
  });

  it('is standard normal: 64-bin chi-square, moments and both tails of 2^21 draws', () => {
    const n = 2 ** 21;
    const z = normals(n, 2026n);
    const bins = new Float64Array(64);
    let sum = 0;
    let squares = 0;
    let fourth = 0;
    let beyondR = 0;
    let beyond4 = 0;
    for (const v of z) {
      bins[Math.min(63, Math.floor(normCdf(v) * 64))]!++;
      sum += v;
      squares += v * v;
      fourth += v ** 4;
      if (Math.abs(v) > R) beyondR++;
      if (Math.abs(v) > 4) beyond4++;
    }
    const expected = n / 64;
    let chiSquare = 0;
    for (const count of bins) chiSquare += (count - expected) ** 2 / expected;
    // 63 degrees of freedom: mean 63, sd 11.2; the bound is 5 sd above the mean.
    assert.ok(chiSquare < 63 + 5 * Math.sqrt(126), `chi-square ${chiSquare}`);
    assert.ok(Math.abs(sum / n) < 5 / Math.sqrt(n), `mean ${sum / n}`);
    assert.ok(Math.abs(squares / n - 1) < 5 * Math.sqrt(2 / n), `variance ${squares / n}`);
    assert.ok(Math.abs(fourth / n - 3) < 5 * Math.sqrt(96 / n), `fourth moment ${fourth / n}`);
    for (const [count, x] of [
      [beyondR, R],
      [beyond4, 4],
    ] as const) {
      const p = 2 * normCdf(-x);
      assert.ok(Math.abs(count - n * p) < 5 * Math.sqrt(n * p), `P(|Z| > ${x}): ${count / n} vs ${p}`);
    }
  });
});
