import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { exerciseBoundaries, MAX_BOUNDARIES, polynomialRoots } from '../../../src/core/engines/exercise-boundary.js';
import { portableLog } from '../../../src/core/math/portable-log.js';
import { tableExp } from '../../../src/core/math/table-exp.js';

/** Deterministic uniforms in [0, 1). */
function uniforms(seed: number): () => number {
  let state = seed;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

describe('Longstaff-Schwartz exercise boundaries', () => {
  it('finds every real root of a polynomial of degree up to 5 in a range, double roots included', () => {
    const roots = new Float64Array(6);
    const scratch = new Float64Array(36);
    // (u + 2)(u - 0.5)(u - 1)(u - 3)(u - 3.5): five simple roots.
    const fromRoots = (rs: number[]): Float64Array => {
      let p = [1];
      for (const r of rs) {
        const next = new Array<number>(p.length + 1).fill(0);
        p.forEach((c, k) => {
          next[k + 1]! += c;
          next[k]! -= r * c;
        });
        p = next;
      }
      return Float64Array.from(p);
    };
    const five = [-2, 0.5, 1, 3, 3.5];
    assert.equal(polynomialRoots(fromRoots(five), 5, -10, 10, roots, scratch), 5);
    five.forEach((r, i) => assert.ok(Math.abs(roots[i]! - r) < 1e-12, `${roots[i]} vs ${r}`));
    // Only those inside the range.
    assert.equal(polynomialRoots(fromRoots(five), 5, 0, 3.2, roots, scratch), 3);
    assert.deepEqual(
      Array.from(roots.subarray(0, 3), (r) => Math.round(r * 1e9) / 1e9),
      [0.5, 1, 3],
    );
    // A double root (u - 1)^2 (u + 1): the double root is found where g touches 0 (g' vanishes there).
    const touching = fromRoots([1, 1, -1]);
    const n = polynomialRoots(touching, 3, -5, 5, roots, scratch);
    assert.ok(n >= 1 && Math.abs(roots[0]! + 1) < 1e-12, Array.from(roots.subarray(0, n)).join(', '));
    // Degree counted from the highest non-zero coefficient; no root.
    assert.equal(polynomialRoots(Float64Array.of(1, 0, 1, 0, 0, 0), 5, -5, 5, roots, scratch), 0);
  });

  it('classifies log-returns exactly as the rule evaluated directly, away from the boundaries', () => {
    const next = uniforms(0x1234567);
    const boundaries = new Float64Array(MAX_BOUNDARIES);
    const exercise = new Uint8Array(MAX_BOUNDARIES + 1);
    let disagreements = 0;
    let checked = 0;
    for (let trial = 0; trial < 200; trial++) {
      const degree = 1 + Math.floor(next() * 5);
      const coefficients = new Float64Array(6);
      for (let k = 0; k <= degree; k++) coefficients[k] = (next() - 0.5) * (k === 0 ? 20 : 6);
      const side = next() < 0.5 ? 1 : -1;
      const strike = 100;
      const spotOverStrike = 0.8 + 0.4 * next();
      const center = side > 0 ? 0.9 : 1.1;
      const scale = 5 + 20 * next();
      const payoffScale = strike * side * 0.97;
      const logStrike = portableLog(1 / spotOverStrike);
      const lowLog = side > 0 ? logStrike - 1.5 : logStrike;
      const highLog = side > 0 ? logStrike : logStrike + 1.5;
      exerciseBoundaries(
        coefficients,
        0,
        degree,
        center,
        scale,
        payoffScale,
        spotOverStrike,
        lowLog,
        highLog,
        boundaries,
        0,
        exercise,
        0,
        portableLog,
        tableExp,
      );
      for (let i = 0; i < 500; i++) {
        const logReturn = lowLog + (highLog - lowLog) * next();
        const x = spotOverStrike * tableExp(logReturn);
        const u = (x - center) * scale;
        let continuation = 0;
        for (let k = degree; k >= 0; k--) continuation = continuation * u + coefficients[k]!;
        const value = payoffScale * (1 - x);
        const direct = value >= continuation;
        // Skip points within 1e-9 of a boundary, where rounding may decide either way.
        if (Array.from(boundaries).some((b) => Math.abs(b - logReturn) < 1e-9)) continue;
        let above = 0;
        for (const b of boundaries) if (logReturn >= b) above++;
        checked++;
        if ((exercise[above] === 1) !== direct) disagreements++;
      }
    }
    assert.ok(checked > 90_000);
    assert.equal(disagreements, 0);
  });
});
