import { CoreError } from '../errors.js';
import type { OptionSpec } from '../instruments/option-spec.js';
import type { MarketInputs } from '../market/market-inputs.js';
import { fillStandardNormalsFromWords } from '../math/normal-stream.js';
import { portableExpInPlace } from '../math/portable-exp.js';
import { deriveChildSeed, requireSeed, requireStream, splitWords64 } from '../math/seed.js';
import type { PriceResult } from '../results.js';
import { requireExercise, validateInputs } from '../validate.js';

/**
 * American options by Longstaff and Schwartz, "Valuing American options by simulation: a simple least-squares
 * approach", Review of Financial Studies 14 (2001) 113-147 (docs/numerics.md, "Tunable Monte Carlo").
 *
 * - Exercise dates t_j = j T / N, j = 1 .. N (default N = 64); exercise at t = 0 is compared at the end.
 * - Continuation values are regressed, date by date backwards, on the Laguerre polynomials L_0 .. L_d of
 *   x = S / K (default degree 3) over the in-the-money paths only, by Householder QR of the column-scaled
 *   design matrix (never the normal equations, whose condition number is the square of the matrix's).
 * - Two independent path sets: the regression set fixes the exercise rule, the pricing set applies it. The
 *   pricing estimate is then the value of one particular feasible stopping rule, hence low-biased, and its
 *   standard error is the sample standard error of the pricing set's discounted cash flows.
 * - Paths are built backwards by the Brownian bridge, W(t_j) | W(t_{j+1}) ~ N(W(t_{j+1}) j / (j + 1),
 *   dt j / (j + 1)), so only the current date's state is ever stored (memory O(paths), not O(paths x dates)).
 *   The normal of path p at date j is position p of the Philox stream (key = child seed (set, j) of the run's
 *   seed, stream = the contract's stream): the answer never depends on threads or chunking.
 */

export const LONGSTAFF_SCHWARTZ_MODEL = 'longstaff_schwartz';
export const DEFAULT_EXERCISE_DATES = 64;
export const DEFAULT_LSM_PATHS = 20_000;
export const DEFAULT_BASIS_DEGREE = 3;
const MIN_PATHS = 1_000;
const MAX_PATHS = 1_000_000;
const MAX_EXERCISE_DATES = 1_000;
const Z_95 = 1.959963984540054;
/** Relative size below which an R diagonal entry counts as zero: that basis function is dropped. */
const RANK_TOLERANCE = 1e-10;
const BLOCK = 4096;

export interface LongstaffSchwartzOptions {
  readonly seed: bigint;
  readonly stream?: bigint | number;
  /** Pricing paths, 1,000 to 1,000,000; default 20,000. */
  readonly paths?: number;
  /** Regression paths (an independent set), 1,000 to 1,000,000; default equal to `paths`. */
  readonly regressionPaths?: number;
  /** Exercise dates, 1 to 1,000; default 64. */
  readonly exerciseDates?: number;
  /** Laguerre degree of the regression basis, 1 to 5; default 3. */
  readonly basisDegree?: number;
}

export interface LongstaffSchwartzResult extends PriceResult {
  readonly standardError: number;
  readonly paths: number;
  readonly regressionPaths: number;
  readonly exerciseDates: number;
  readonly basisDegree: number;
  /** True when immediate exercise (the payoff at S) beat the simulated continuation. */
  readonly exercisedImmediately: boolean;
}

interface Setup {
  readonly isCall: boolean;
  readonly spot: number;
  readonly strike: number;
  readonly dates: number;
  readonly dt: number;
  readonly stepDiscount: number;
  readonly drift: number;
  readonly volatility: number;
  readonly degree: number;
  readonly seed: bigint;
  readonly s0: number;
  readonly s1: number;
}

function requireIntegerIn(value: unknown, low: number, high: number, param: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < low || value > high) {
    throw new CoreError(
      'ERR_CORE_INVALID_INPUT',
      `${param} must be an integer in [${low}, ${high}], got ${String(value)}`,
      param,
    );
  }
  return value;
}

/** Scratch of one pass: the state of every path at the current date. */
class PassState {
  readonly brownian: Float64Array;
  readonly spotAt: Float64Array;
  readonly cash: Float64Array;
  readonly exercise: Float64Array;
  readonly normals = new Float64Array(BLOCK);

  constructor(paths: number) {
    this.exercise = new Float64Array(paths);
    this.brownian = new Float64Array(paths);
    this.spotAt = new Float64Array(paths);
    this.cash = new Float64Array(paths);
  }
}

function payoff(setup: Setup, s: number): number {
  return setup.isCall ? (s > setup.strike ? s - setup.strike : 0) : s < setup.strike ? setup.strike - s : 0;
}

/** W at date `date` for every path: the terminal draw when date = N, else the bridge back from date + 1. */
function stepBack(setup: Setup, set: number, date: number, state: PassState, paths: number): void {
  const [k0, k1] = splitWords64(deriveChildSeed(deriveChildSeed(setup.seed, set), date));
  const { brownian, spotAt, normals } = state;
  const last = date === setup.dates;
  const shrink = last ? 0 : date / (date + 1);
  const scale = last ? Math.sqrt(date * setup.dt) : Math.sqrt(setup.dt * shrink);
  for (let first = 0; first < paths; first += BLOCK) {
    const count = Math.min(BLOCK, paths - first);
    fillStandardNormalsFromWords(k0, k1, setup.s0, setup.s1, first, normals, count);
    for (let i = 0; i < count; i++) {
      const p = first + i;
      brownian[p] = shrink * brownian[p]! + scale * normals[i]!;
    }
  }
  const driftTerm = setup.drift * date * setup.dt;
  for (let p = 0; p < paths; p++) spotAt[p] = driftTerm + setup.volatility * brownian[p]!;
  portableExpInPlace(spotAt, paths);
  for (let p = 0; p < paths; p++) spotAt[p] = setup.spot * spotAt[p]!;
}

/** Laguerre polynomials L_0 .. L_degree at x by their three-term recurrence, written into row. */
function laguerre(x: number, degree: number, row: Float64Array): void {
  row[0] = 1;
  if (degree >= 1) row[1] = 1 - x;
  for (let k = 1; k < degree; k++) row[k + 1] = ((2 * k + 1 - x) * row[k]! - k * row[k - 1]!) / (k + 1);
}

/** Euclidean norm of values[from .. to - 1], scaled by the largest magnitude so it never overflows. */
function scaledNorm(values: Float64Array, from: number, to: number): number {
  let largest = 0;
  for (let i = from; i < to; i++) largest = Math.max(largest, Math.abs(values[i]!));
  if (largest === 0 || !Number.isFinite(largest)) return largest;
  const inv = 1 / largest;
  let sum = 0;
  for (let i = from; i < to; i++) {
    const x = values[i]! * inv;
    sum += x * x;
  }
  return largest * Math.sqrt(sum);
}

/**
 * Least squares min |A c - y| by Householder QR of the column-scaled A (m rows, `columns` columns, column-major
 * in `a`, overwritten); y is overwritten too. Columns whose R diagonal is below RANK_TOLERANCE of the largest
 * get coefficient 0. Returns the coefficients in the original (unscaled) columns.
 */
export function leastSquaresQr(a: Float64Array, y: Float64Array, m: number, columns: number): Float64Array {
  const scale = new Float64Array(columns);
  for (let c = 0; c < columns; c++) {
    const norm = scaledNorm(a, c * m, c * m + m);
    scale[c] = norm > 0 ? norm : 1;
    const inv = 1 / scale[c]!;
    for (let i = 0; i < m; i++) a[c * m + i] = a[c * m + i]! * inv;
  }
  const diagonal = new Float64Array(columns);
  for (let c = 0; c < columns; c++) {
    const norm = scaledNorm(a, c * m + c, c * m + m);
    if (norm === 0) {
      diagonal[c] = 0;
      continue;
    }
    const alpha = a[c * m + c]! > 0 ? -norm : norm;
    // v = x - alpha e_1, stored in place; H = I - 2 v v' / v'v.
    a[c * m + c] = a[c * m + c]! - alpha;
    let vv = 0;
    for (let i = c; i < m; i++) vv += a[c * m + i]! * a[c * m + i]!;
    for (let other = c + 1; other <= columns; other++) {
      // Columns 0 .. columns - 1 of `a`, then y: H applied to each.
      const target = other < columns ? a : y;
      const offset = other < columns ? other * m : 0;
      let dot = 0;
      for (let i = c; i < m; i++) dot += a[c * m + i]! * target[offset + i]!;
      const f = (2 * dot) / vv;
      for (let i = c; i < m; i++) target[offset + i] = target[offset + i]! - f * a[c * m + i]!;
    }
    diagonal[c] = alpha;
  }
  let largest = 0;
  for (let c = 0; c < columns; c++) largest = Math.max(largest, Math.abs(diagonal[c]!));
  const coefficients = new Float64Array(columns);
  for (let c = columns - 1; c >= 0; c--) {
    const r = diagonal[c]!;
    if (Math.abs(r) <= RANK_TOLERANCE * largest || r === 0) {
      coefficients[c] = 0;
      continue;
    }
    let sum = y[c]!;
    for (let k = c + 1; k < columns; k++) sum -= a[k * m + c]! * coefficients[k]!;
    coefficients[c] = sum / r;
  }
  for (let c = 0; c < columns; c++) coefficients[c] = coefficients[c]! / scale[c]!;
  return coefficients;
}

/**
 * The continuation polynomial of one date in monomial form, sum_k c_k x^k, converted from the fitted Laguerre
 * coefficients (L_k(x) = sum_i binom(k, i) (-1)^i x^i / i!), so that every path costs one Horner evaluation.
 */
function laguerreToMonomial(coefficients: Float64Array, degree: number): Float64Array {
  const out = new Float64Array(degree + 1);
  for (let k = 0; k <= degree; k++) {
    let binomial = 1;
    let factorial = 1;
    for (let i = 0; i <= k; i++) {
      if (i > 0) {
        binomial = (binomial * (k - i + 1)) / i;
        factorial *= i;
      }
      out[i] = out[i]! + (coefficients[k]! * (i % 2 === 0 ? 1 : -1) * binomial) / factorial;
    }
  }
  return out;
}

function horner(polynomial: Float64Array, x: number): number {
  let sum = 0;
  for (let k = polynomial.length - 1; k >= 0; k--) sum = sum * x + polynomial[k]!;
  return sum;
}

/** Exercise values of every path at the current date; returns how many are in the money. */
function exerciseValues(setup: Setup, state: PassState, paths: number): number {
  const { spotAt, exercise } = state;
  const { strike } = setup;
  let inTheMoney = 0;
  for (let p = 0; p < paths; p++) {
    const s = spotAt[p]!;
    const value = setup.isCall ? s - strike : strike - s;
    exercise[p] = value > 0 ? value : 0;
    if (value > 0) inTheMoney++;
  }
  return inTheMoney;
}

/** Discounts every cash flow one date back and replaces it by the exercise value where the rule says so. */
function applyRule(setup: Setup, state: PassState, paths: number, rule: Float64Array | null): void {
  const { cash, exercise, spotAt } = state;
  const discount = setup.stepDiscount;
  const inverseStrike = 1 / setup.strike;
  for (let p = 0; p < paths; p++) {
    const value = exercise[p]!;
    // Backward replacement: the earliest date whose rule says exercise decides the path's cash flow.
    cash[p] =
      rule !== null && value > 0 && value >= horner(rule, spotAt[p]! * inverseStrike) ? value : cash[p]! * discount;
  }
}

/**
 * The regression pass: backward induction on the regression set, returning the continuation polynomial of
 * every date 1 .. N - 1 (null where fewer in-the-money paths than 2 (degree + 1) leave no usable fit: no
 * exercise there).
 */
function regressionPass(setup: Setup, paths: number): (Float64Array | null)[] {
  const state = new PassState(paths);
  const columns = setup.degree + 1;
  const design = new Float64Array(columns * paths);
  const target = new Float64Array(paths);
  const row = new Float64Array(columns);
  const rules: (Float64Array | null)[] = new Array<Float64Array | null>(setup.dates + 1).fill(null);
  stepBack(setup, 0, setup.dates, state, paths);
  exerciseValues(setup, state, paths);
  state.cash.set(state.exercise.subarray(0, paths));
  for (let date = setup.dates - 1; date >= 1; date--) {
    stepBack(setup, 0, date, state, paths);
    const m = exerciseValues(setup, state, paths);
    let rule: Float64Array | null = null;
    if (m >= 2 * columns) {
      let i = 0;
      for (let p = 0; p < paths; p++) {
        if (state.exercise[p]! <= 0) continue;
        laguerre(state.spotAt[p]! / setup.strike, setup.degree, row);
        for (let c = 0; c < columns; c++) design[c * m + i] = row[c]!;
        // The cash flow seen from this date: one step of discount from the next date.
        target[i] = state.cash[p]! * setup.stepDiscount;
        i++;
      }
      rule = laguerreToMonomial(leastSquaresQr(design, target, m, columns), setup.degree);
    }
    rules[date] = rule;
    applyRule(setup, state, paths, rule);
  }
  return rules;
}

/** The pricing pass: the rule applied to the independent set; returns the discounted cash flows at t = 0. */
function pricingPass(setup: Setup, paths: number, rules: readonly (Float64Array | null)[]): Float64Array {
  const state = new PassState(paths);
  stepBack(setup, 1, setup.dates, state, paths);
  exerciseValues(setup, state, paths);
  state.cash.set(state.exercise.subarray(0, paths));
  for (let date = setup.dates - 1; date >= 1; date--) {
    stepBack(setup, 1, date, state, paths);
    exerciseValues(setup, state, paths);
    applyRule(setup, state, paths, rules[date] ?? null);
  }
  for (let p = 0; p < paths; p++) state.cash[p] = state.cash[p]! * setup.stepDiscount;
  return state.cash;
}

/** Prices an American option by Longstaff-Schwartz (module comment), with the pricing set's standard error. */
export function priceLongstaffSchwartz(
  option: OptionSpec,
  market: MarketInputs,
  options: LongstaffSchwartzOptions,
): LongstaffSchwartzResult {
  validateInputs(option, market);
  requireExercise(option, ['american'], LONGSTAFF_SCHWARTZ_MODEL);
  requireSeed(options.seed, 'seed');
  const stream = requireStream(options.stream ?? 0, 'stream');
  const paths = requireIntegerIn(options.paths ?? DEFAULT_LSM_PATHS, MIN_PATHS, MAX_PATHS, 'paths');
  const regressionPaths = requireIntegerIn(options.regressionPaths ?? paths, MIN_PATHS, MAX_PATHS, 'regressionPaths');
  const dates = requireIntegerIn(
    options.exerciseDates ?? DEFAULT_EXERCISE_DATES,
    1,
    MAX_EXERCISE_DATES,
    'exerciseDates',
  );
  const degree = requireIntegerIn(options.basisDegree ?? DEFAULT_BASIS_DEGREE, 1, 5, 'basisDegree');
  const { spot, rate, dividendYield, volatility } = market;
  const dt = option.expiry / dates;
  if (!(volatility * Math.sqrt(option.expiry) <= 100)) {
    throw new CoreError(
      'ERR_CORE_INVALID_INPUT',
      'volatility * sqrt(expiry) must be at most 100 for Monte Carlo',
      'volatility',
    );
  }
  const [s0, s1] = splitWords64(stream);
  const setup: Setup = {
    isCall: option.type === 'call',
    spot,
    strike: option.strike,
    dates,
    dt,
    stepDiscount: Math.exp(-rate * dt),
    drift: rate - dividendYield - 0.5 * volatility * volatility,
    volatility,
    degree,
    seed: options.seed,
    s0,
    s1,
  };
  const rules = regressionPass(setup, regressionPaths);
  const cash = pricingPass(setup, paths, rules);
  let sum = 0;
  for (let p = 0; p < paths; p++) sum += cash[p]!;
  const mean = sum / paths;
  let m2 = 0;
  for (let p = 0; p < paths; p++) m2 += (cash[p]! - mean) * (cash[p]! - mean);
  if (!Number.isFinite(mean) || !Number.isFinite(m2)) {
    throw new CoreError(
      'ERR_CORE_INVALID_INPUT',
      'the simulated payoffs overflow the double range for these inputs',
      'spot',
    );
  }
  const immediate = payoff(setup, spot);
  const exercisedImmediately = immediate > mean;
  const value = exercisedImmediately ? immediate : mean;
  const standardError = exercisedImmediately ? 0 : Math.sqrt(m2 / (paths - 1) / paths);
  return {
    value,
    greeks: null,
    standardError,
    paths,
    regressionPaths,
    exerciseDates: dates,
    basisDegree: degree,
    exercisedImmediately,
    diagnostics: {
      model: LONGSTAFF_SCHWARTZ_MODEL,
      converged: true,
      paths,
      standardError,
      confidenceInterval: [value - Z_95 * standardError, value + Z_95 * standardError],
    },
  };
}
