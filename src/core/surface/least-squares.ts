/**
 * A small bounded nonlinear least-squares solver: Levenberg-Marquardt with Marquardt's diagonal scaling, the
 * Jacobian by central differences (one-sided at a bound), each step projected onto the box. The core has no
 * dependencies, and the problems here are tiny (at most five parameters, a few dozen residuals), so a dense
 * normal-equations solve by Cholesky is both the simplest and the fastest choice. Deterministic: no
 * randomness, and the same inputs take the same arithmetic path.
 */

export interface LeastSquaresProblem {
  readonly parameterCount: number;
  readonly residualCount: number;
  /** Writes the residuals at `p` into `out` (length residualCount). */
  residuals(p: Float64Array, out: Float64Array): void;
  readonly lower: readonly number[];
  readonly upper: readonly number[];
  /** Typical magnitude per parameter: sets the finite-difference step where the parameter is near zero. */
  readonly scale: readonly number[];
}

export interface LeastSquaresOptions {
  /** Jacobian evaluations at most. Default 200. */
  readonly maxIterations?: number;
}

export interface LeastSquaresResult {
  readonly parameters: Float64Array;
  /** Sum of squared residuals at `parameters`. */
  readonly cost: number;
  readonly iterations: number;
  /** False when the iteration budget ran out before a stopping rule held. */
  readonly converged: boolean;
}

/** cbrt(machine epsilon): balances truncation (h^2) against rounding (eps / h) in a central difference. */
const FD_STEP = 6e-6;
/** A residual this small (per residual, RMS) is as exact as double arithmetic gets: stop. */
const ABSOLUTE_RESIDUAL = 1e-15;
/** Stop when an accepted step improves the cost by less than this fraction. */
const RELATIVE_IMPROVEMENT = 1e-10;
const MAX_DAMPING = 1e16;
/**
 * A crawl along a flat valley: this many accepted steps in a row, each improving the cost by less than
 * SLOW_IMPROVEMENT of itself or the mean squared residual by less than SLOW_MEAN_SQUARE (a change in the RMS
 * error far below what a quote can tell apart), stop.
 */
const STALL_STEPS = 5;
const SLOW_IMPROVEMENT = 1e-6;
const SLOW_MEAN_SQUARE = 1e-14;

export function solveLeastSquares(
  problem: LeastSquaresProblem,
  start: readonly number[],
  options: LeastSquaresOptions = {},
): LeastSquaresResult {
  const n = problem.parameterCount;
  const m = problem.residualCount;
  const maxIterations = options.maxIterations ?? 200;
  const p = new Float64Array(n);
  for (let j = 0; j < n; j++) p[j] = clamp(start[j]!, problem.lower[j]!, problem.upper[j]!);
  const r = new Float64Array(m);
  const rTrial = new Float64Array(m);
  const rPlus = new Float64Array(m);
  const rMinus = new Float64Array(m);
  const jacobian = new Float64Array(m * n);
  const normal = new Float64Array(n * n);
  const system = new Float64Array(n * n);
  const gradient = new Float64Array(n);
  const step = new Float64Array(n);
  const trial = new Float64Array(n);
  const probe = new Float64Array(n);

  problem.residuals(p, r);
  let cost = sumOfSquares(r);
  if (!Number.isFinite(cost)) return { parameters: p, cost: Infinity, iterations: 0, converged: true };
  const costFloor = m * ABSOLUTE_RESIDUAL * ABSOLUTE_RESIDUAL;
  let damping = 1e-3;
  let iterations = 0;
  let slowSteps = 0;
  let converged = true;

  outer: while (cost > costFloor) {
    if (iterations >= maxIterations) {
      converged = false;
      break;
    }
    iterations += 1;
    // Jacobian, column by column.
    for (let j = 0; j < n; j++) {
      const h = FD_STEP * Math.max(Math.abs(p[j]!), problem.scale[j]!);
      const hi = Math.min(p[j]! + h, problem.upper[j]!);
      const lo = Math.max(p[j]! - h, problem.lower[j]!);
      probe.set(p);
      probe[j] = hi;
      problem.residuals(probe, rPlus);
      probe[j] = lo;
      problem.residuals(probe, rMinus);
      const width = hi - lo;
      for (let i = 0; i < m; i++) jacobian[i * n + j] = (rPlus[i]! - rMinus[i]!) / width;
    }
    for (let a = 0; a < n; a++) {
      let g = 0;
      for (let i = 0; i < m; i++) g += jacobian[i * n + a]! * r[i]!;
      gradient[a] = g;
      for (let b = 0; b <= a; b++) {
        let s = 0;
        for (let i = 0; i < m; i++) s += jacobian[i * n + a]! * jacobian[i * n + b]!;
        normal[a * n + b] = s;
        normal[b * n + a] = s;
      }
    }
    for (;;) {
      system.set(normal);
      for (let a = 0; a < n; a++)
        system[a * n + a] = normal[a * n + a]! + damping * Math.max(normal[a * n + a]!, 1e-12);
      if (!choleskySolve(system, gradient, step, n)) {
        damping *= 10;
        if (damping > MAX_DAMPING) break outer;
        continue;
      }
      let moved = false;
      for (let j = 0; j < n; j++) {
        trial[j] = clamp(p[j]! - step[j]!, problem.lower[j]!, problem.upper[j]!);
        if (trial[j] !== p[j]) moved = true;
      }
      if (!moved) break outer;
      problem.residuals(trial, rTrial);
      const trialCost = sumOfSquares(rTrial);
      if (trialCost < cost) {
        const improvement = (cost - trialCost) / cost;
        const slow = improvement < SLOW_IMPROVEMENT || (cost - trialCost) / m < SLOW_MEAN_SQUARE;
        p.set(trial);
        r.set(rTrial);
        cost = trialCost;
        damping = Math.max(damping / 10, 1e-15);
        if (improvement < RELATIVE_IMPROVEMENT) break outer;
        slowSteps = slow ? slowSteps + 1 : 0;
        if (slowSteps >= STALL_STEPS) break outer;
        break;
      }
      damping *= 10;
      if (damping > MAX_DAMPING) break outer;
    }
  }
  return { parameters: p, cost, iterations, converged };
}

export interface MultiStartResult {
  readonly parameters: Float64Array;
  readonly cost: number;
  readonly iterations: number;
  readonly starts: number;
}

/**
 * Runs the solver from each start with a short budget, keeps the lowest cost (the first on a tie), and lets
 * that one alone run on with the full budget if it had not converged: flat valleys (SVI's a, b, sigma trade
 * off against each other) would otherwise cost every start the full budget. Stops early on an exact fit.
 */
export function solveFromStarts(
  problem: LeastSquaresProblem,
  starts: readonly (readonly number[])[],
  exploreIterations: number,
  polishIterations: number,
): MultiStartResult {
  let best: LeastSquaresResult | null = null;
  let iterations = 0;
  let tried = 0;
  const exact = problem.residualCount * ABSOLUTE_RESIDUAL * ABSOLUTE_RESIDUAL;
  for (const start of starts) {
    const result = solveLeastSquares(problem, start, { maxIterations: exploreIterations });
    iterations += result.iterations;
    tried += 1;
    if (best === null || result.cost < best.cost) best = result;
    if (best.cost <= exact) break;
  }
  if (best === null) throw new RangeError('solveFromStarts needs at least one start');
  if (!best.converged) {
    const polished = solveLeastSquares(problem, Array.from(best.parameters), { maxIterations: polishIterations });
    iterations += polished.iterations;
    if (polished.cost <= best.cost) best = polished;
  }
  return { parameters: best.parameters, cost: best.cost, iterations, starts: tried };
}

function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

function sumOfSquares(r: Float64Array): number {
  let s = 0;
  for (let i = 0; i < r.length; i++) s += r[i]! * r[i]!;
  return Number.isNaN(s) ? Infinity : s;
}

/** Solves A x = b for symmetric positive definite A (n x n, overwritten by its factor); false if not SPD. */
function choleskySolve(a: Float64Array, b: Float64Array, x: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j]!;
    for (let k = 0; k < j; k++) d -= a[j * n + k]! * a[j * n + k]!;
    if (!(d > 0)) return false;
    const root = Math.sqrt(d);
    a[j * n + j] = root;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j]!;
      for (let k = 0; k < j; k++) s -= a[i * n + k]! * a[j * n + k]!;
      a[i * n + j] = s / root;
    }
  }
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= a[i * n + k]! * x[k]!;
    x[i] = s / a[i * n + i]!;
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = x[i]!;
    for (let k = i + 1; k < n; k++) s -= a[k * n + i]! * x[k]!;
    x[i] = s / a[i * n + i]!;
  }
  return true;
}
