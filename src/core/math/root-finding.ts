import { CoreError } from '../errors.js';

/**
 * Generic one-dimensional root finders on a bracket: Brent's method (derivative free) and a safeguarded
 * Newton iteration. Both keep a sign-changing bracket at every step, so they cannot wander off, and both
 * report convergence as data: `converged` is false when the iteration budget ran out first, with the best
 * bracketed estimate in `root`.
 */

export interface RootFindingOptions {
  /** Absolute tolerance on the root: stop once the bracket is narrower than about this. Default 0. */
  readonly absoluteTolerance?: number;
  /** Relative tolerance on the root (times |root|). Default 4 * 2^-52. */
  readonly relativeTolerance?: number;
  /** Stop as soon as |f(root)| <= this. Default 0 (only an exact zero stops on the value). */
  readonly functionTolerance?: number;
  /** Evaluations of f after the two bracket ends. Default 100. */
  readonly maxIterations?: number;
}

/** Brent's options: the common ones plus f at the bracket ends when the caller has already paid for them. */
export interface BrentOptions extends RootFindingOptions {
  /** f(lower), if known: saves an evaluation. */
  readonly lowerValue?: number;
  /** f(upper), if known. */
  readonly upperValue?: number;
}

export interface RootResult {
  readonly root: number;
  /** f(root). */
  readonly value: number;
  /** Evaluations of f after the bracket ends were evaluated. */
  readonly iterations: number;
  readonly converged: boolean;
}

const EPSILON = 2 ** -52;
const DEFAULT_RELATIVE_TOLERANCE = 4 * EPSILON;
const DEFAULT_MAX_ITERATIONS = 100;

interface FilledOptions {
  absoluteTolerance: number;
  relativeTolerance: number;
  functionTolerance: number;
  maxIterations: number;
}

function fillOptions(options: RootFindingOptions | undefined): FilledOptions {
  const filled: FilledOptions = {
    absoluteTolerance: options?.absoluteTolerance ?? 0,
    relativeTolerance: options?.relativeTolerance ?? DEFAULT_RELATIVE_TOLERANCE,
    functionTolerance: options?.functionTolerance ?? 0,
    maxIterations: options?.maxIterations ?? DEFAULT_MAX_ITERATIONS,
  };
  for (const key of ['absoluteTolerance', 'relativeTolerance', 'functionTolerance'] as const) {
    const value = filled[key];
    if (!Number.isFinite(value) || value < 0) {
      throw new CoreError('ERR_CORE_INVALID_INPUT', `${key} must be a finite number >= 0, got ${String(value)}`, key);
    }
  }
  if (!Number.isInteger(filled.maxIterations) || filled.maxIterations < 1) {
    throw new CoreError(
      'ERR_CORE_INVALID_INPUT',
      `maxIterations must be an integer >= 1, got ${String(filled.maxIterations)}`,
      'maxIterations',
    );
  }
  // With both tolerances zero the stopping test could only be met by an exact zero; a relative floor of one
  // ulp keeps the bracket test meaningful.
  if (filled.absoluteTolerance === 0 && filled.relativeTolerance < EPSILON) filled.relativeTolerance = EPSILON;
  return filled;
}

function requireBracketEnd(value: number, param: 'lower' | 'upper'): void {
  if (!Number.isFinite(value)) {
    throw new CoreError(
      'ERR_CORE_INVALID_INPUT',
      `${param} end of the bracket must be a finite number, got ${String(value)}`,
      param,
    );
  }
}

function evaluate(f: (x: number) => number, x: number): number {
  const value = f(x);
  if (Number.isNaN(value)) {
    throw new CoreError('ERR_CORE_INVALID_INPUT', `the function returned NaN at x = ${x}`, 'function');
  }
  return value;
}

function notBracketed(lower: number, upper: number, fLower: number, fUpper: number): CoreError {
  return new CoreError(
    'ERR_CORE_INVALID_INPUT',
    `the root is not bracketed: f(${lower}) = ${fLower} and f(${upper}) = ${fUpper} have the same sign`,
    'bracket',
  );
}

/**
 * Brent's method (R. P. Brent, "Algorithms for Minimization without Derivatives", 1973, ch. 4): inverse
 * quadratic interpolation or secant steps while they shrink the bracket fast enough, bisection otherwise,
 * so it never needs more than about (log2(width/tolerance))^2 evaluations and is superlinear near a simple root.
 * Throws ERR_CORE_INVALID_INPUT (param 'bracket') when f(lower) and f(upper) have the same nonzero sign.
 */
export function findRootBrent(
  f: (x: number) => number,
  lower: number,
  upper: number,
  options?: BrentOptions,
): RootResult {
  const opts = fillOptions(options);
  requireBracketEnd(lower, 'lower');
  requireBracketEnd(upper, 'upper');
  let a = lower;
  let b = upper;
  let fa = options?.lowerValue ?? evaluate(f, a);
  let fb = options?.upperValue ?? evaluate(f, b);
  if (Number.isNaN(fa) || Number.isNaN(fb))
    throw new CoreError('ERR_CORE_INVALID_INPUT', 'the given bracket values must not be NaN', 'bracket');
  if (fa === 0 || Math.abs(fa) <= opts.functionTolerance) return { root: a, value: fa, iterations: 0, converged: true };
  if (fb === 0 || Math.abs(fb) <= opts.functionTolerance) return { root: b, value: fb, iterations: 0, converged: true };
  if (fa > 0 === fb > 0) throw notBracketed(lower, upper, fa, fb);

  // b is the best estimate, c the previous b or the far end of the bracket [b, c], a the previous b.
  let c = a;
  let fc = fa;
  let step = b - a;
  let previousStep = step;
  let iterations = 0;
  for (;;) {
    if (fb > 0 === fc > 0) {
      // The last step moved b across the root: the bracket is now [a, b].
      c = a;
      fc = fa;
      step = b - a;
      previousStep = step;
    }
    if (Math.abs(fc) < Math.abs(fb)) {
      // Keep b the end with the smaller residual.
      a = b;
      b = c;
      c = a;
      fa = fb;
      fb = fc;
      fc = fa;
    }
    const tolerance = 0.5 * (opts.absoluteTolerance + opts.relativeTolerance * Math.abs(b));
    const half = 0.5 * (c - b);
    if (Math.abs(half) <= tolerance || fb === 0 || Math.abs(fb) <= opts.functionTolerance) {
      return { root: b, value: fb, iterations, converged: true };
    }
    if (iterations >= opts.maxIterations) return { root: b, value: fb, iterations, converged: false };

    if (Math.abs(previousStep) >= tolerance && Math.abs(fa) > Math.abs(fb)) {
      // Try interpolation: p/q is the proposed step from b.
      const sRatio = fb / fa;
      let p: number;
      let q: number;
      if (a === c) {
        // Two distinct points only: secant.
        p = 2 * half * sRatio;
        q = 1 - sRatio;
      } else {
        // Inverse quadratic interpolation through (a, fa), (b, fb), (c, fc).
        const qa = fa / fc;
        const rb = fb / fc;
        p = sRatio * (2 * half * qa * (qa - rb) - (b - a) * (rb - 1));
        q = (qa - 1) * (rb - 1) * (sRatio - 1);
      }
      if (p > 0) q = -q;
      else p = -p;
      // Accept the interpolation only if it lands well inside the bracket and shrinks faster than the
      // step before last; otherwise bisect, which bounds the worst case.
      if (2 * p < Math.min(3 * half * q - Math.abs(tolerance * q), Math.abs(previousStep * q))) {
        previousStep = step;
        step = p / q;
      } else {
        step = half;
        previousStep = step;
      }
    } else {
      step = half;
      previousStep = step;
    }
    a = b;
    fa = fb;
    b += Math.abs(step) > tolerance ? step : half > 0 ? tolerance : -tolerance;
    fb = evaluate(f, b);
    iterations++;
  }
}

/**
 * Newton's method kept inside a sign-changing bracket (Numerical Recipes' rtsafe idea): a Newton step is
 * taken when it stays inside the bracket and at least halves the step before last, a bisection otherwise;
 * the bracket shrinks on every evaluation. `derivative` is f'(x). `initialGuess` defaults to the midpoint.
 * Throws ERR_CORE_INVALID_INPUT (param 'bracket') when f(lower) and f(upper) have the same nonzero sign.
 */
export function findRootSafeguardedNewton(
  f: (x: number) => number,
  derivative: (x: number) => number,
  lower: number,
  upper: number,
  options?: RootFindingOptions & { readonly initialGuess?: number },
): RootResult {
  const opts = fillOptions(options);
  requireBracketEnd(lower, 'lower');
  requireBracketEnd(upper, 'upper');
  const fLower = evaluate(f, lower);
  const fUpper = evaluate(f, upper);
  if (fLower === 0 || Math.abs(fLower) <= opts.functionTolerance)
    return { root: lower, value: fLower, iterations: 0, converged: true };
  if (fUpper === 0 || Math.abs(fUpper) <= opts.functionTolerance)
    return { root: upper, value: fUpper, iterations: 0, converged: true };
  if (fLower > 0 === fUpper > 0) throw notBracketed(lower, upper, fLower, fUpper);

  // Orient the bracket so that f(low) < 0 < f(high).
  let low = fLower < 0 ? lower : upper;
  let high = fLower < 0 ? upper : lower;
  const guess = options?.initialGuess;
  let x =
    guess !== undefined && Number.isFinite(guess) && (guess - lower) * (guess - upper) < 0
      ? guess
      : 0.5 * (lower + upper);
  let previousStep = Math.abs(upper - lower);
  let step = previousStep;
  let fx = evaluate(f, x);
  let iterations = 1;
  for (;;) {
    if (fx === 0 || Math.abs(fx) <= opts.functionTolerance) return { root: x, value: fx, iterations, converged: true };
    if (fx < 0) low = x;
    else high = x;
    const tolerance = opts.absoluteTolerance + opts.relativeTolerance * Math.abs(x);
    if (Math.abs(high - low) <= tolerance) return { root: x, value: fx, iterations, converged: true };
    if (iterations >= opts.maxIterations) return { root: x, value: fx, iterations, converged: false };

    const slope = derivative(x);
    const newtonStep = fx / slope;
    // A Newton correction below the resolution means x is the root to within tolerance, even when x sits on
    // the bracket end it has just replaced.
    if (Math.abs(newtonStep) <= tolerance) return { root: x, value: fx, iterations, converged: true };
    const newton = x - newtonStep;
    if (
      !Number.isFinite(newton) ||
      (newton - low) * (newton - high) >= 0 ||
      Math.abs(2 * fx) > Math.abs(previousStep * slope)
    ) {
      previousStep = step;
      step = 0.5 * (high - low);
      x = low + step;
    } else {
      previousStep = step;
      step = newton - x;
      x = newton;
    }
    if (Math.abs(step) <= tolerance) {
      // The step is below the resolution: one more evaluation confirms the side, then we are done.
      fx = evaluate(f, x);
      iterations++;
      return { root: x, value: fx, iterations, converged: true };
    }
    fx = evaluate(f, x);
    iterations++;
  }
}
