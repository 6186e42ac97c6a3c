import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { findRootBrent, findRootSafeguardedNewton } from '../../../src/core/math/root-finding.js';
import { CoreError } from '../../../src/core/errors.js';

// The Dottie number, the unique real fixed point of cos: OEIS A003957 (0.739085133215160641655312087673...).
const DOTTIE = 0.7390851332151607;

function countingCalls(f: (x: number) => number): { f: (x: number) => number; calls: () => number } {
  let n = 0;
  return {
    f: (x) => {
      n++;
      return f(x);
    },
    calls: () => n,
  };
}

function assertRelativelyClose(actual: number, expected: number, tolerance: number, context: string): void {
  const error = Math.abs(actual - expected) / Math.max(Math.abs(expected), Number.MIN_VALUE);
  assert.ok(
    error <= tolerance,
    `${context}: got ${actual}, expected ${expected}, relative error ${error} > ${tolerance}`,
  );
}

describe('findRootBrent', () => {
  it('finds the fixed point of cos (cos(x) - x = 0) to full precision in under 10 evaluations', () => {
    const counted = countingCalls((x) => Math.cos(x) - x);
    const result = findRootBrent(counted.f, 0, 1);
    assert.equal(result.converged, true);
    assertRelativelyClose(result.root, DOTTIE, 4e-16, 'root');
    assert.ok(result.iterations <= 8, `iterations ${result.iterations}`);
    assert.equal(counted.calls(), result.iterations + 2);
  });

  it("finds the real root of x^3 - 2x - 5 (Wallis's example, 2.0945514815423265...) from a wide bracket", () => {
    // Root from Wallis's classic cubic; value 2.09455148154232659148... (Whittaker & Robinson, "The Calculus of Observations").
    const result = findRootBrent((x) => x * x * x - 2 * x - 5, -10, 10);
    assert.equal(result.converged, true);
    assertRelativelyClose(result.root, 2.0945514815423265, 4e-16, 'root');
    assert.ok(result.iterations <= 20, `iterations ${result.iterations}`);
  });

  it('finds sqrt(2) as the root of x^2 - 2 with the bracket given in either order', () => {
    for (const [lo, hi] of [
      [0, 2],
      [2, 0],
    ] as const) {
      const result = findRootBrent((x) => x * x - 2, lo, hi);
      assertRelativelyClose(result.root, Math.SQRT2, 4e-16, `bracket [${lo}, ${hi}]`);
    }
  });

  it('stays within its worst-case budget on a function that defeats interpolation (a steep step-like tanh)', () => {
    const result = findRootBrent((x) => Math.tanh(1e4 * (x - 0.3141)), -1, 1, { absoluteTolerance: 1e-14 });
    assert.equal(result.converged, true);
    assert.ok(Math.abs(result.root - 0.3141) <= 1e-14, `root ${result.root}`);
    assert.ok(result.iterations <= 60, `iterations ${result.iterations}`);
  });

  it('handles a triple root (x - 1)^3, where interpolation crawls, within about three times the bisection count', () => {
    // Bisection alone would need log2(3 / 1e-12) = 42 halvings; Brent's safeguard bounds the slowdown.
    const result = findRootBrent((x) => (x - 1) ** 3, 0, 3, { absoluteTolerance: 1e-12, maxIterations: 1000 });
    assert.equal(result.converged, true);
    assert.ok(Math.abs(result.root - 1) <= 1e-12, `root ${result.root}`);
    assert.ok(result.iterations <= 3 * 42, `iterations ${result.iterations}`);
  });

  it("uses the caller's f(lower) and f(upper) instead of evaluating them again", () => {
    const counted = countingCalls((x) => Math.cos(x) - x);
    const result = findRootBrent(counted.f, 0, 1, { lowerValue: 1, upperValue: Math.cos(1) - 1 });
    assertRelativelyClose(result.root, DOTTIE, 4e-16, 'root');
    assert.equal(counted.calls(), result.iterations);
  });

  it('returns a bracket end at once when f is zero there', () => {
    const result = findRootBrent((x) => x - 3, 3, 7);
    assert.deepEqual(result, { root: 3, value: 0, iterations: 0, converged: true });
  });

  it('stops on the function tolerance', () => {
    const result = findRootBrent((x) => Math.cos(x) - x, 0, 1, { functionTolerance: 1e-3 });
    assert.equal(result.converged, true);
    assert.ok(Math.abs(result.value) <= 1e-3);
    assert.ok(Math.abs(result.root - DOTTIE) > 1e-12, 'the loose tolerance should stop it early');
  });

  it('reports converged: false with the best estimate when the iteration budget runs out', () => {
    const result = findRootBrent((x) => (x - 1) ** 3, 0, 3, { maxIterations: 3 });
    assert.equal(result.converged, false);
    assert.equal(result.iterations, 3);
    assert.ok(result.root > 0 && result.root < 3);
  });

  it('throws ERR_CORE_INVALID_INPUT naming the bracket when f has the same sign at both ends', () => {
    assert.throws(
      () => findRootBrent((x) => x * x + 1, -1, 1),
      (error: unknown) =>
        error instanceof CoreError &&
        error.code === 'ERR_CORE_INVALID_INPUT' &&
        error.param === 'bracket' &&
        /not bracketed/.test(error.message),
    );
  });

  it('throws ERR_CORE_INVALID_INPUT for a non-finite bracket end, a NaN function value or a bad option', () => {
    const isInvalid = (param: string) => (error: unknown) =>
      error instanceof CoreError && error.code === 'ERR_CORE_INVALID_INPUT' && error.param === param;
    assert.throws(() => findRootBrent((x) => x, Number.NaN, 1), isInvalid('lower'));
    assert.throws(() => findRootBrent((x) => x, -1, Infinity), isInvalid('upper'));
    assert.throws(() => findRootBrent((x) => (x > 0.5 ? Number.NaN : x - 0.7), 0, 1), isInvalid('function'));
    assert.throws(() => findRootBrent((x) => x, -1, 1, { maxIterations: 0 }), isInvalid('maxIterations'));
    assert.throws(() => findRootBrent((x) => x, -1, 1, { relativeTolerance: -1 }), isInvalid('relativeTolerance'));
  });

  it('finds the root of any shifted cubic x^3 + x - c to within its tolerance (property)', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), (c) => {
        const f = (x: number): number => x * x * x + x - c;
        const bound = Math.abs(c) + 1;
        const result = findRootBrent(f, -bound, bound);
        assert.equal(result.converged, true);
        // x^3 + x is strictly increasing, so one-ulp neighbours must straddle the root.
        const x = result.root;
        const ulp = Math.max(Math.abs(x) * 2 ** -52, Number.MIN_VALUE);
        assert.ok(f(x - 4 * ulp) <= 0 && f(x + 4 * ulp) >= 0, `c=${c}: root ${x}, f=${f(x)}`);
        assert.ok(result.iterations <= 80, `c=${c}: iterations ${result.iterations}`);
      }),
      { numRuns: 300 },
    );
  });
});

describe('findRootSafeguardedNewton', () => {
  it('finds the fixed point of cos in a handful of steps', () => {
    const result = findRootSafeguardedNewton(
      (x) => Math.cos(x) - x,
      (x) => -Math.sin(x) - 1,
      0,
      1,
    );
    assert.equal(result.converged, true);
    assertRelativelyClose(result.root, DOTTIE, 4e-16, 'root');
    assert.ok(result.iterations <= 7, `iterations ${result.iterations}`);
  });

  it('finds the real root of x^3 - 2x - 5 from a wide bracket where plain Newton would be thrown out', () => {
    const result = findRootSafeguardedNewton(
      (x) => x * x * x - 2 * x - 5,
      (x) => 3 * x * x - 2,
      -10,
      10,
      { initialGuess: 0.8 },
    );
    assert.equal(result.converged, true);
    // Within the default tolerance of 4 ulps.
    assertRelativelyClose(result.root, 2.0945514815423265, 9e-16, 'root');
    assert.ok(result.iterations <= 12, `iterations ${result.iterations}`);
  });

  it('survives a zero derivative at the starting point by bisecting', () => {
    const result = findRootSafeguardedNewton(
      (x) => x * x - 2,
      (x) => 2 * x,
      -1,
      3,
      { initialGuess: 0 },
    );
    assert.equal(result.converged, true);
    assertRelativelyClose(result.root, Math.SQRT2, 4e-16, 'root');
  });

  it('throws ERR_CORE_INVALID_INPUT naming the bracket when the root is not bracketed', () => {
    assert.throws(
      () =>
        findRootSafeguardedNewton(
          (x) => x * x + 1,
          (x) => 2 * x,
          -1,
          1,
        ),
      (error: unknown) =>
        error instanceof CoreError && error.code === 'ERR_CORE_INVALID_INPUT' && error.param === 'bracket',
    );
  });

  it('reports converged: false when the iteration budget runs out', () => {
    const result = findRootSafeguardedNewton(
      (x) => Math.atan(x - 5),
      (x) => 1 / (1 + (x - 5) ** 2),
      -1000,
      1000,
      { maxIterations: 2 },
    );
    assert.equal(result.converged, false);
    assert.equal(result.iterations, 2);
  });
});
