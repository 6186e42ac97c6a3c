import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  convexControlToFitSecondDerivativeAtLeft,
  convexControlToFitSecondDerivativeAtRight,
  rationalCubicInterpolation,
} from '../../../src/core/math/rational-cubic.js';

/** Numerical first and second derivatives of the interpolant at x (central differences). */
function derivatives(p: (x: number) => number, x: number, h: number): { d1: number; d2: number } {
  return { d1: (p(x + h) - p(x - h)) / (2 * h), d2: (p(x + h) - 2 * p(x) + p(x - h)) / (h * h) };
}

describe('rationalCubicInterpolation (Delbourgo-Gregory)', () => {
  const [xl, xr, yl, yr, dl, dr] = [1, 3, 2, 5, 0.5, 4];

  it('takes the end values and the end slopes for any control parameter', () => {
    for (const r of [-0.5, 0, 3, 10, 1e6]) {
      const p = (x: number): number => rationalCubicInterpolation(x, xl, xr, yl, yr, dl, dr, r);
      assert.ok(Math.abs(p(xl) - yl) < 1e-15 && Math.abs(p(xr) - yr) < 1e-14, `r=${r}`);
      if (r < 1e5) {
        assert.ok(Math.abs(derivatives(p, xl + 1e-6, 1e-6).d1 - dl) < 1e-4, `slope at left, r=${r}`);
        assert.ok(Math.abs(derivatives(p, xr - 1e-6, 1e-6).d1 - dr) < 1e-4, `slope at right, r=${r}`);
      }
    }
  });

  it('is the cubic Hermite interpolant at r = 3, so it reproduces a cubic exactly', () => {
    const cubic = (x: number): number => 0.5 * x * x * x - x * x + 2;
    const slope = (x: number): number => 1.5 * x * x - 2 * x;
    for (const x of [1, 1.3, 2, 2.71, 3]) {
      const p = rationalCubicInterpolation(x, 1, 3, cubic(1), cubic(3), slope(1), slope(3), 3);
      assert.ok(Math.abs(p - cubic(x)) < 1e-14, `x=${x}: ${p} vs ${cubic(x)}`);
    }
  });

  it('tends to the straight line as r grows', () => {
    const p = rationalCubicInterpolation(2, xl, xr, yl, yr, dl, dr, 1e40);
    assert.ok(Math.abs(p - 3.5) < 1e-12, `${p}`);
  });

  it('matches a requested second derivative at the left or the right end (where that keeps the shape)', () => {
    // For this convex data shape preservation needs r >= 3.5; both requests below lead to r above that.
    const left = convexControlToFitSecondDerivativeAtLeft(xl, xr, yl, yr, dl, dr, 2, false);
    const pl = (x: number): number => rationalCubicInterpolation(x, xl, xr, yl, yr, dl, dr, left);
    assert.ok(Math.abs(derivatives(pl, xl + 1e-3, 1e-3).d2 - 2) < 0.05, `left: ${derivatives(pl, xl + 1e-3, 1e-3).d2}`);
    const right = convexControlToFitSecondDerivativeAtRight(xl, xr, yl, yr, dl, dr, 8, false);
    const pr = (x: number): number => rationalCubicInterpolation(x, xl, xr, yl, yr, dl, dr, right);
    assert.ok(
      Math.abs(derivatives(pr, xr - 1e-3, 1e-3).d2 - 8) < 0.05,
      `right: ${derivatives(pr, xr - 1e-3, 1e-3).d2}`,
    );
  });

  it('raises the control parameter where the requested curvature would break monotonicity or convexity', () => {
    // Convex increasing data; a large negative curvature request would make the plain fit wiggle.
    const r = convexControlToFitSecondDerivativeAtRight(0, 1, 0, 1, 0.1, 3, -50, true);
    let previous = -Infinity;
    let previousSlope = -Infinity;
    for (let i = 0; i <= 1000; i++) {
      const x = i / 1000;
      const y = rationalCubicInterpolation(x, 0, 1, 0, 1, 0.1, 3, r);
      assert.ok(y >= previous - 1e-15, `not monotone at ${x}`);
      if (i > 0) {
        const slope = (y - previous) * 1000;
        assert.ok(slope >= previousSlope - 1e-9, `not convex at ${x}`);
        previousSlope = slope;
      }
      previous = y;
    }
  });
});
