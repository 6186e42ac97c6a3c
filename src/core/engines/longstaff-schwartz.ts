import { CoreError } from '../errors.js';
import type { OptionSpec } from '../instruments/option-spec.js';
import type { MarketInputs } from '../market/market-inputs.js';
import { portableExpInPlace } from '../math/portable-exp.js';
import { exerciseBoundaries, MAX_BOUNDARIES } from './exercise-boundary.js';
import { portableLog } from '../math/portable-log.js';
import { deriveChildSeed, requireSeed, requireStream, splitWords64 } from '../math/seed.js';
import { tableExp } from '../math/table-exp.js';
import { seedXoshiro128, XOSHIRO128_WORDS } from '../math/xoshiro128.js';
import { fillZigguratNormals, ZIGGURAT_KN, ZIGGURAT_WN, zigguratSlowNormal } from '../math/ziggurat.js';
import type { PriceResult } from '../results.js';
import { requireExercise, validateInputs } from '../validate.js';

/**
 * American options by Longstaff and Schwartz, "Valuing American options by simulation: a simple least-squares
 * approach", Review of Financial Studies 14 (2001) 113-147 (docs/numerics.md, "Tunable Monte Carlo").
 *
 * - Exercise dates t_j = j T / N, j = 1 .. N (default N = 64); exercise at t = 0 is compared at the end.
 * - Continuation values are regressed, date by date backwards, on the polynomials of degree d (default 3) in
 *   x = S / K, the span of the paper's Laguerre L_0 .. L_d, over the in-the-money paths only. The basis is the
 *   monomials of the standardised u = (x - mean) / sd (Laguerre's are nearly collinear when x is bunched, and
 *   least-squares fitted values do not depend on the basis); the normal equations are solved by Cholesky while
 *   their condition number stays below COND_LIMIT, else by Householder QR of the design matrix (docs/numerics.md).
 * - Two independent path sets: the regression set fixes the exercise rule, the pricing set applies it. The
 *   pricing estimate is then the value of one particular feasible stopping rule, hence low-biased, and its
 *   standard error is the sample standard error of the pricing set's discounted cash flows.
 * - The regression set is built backwards by the Brownian bridge, W(t_j) | W(t_{j+1}) ~ N(W(t_{j+1}) j / (j + 1),
 *   dt j / (j + 1)), so only the current date's state is stored (memory O(paths), not O(paths x dates)); normal p
 *   of date j is number p of the stream (set 0, date j). The pricing set is simulated forwards, 512 paths at a
 *   time, and a path stops once exercised; at date j the k-th path still alive (in path order) takes normal k of
 *   the stream (set 1, date j). Each stream is xoshiro128** seeded from the child seed (set, date) of the run's
 *   seed and the contract's stream, read through the ziggurat: the answer never depends on threads or chunking.
 * - Cash flows are held discounted to t = 0, so no path is touched at a date where nothing happens to it, and the
 *   in-the-money test compares ln(S / S_0) with ln(K / S_0): the regression computes e^x for in-the-money paths
 *   only, and the pricing pass decides by each date's exercise boundaries in ln(S / S_0) (`exercise-boundary.ts`),
 *   computing e^x only for the paths it exercises.
 */

export const LONGSTAFF_SCHWARTZ_MODEL = 'longstaff_schwartz';
export const DEFAULT_EXERCISE_DATES = 64;
export const DEFAULT_LSM_PATHS = 20_000;
export const DEFAULT_BASIS_DEGREE = 3;
const MIN_PATHS = 1_000;
const MAX_PATHS = 1_000_000;
const MAX_EXERCISE_DATES = 1_000;
const MAX_DEGREE = 5;
const Z_95 = 1.959963984540054;
/** Relative size below which an R diagonal entry counts as zero: that basis function is dropped. */
const RANK_TOLERANCE = 1e-10;
/**
 * Largest 1-norm condition number of the scaled normal matrix solved by Cholesky: its coefficients are then
 * accurate to about COND_LIMIT x 2^-53 < 1e-8 relative, far below their sampling error (docs/numerics.md).
 */
export const COND_LIMIT = 1e8;
/** Paths per chunk of the normal buffer and of the forward pricing walk: the chunk's state stays in L1 cache. */
const CHUNK = 512;
const STRIDE = MAX_DEGREE + 1;

export interface LongstaffSchwartzOptions {
  readonly seed: bigint;
  readonly stream?: bigint | number;
  /** Pricing paths, 1,000 to 1,000,000; default 20,000. */
  readonly paths?: number;
  /** Regression paths (an independent set), 1,000 to 1,000,000; default equal to `paths`. */
  readonly regressionPaths?: number;
  /** Exercise dates, 1 to 1,000; default 64. */
  readonly exerciseDates?: number;
  /** Degree of the regression polynomials in S / K (the span of Laguerre L_0 .. L_d), 1 to 5; default 3. */
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
  readonly drift: number;
  readonly volatility: number;
  readonly degree: number;
  readonly seed: bigint;
  readonly streamLow: number;
  readonly streamHigh: number;
  /** ln(K / S_0): a path is in the money when ln(S / S_0) is below it (put) or above it (call). */
  readonly logStrike: number;
  /** e^{-r t_j}, j = 0 .. N. */
  readonly discount: Float64Array;
  /** 1 for a put, -1 for a call: the payoff is K side (1 - S / K), in the money when side ln(S / S_0) < side ln(K / S_0). */
  readonly side: number;
}

/**
 * The exercise rule: per date j, if fitted, the continuation value (discounted to t = 0) as the polynomial
 * sum_k c_k u^k of the standardised moneyness u = (x - center_j) scale_j, x = S / K; STRIDE coefficients per date,
 * zero above the degree, so every evaluation is the same unrolled scheme, Estrin's (c0 + c1 u) + u^2 ((c2 + c3 u)
 * + u^2 (c4 + c5 u)), whose chain of dependent operations is half Horner's (a loop over the degree cost three
 * times as much as either: its dependent multiply-adds did not overlap across paths).
 */
interface Rules {
  readonly coefficients: Float64Array;
  readonly center: Float64Array;
  readonly scale: Float64Array;
  readonly fitted: Uint8Array;
  /** The exercise region as log-return intervals (`exerciseBoundaries`): MAX_BOUNDARIES boundaries per date. */
  readonly boundaries: Float64Array;
  /** Per date, MAX_BOUNDARIES + 1 flags: is the interval above n boundaries exercised. */
  readonly exerciseAbove: Uint8Array;
  /** Per date, the log-return range the boundaries cover; outside it (or NaN) the rule is evaluated directly. */
  readonly lowLog: Float64Array;
  readonly highLog: Float64Array;
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

function payoff(setup: Setup, s: number): number {
  return setup.isCall ? (s > setup.strike ? s - setup.strike : 0) : s < setup.strike ? setup.strike - s : 0;
}

/** Seeds the xoshiro128** generator at state[at] for the normals of (set, date). */
function seedStream(setup: Setup, set: number, date: number, state: Int32Array, at: number): void {
  seedXoshiro128(state, at, deriveChildSeed(deriveChildSeed(setup.seed, set), date), setup.streamLow, setup.streamHigh);
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
 * Solves the normal equations G c = b (G = A'A of `columns` columns, upper triangle row-major in `gram`; b = A'y)
 * by Cholesky of the column-scaled G_s = D^-1 G D^-1, D = diag(G)^(1/2), whose unit diagonal makes the condition
 * number that of the basis' shape, not of its units. Writes c to `out` and returns the 1-norm condition number
 * of G_s (computed from its explicit inverse, cheap at this size), or Infinity, leaving `out` unspecified, when a
 * column is zero or a pivot is not positive. The caller falls back to QR above COND_LIMIT.
 */
export function solveNormalEquations(
  gram: Float64Array,
  rhs: Float64Array,
  columns: number,
  out: Float64Array,
): number {
  const n = columns;
  const scale = new Float64Array(n);
  for (let a = 0; a < n; a++) {
    const d = gram[a * n + a]!;
    if (!(d > 0) || !Number.isFinite(d)) return Infinity;
    scale[a] = Math.sqrt(d);
  }
  // L (lower, row-major) with G_s = L L'; G_s is read from the upper triangle of `gram`.
  const l = new Float64Array(n * n);
  let norm1 = 0;
  for (let a = 0; a < n; a++) {
    let column = 0;
    for (let b = 0; b < n; b++) {
      const g = a <= b ? gram[a * n + b]! : gram[b * n + a]!;
      column += Math.abs(g / (scale[a]! * scale[b]!));
    }
    norm1 = Math.max(norm1, column);
  }
  for (let a = 0; a < n; a++) {
    for (let b = 0; b <= a; b++) {
      let sum = gram[b * n + a]! / (scale[a]! * scale[b]!);
      for (let k = 0; k < b; k++) sum -= l[a * n + k]! * l[b * n + k]!;
      if (a === b) {
        if (!(sum > 0)) return Infinity;
        l[a * n + a] = Math.sqrt(sum);
      } else {
        l[a * n + b] = sum / l[b * n + b]!;
      }
    }
  }
  // Column j of G_s^-1 solves L L' x = e_j; the scaled right-hand side b_s = D^-1 b goes through the same solve.
  const x = new Float64Array(n);
  let inverseNorm1 = 0;
  for (let j = 0; j <= n; j++) {
    for (let a = 0; a < n; a++) {
      let sum = j < n ? (a === j ? 1 : 0) : rhs[a]! / scale[a]!;
      for (let k = 0; k < a; k++) sum -= l[a * n + k]! * x[k]!;
      x[a] = sum / l[a * n + a]!;
    }
    for (let a = n - 1; a >= 0; a--) {
      let sum = x[a]!;
      for (let k = a + 1; k < n; k++) sum -= l[k * n + a]! * x[k]!;
      x[a] = sum / l[a * n + a]!;
    }
    if (j < n) {
      let column = 0;
      for (let a = 0; a < n; a++) column += Math.abs(x[a]!);
      inverseNorm1 = Math.max(inverseNorm1, column);
    } else {
      for (let a = 0; a < n; a++) out[a] = x[a]! / scale[a]!;
    }
  }
  return norm1 * inverseNorm1;
}

/**
 * The regression pass: backward induction on the regression set, returning the continuation polynomial of every
 * date 1 .. N - 1 (none where fewer in-the-money paths than 2 (degree + 1) leave no usable fit: no exercise there).
 *
 * The in-the-money paths of a date are gathered into a list without a branch per path (the count grows by the
 * comparison's 0 or 1), and a path's cash flow is replaced by a store whose index is the path or, when the rule
 * says continue, a spare slot at the end: whether a path is in the money, or exercised, is a coin toss the
 * processor cannot predict, and a mispredicted branch per path cost more than the rest of the loop.
 */
/** The regression pass's buffers, allocated once per call and reused by every date. */
interface RegressionScratch {
  readonly brownian: Float64Array;
  /** The path's cash flow under the rule fitted so far, discounted to t = 0; slot `paths` is the spare. */
  readonly cash: Float64Array;
  /** The in-the-money paths of the current date, and their ln(S / S_0), then their x = S / K. */
  readonly itmPath: Int32Array;
  readonly itmX: Float64Array;
  readonly rng: Int32Array;
  readonly moments: Float64Array;
  readonly targetMoments: Float64Array;
  /** The cubic moments' running sums (u^0 .. u^6, then y u^0 .. y u^3). */
  readonly momentSums: Float64Array;
  readonly gram: Float64Array;
  /** The fitted coefficients; those above the degree stay 0. */
  readonly fit: Float64Array;
}

function regressionPass(setup: Setup, paths: number): Rules {
  const { dates, degree } = setup;
  const columns = degree + 1;
  const rules: Rules = {
    coefficients: new Float64Array((dates + 1) * STRIDE),
    center: new Float64Array(dates + 1),
    scale: new Float64Array(dates + 1),
    fitted: new Uint8Array(dates + 1),
    boundaries: new Float64Array((dates + 1) * MAX_BOUNDARIES),
    exerciseAbove: new Uint8Array((dates + 1) * (MAX_BOUNDARIES + 1)),
    lowLog: new Float64Array(dates + 1),
    highLog: new Float64Array(dates + 1),
  };
  const scratch: RegressionScratch = {
    brownian: new Float64Array(paths),
    cash: new Float64Array(paths + 1),
    itmPath: new Int32Array(paths),
    itmX: new Float64Array(paths),
    rng: new Int32Array(XOSHIRO128_WORDS),
    moments: new Float64Array(2 * MAX_DEGREE + 1),
    targetMoments: new Float64Array(MAX_DEGREE + 1),
    momentSums: new Float64Array(11),
    gram: new Float64Array(columns * columns),
    fit: new Float64Array(STRIDE),
  };
  // One call per date rather than one loop over the dates: V8 then optimises the date's work as a whole function,
  // instead of leaving a once-called function in on-stack-replaced code that deoptimises at loop exits; the same
  // numbers, a lower median time per call (BENCHMARKS.md, "Targets and where they stand").
  for (let date = dates; date >= 1; date--) regressDate(setup, paths, date, rules, scratch);
  return rules;
}

/** One date of the regression pass: the bridge step of every path, then the fit and the cash-flow update. */
function regressDate(setup: Setup, paths: number, date: number, rules: Rules, scratch: RegressionScratch): void {
  const { dates, degree, strike, logStrike, volatility, discount, side } = setup;
  const columns = degree + 1;
  const { brownian, cash, itmPath, itmX, rng, moments, targetMoments, momentSums, gram, fit } = scratch;
  const spotOverStrike = setup.spot / strike;
  const sideStrike = side * logStrike;
  seedStream(setup, 0, date, rng, 0);
  const last = date === dates;
  const shrink = last ? 0 : date / (date + 1);
  const bridgeScale = last ? Math.sqrt(date * setup.dt) : Math.sqrt(setup.dt * shrink);
  const driftTerm = setup.drift * date * setup.dt;
  const exerciseDiscount = discount[date]!;
  const candidates = bridgeDate(
    rng,
    brownian,
    itmPath,
    itmX,
    paths,
    shrink,
    bridgeScale,
    driftTerm,
    volatility,
    side,
    sideStrike,
  );
  const inTheMoney = keepInTheMoney(itmX, itmPath, candidates, spotOverStrike, side, momentSums);
  const shiftedSum = momentSums[0]!;
  const shiftedSquares = momentSums[1]!;
  if (last) {
    for (let k = 0; k < inTheMoney; k++) cash[itmPath[k]!] = strike * side * (1 - itmX[k]!) * exerciseDiscount;
    return;
  }
  if (inTheMoney < 2 * columns) return;
  // Polynomials of degree d in x span the same space in any basis, and least squares' fitted values do not
  // depend on the basis; u = (x - mean) / sd keeps the normal matrix well conditioned (docs/numerics.md).
  const meanShift = shiftedSum / inTheMoney;
  const variance = shiftedSquares / inTheMoney - meanShift * meanShift;
  const center = 1 + meanShift;
  const scale = variance > 0 ? 1 / Math.sqrt(variance) : 1;
  if (degree <= 3) {
    accumulateMomentsCubic(itmX, itmPath, cash, inTheMoney, center, scale, moments, targetMoments, momentSums);
  } else accumulateMoments(itmX, itmPath, cash, inTheMoney, degree, center, scale, moments, targetMoments);
  for (let a = 0; a < columns; a++) for (let b = a; b < columns; b++) gram[a * columns + b] = moments[a + b]!;
  const condition = solveNormalEquations(gram, targetMoments, columns, fit);
  if (!(condition <= COND_LIMIT)) {
    fit.set(leastSquaresOnPaths(itmX, itmPath, cash, inTheMoney, degree, center, scale));
  }
  rules.coefficients.set(fit, date * STRIDE);
  rules.center[date] = center;
  rules.scale[date] = scale;
  rules.fitted[date] = 1;
  // Twelve standard deviations of ln(S / S_0) around its mean: a pricing path outside is evaluated directly.
  // Clamped to +-700 so that e^x of the ends stays finite (beyond, paths are evaluated directly anyway).
  const spread = 12 * volatility * Math.sqrt(date * setup.dt);
  const lowLog = side > 0 ? Math.max(driftTerm - spread, -700) : logStrike;
  const highLog = side > 0 ? logStrike : Math.min(driftTerm + spread, 700);
  const covered = lowLog < highLog;
  rules.lowLog[date] = covered ? lowLog : Number.NaN;
  rules.highLog[date] = covered ? highLog : Number.NaN;
  if (covered) {
    exerciseBoundaries(
      rules.coefficients,
      date * STRIDE,
      degree,
      center,
      scale,
      strike * side * exerciseDiscount,
      spotOverStrike,
      lowLog,
      highLog,
      rules.boundaries,
      date * MAX_BOUNDARIES,
      rules.exerciseAbove,
      date * (MAX_BOUNDARIES + 1),
      portableLog,
      tableExp,
    );
  }
  const c0 = fit[0]!;
  const c1 = fit[1]!;
  const c2 = fit[2]!;
  const c3 = fit[3]!;
  const c4 = fit[4]!;
  const c5 = fit[5]!;
  for (let k = 0; k < inTheMoney; k++) {
    const x = itmX[k]!;
    const u = (x - center) * scale;
    const u2 = u * u;
    const continuation = c0 + c1 * u + u2 * (c2 + c3 * u + u2 * (c4 + c5 * u));
    const value = strike * side * (1 - x) * exerciseDiscount;
    // The earliest date whose rule says exercise decides the path's cash flow; else the store goes to the spare.
    cash[paths + ((itmPath[k]! - paths) & -+(value >= continuation))] = value;
  }
}

/**
 * The Brownian bridge step of every regression path to `date` (its parameters from regressDate), drawing the
 * normals inline; records each path's ln(S / S_0) and, first, the candidates for in the money. Returns how many
 * candidates. The long loops of the regression pass live in functions of their own that end with the loop: V8
 * compiles a long loop on stack, and code after it in the same function ran without type feedback and threw the
 * optimised code away at every call (`--trace-deopt`; BENCHMARKS.md, "Targets and where they stand").
 */
function bridgeDate(
  rng: Int32Array,
  brownian: Float64Array,
  itmPath: Int32Array,
  itmX: Float64Array,
  paths: number,
  shrink: number,
  bridgeScale: number,
  driftTerm: number,
  volatility: number,
  side: number,
  sideStrike: number,
): number {
  // Normal p of the stream (0, date) is drawn inside the bridge loop: the xoshiro128** step and the ziggurat's
  // fast branch of fillZigguratNormals written out, which saves a pass through a buffer of normals.
  let s0 = rng[0]!;
  let s1 = rng[1]!;
  let s2 = rng[2]!;
  let s3 = rng[3]!;
  let candidates = 0;
  let p = 0;
  for (;;) {
    let word = 0;
    for (; p < paths; p++) {
      const product = Math.imul(s1, 5);
      word = Math.imul((product << 7) | (product >>> 25), 9);
      const t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = (s3 << 11) | (s3 >>> 21);
      const layer = word & 127;
      const a = (word >> 7) + 0.5;
      if (!(Math.abs(a) < ZIGGURAT_KN[layer]!)) break;
      const w = shrink * brownian[p]! + bridgeScale * (a * ZIGGURAT_WN[layer]!);
      brownian[p] = w;
      const logReturn = driftTerm + volatility * w;
      itmPath[candidates] = p;
      itmX[candidates] = logReturn;
      candidates += +(side * logReturn < sideStrike);
    }
    if (p >= paths) break;
    // The ziggurat's slow branch (about 3% of the words) draws from the state array.
    rng[0] = s0;
    rng[1] = s1;
    rng[2] = s2;
    rng[3] = s3;
    const w = shrink * brownian[p]! + bridgeScale * zigguratSlowNormal(rng, 0, word);
    s0 = rng[0]!;
    s1 = rng[1]!;
    s2 = rng[2]!;
    s3 = rng[3]!;
    brownian[p] = w;
    const logReturn = driftTerm + volatility * w;
    itmPath[candidates] = p;
    itmX[candidates] = logReturn;
    candidates += +(side * logReturn < sideStrike);
    p++;
  }
  return candidates;
}

/**
 * Keeps the candidates whose payoff is positive, turning ln(S / S_0) into x = S / K; returns how many, with the sum
 * of x - 1 and of its squares in sums[0] and sums[1] (for the standardisation in regressDate).
 */
function keepInTheMoney(
  itmX: Float64Array,
  itmPath: Int32Array,
  candidates: number,
  spotOverStrike: number,
  side: number,
  sums: Float64Array,
): number {
  let inTheMoney = 0;
  // Moments of x - 1 (x is near 1 for most in-the-money paths), for the standardisation below.
  let shiftedSum = 0;
  let shiftedSquares = 0;
  // The sums are stored inside the loop, not after it: see bridgeDate.
  sums[0] = 0;
  sums[1] = 0;
  for (let k = 0; k < candidates; k++) {
    const x = spotOverStrike * tableExp(itmX[k]!);
    // The log-space test and the product can disagree by an ulp at the money: the payoff decides.
    if (!(side * (1 - x) > 0)) continue;
    itmX[inTheMoney] = x;
    itmPath[inTheMoney] = itmPath[k]!;
    inTheMoney++;
    shiftedSum += x - 1;
    shiftedSquares += (x - 1) * (x - 1);
    sums[0] = shiftedSum;
    sums[1] = shiftedSquares;
  }
  return inTheMoney;
}

/** Paths per call of the cubic moments' loop (see accumulateMomentsCubic). */
const MOMENTS_CHUNK = 1024;

/**
 * Sums over the in-the-money paths of u^0 .. u^6 and y u^0 .. y u^3 (u the standardised x, y the path's cash flow):
 * the normal equations of a cubic fit. The loop runs in calls of at most MOMENTS_CHUNK paths, carrying its sums in
 * `sums`, in the same order as one loop (the same doubles): V8 optimises a short function called often as a whole,
 * while one long loop per call was compiled on stack, without feedback for the code after it, and thrown away at
 * every call (`--trace-deopt`; BENCHMARKS.md, "Targets and where they stand").
 */
function accumulateMomentsCubic(
  itmX: Float64Array,
  itmPath: Int32Array,
  cash: Float64Array,
  m: number,
  center: number,
  scale: number,
  moments: Float64Array,
  targetMoments: Float64Array,
  sums: Float64Array,
): void {
  sums.fill(0);
  for (let first = 0; first < m; first += MOMENTS_CHUNK) {
    cubicMomentsChunk(itmX, itmPath, cash, first, Math.min(m, first + MOMENTS_CHUNK), center, scale, sums);
  }
  moments.fill(0);
  targetMoments.fill(0);
  for (let k = 0; k < 7; k++) moments[k] = sums[k]!;
  for (let k = 0; k < 4; k++) targetMoments[k] = sums[7 + k]!;
}

function cubicMomentsChunk(
  itmX: Float64Array,
  itmPath: Int32Array,
  cash: Float64Array,
  from: number,
  to: number,
  center: number,
  scale: number,
  sums: Float64Array,
): void {
  let m0 = sums[0]!;
  let m1 = sums[1]!;
  let m2 = sums[2]!;
  let m3 = sums[3]!;
  let m4 = sums[4]!;
  let m5 = sums[5]!;
  let m6 = sums[6]!;
  let t0 = sums[7]!;
  let t1 = sums[8]!;
  let t2 = sums[9]!;
  let t3 = sums[10]!;
  for (let k = from; k < to; k++) {
    const u = (itmX[k]! - center) * scale;
    const y = cash[itmPath[k]!]!;
    const u2 = u * u;
    const u3 = u2 * u;
    m0 += 1;
    m1 += u;
    m2 += u2;
    m3 += u3;
    m4 += u2 * u2;
    m5 += u3 * u2;
    m6 += u3 * u3;
    t0 += y;
    t1 += y * u;
    t2 += y * u2;
    t3 += y * u3;
  }
  sums[0] = m0;
  sums[1] = m1;
  sums[2] = m2;
  sums[3] = m3;
  sums[4] = m4;
  sums[5] = m5;
  sums[6] = m6;
  sums[7] = t0;
  sums[8] = t1;
  sums[9] = t2;
  sums[10] = t3;
}

/**
 * moments[k] = sum u^k, k = 0 .. 2 degree, and targetMoments[k] = sum y u^k, k = 0 .. degree, over the in-the-money
 * paths (u = (x - center) scale, y the cash flow): the normal equations of the monomials in u, whose Gram matrix is
 * the Hankel matrix of the moments. For the degrees above 3 (not the default, which accumulateMomentsCubic writes
 * out in registers), so a plain loop over the powers.
 */
function accumulateMoments(
  itmX: Float64Array,
  itmPath: Int32Array,
  cash: Float64Array,
  m: number,
  degree: number,
  center: number,
  scale: number,
  moments: Float64Array,
  targetMoments: Float64Array,
): void {
  moments.fill(0);
  targetMoments.fill(0);
  for (let k = 0; k < m; k++) {
    const u = (itmX[k]! - center) * scale;
    const y = cash[itmPath[k]!]!;
    let power = 1;
    for (let j = 0; j <= 2 * degree; j++) {
      moments[j] = moments[j]! + power;
      if (j <= degree) targetMoments[j] = targetMoments[j]! + y * power;
      power *= u;
    }
  }
}

/** The QR fallback: the design matrix of the in-the-money paths, rebuilt from their moneyness. */
function leastSquaresOnPaths(
  itmX: Float64Array,
  itmPath: Int32Array,
  cash: Float64Array,
  m: number,
  degree: number,
  center: number,
  scale: number,
): Float64Array {
  const columns = degree + 1;
  const design = new Float64Array(columns * m);
  const target = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    const u = (itmX[k]! - center) * scale;
    let power = 1;
    for (let c = 0; c < columns; c++) {
      design[c * m + k] = power;
      power *= u;
    }
    target[k] = cash[itmPath[k]!]!;
  }
  return leastSquaresQr(design, target, m, columns);
}

/** Scratch of the pricing pass: one chunk's paths, and the pass's cash flows and generators. */
class PricingScratch {
  readonly normals = new Float64Array(CHUNK);
  readonly brownian = new Float64Array(CHUNK);
  readonly alive = new Int32Array(CHUNK);
  readonly exercised = new Uint8Array(CHUNK);
  readonly itmPath = new Int32Array(CHUNK);
  readonly itmLog = new Float64Array(CHUNK);
  readonly cash: Float64Array;
  readonly rng: Int32Array;

  constructor(paths: number, dates: number) {
    this.cash = new Float64Array(paths + 1);
    this.rng = new Int32Array(XOSHIRO128_WORDS * (dates + 1));
  }
}

/**
 * The pricing pass: the rule applied forwards to the independent set, CHUNK paths at a time through all the dates
 * (one xoshiro state per date carries over from chunk to chunk); returns the cash flows discounted to t = 0 (and
 * the spare slot at index `paths`). Branch-free lists and stores as in the regression pass. A chunk is a call of
 * its own: V8 compiles a function called many times once and for all, where loops inside one long call were
 * compiled on the stack and thrown away at the exit of each inner loop.
 */
function pricingPass(setup: Setup, paths: number, rules: Rules): Float64Array {
  const scratch = new PricingScratch(paths, setup.dates);
  for (let date = 1; date <= setup.dates; date++) {
    seedStream(setup, 1, date, scratch.rng, XOSHIRO128_WORDS * date);
  }
  for (let first = 0; first < paths; first += CHUNK) {
    priceChunk(setup, rules, scratch, first, Math.min(CHUNK, paths - first));
  }
  return scratch.cash;
}

/** The rule evaluated directly at one log-return (outside the range its boundaries cover): 1 to exercise. */
function exerciseDirectly(
  coefficients: Float64Array,
  at: number,
  center: number,
  scale: number,
  spotOverStrike: number,
  logReturn: number,
  payoffScale: number,
): number {
  const x = spotOverStrike * tableExp(logReturn);
  const u = (x - center) * scale;
  const u2 = u * u;
  const continuation =
    coefficients[at]! +
    coefficients[at + 1]! * u +
    u2 * (coefficients[at + 2]! + coefficients[at + 3]! * u + u2 * (coefficients[at + 4]! + coefficients[at + 5]! * u));
  const value = payoffScale * (1 - x);
  return value > 0 && value >= continuation ? 1 : 0;
}

/** Paths first .. first + count - 1 of the pricing set, forwards through the dates until exercised. */
function priceChunk(setup: Setup, rules: Rules, scratch: PricingScratch, first: number, count: number): void {
  const { dates, strike, logStrike, volatility, discount, side } = setup;
  const { coefficients, fitted, center, scale, boundaries, exerciseAbove } = rules;
  const { normals, brownian, alive, exercised, itmPath, itmLog, cash, rng } = scratch;
  const step = Math.sqrt(setup.dt);
  const spotOverStrike = setup.spot / strike;
  const sideStrike = side * logStrike;
  for (let i = 0; i < count; i++) {
    alive[i] = i;
    brownian[i] = 0;
    exercised[i] = 0;
  }
  let aliveCount = count;
  for (let date = 1; date <= dates && aliveCount > 0; date++) {
    fillZigguratNormals(rng, XOSHIRO128_WORDS * date, normals, aliveCount);
    const driftTerm = setup.drift * date * setup.dt;
    let candidates = 0;
    for (let k = 0; k < aliveCount; k++) {
      const i = alive[k]!;
      const w = brownian[i]! + step * normals[k]!;
      brownian[i] = w;
      const logReturn = driftTerm + volatility * w;
      itmPath[candidates] = i;
      itmLog[candidates] = logReturn;
      candidates += +(side * logReturn < sideStrike);
    }
    const last = date === dates;
    if (!last && fitted[date] !== 1) continue;
    const at = date * STRIDE;
    const dateCenter = center[date]!;
    const dateScale = scale[date]!;
    const exerciseDiscount = discount[date]!;
    const lowLog = rules.lowLog[date]!;
    const highLog = rules.highLog[date]!;
    const b = date * MAX_BOUNDARIES;
    const b0 = boundaries[b]!;
    const b1 = boundaries[b + 1]!;
    const b2 = boundaries[b + 2]!;
    const b3 = boundaries[b + 3]!;
    const b4 = boundaries[b + 4]!;
    const flags = date * (MAX_BOUNDARIES + 1);
    let stopped = 0;
    for (let c = 0; c < candidates; c++) {
      const logReturn = itmLog[c]!;
      let stop = 1;
      if (!last) {
        if (logReturn >= lowLog && logReturn <= highLog) {
          const above =
            +(logReturn >= b0) + +(logReturn >= b1) + +(logReturn >= b2) + +(logReturn >= b3) + +(logReturn >= b4);
          stop = exerciseAbove[flags + above]!;
        } else {
          stop = exerciseDirectly(
            coefficients,
            at,
            dateCenter,
            dateScale,
            spotOverStrike,
            logReturn,
            strike * side * exerciseDiscount,
          );
        }
      }
      if (stop === 0) continue;
      const x = spotOverStrike * tableExp(logReturn);
      const value = strike * side * (1 - x) * exerciseDiscount;
      if (!(value > 0)) continue;
      const i = itmPath[c]!;
      cash[first + i] = value;
      exercised[i] = 1;
      stopped++;
    }
    if (last || stopped === 0) continue;
    let kept = 0;
    for (let k = 0; k < aliveCount; k++) {
      const i = alive[k]!;
      alive[kept] = i;
      kept += 1 - exercised[i]!;
    }
    aliveCount = kept;
  }
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
  const degree = requireIntegerIn(options.basisDegree ?? DEFAULT_BASIS_DEGREE, 1, MAX_DEGREE, 'basisDegree');
  const { spot, rate, dividendYield, volatility } = market;
  const dt = option.expiry / dates;
  if (!(volatility * Math.sqrt(option.expiry) <= 100)) {
    throw new CoreError(
      'ERR_CORE_INVALID_INPUT',
      'volatility * sqrt(expiry) must be at most 100 for Monte Carlo',
      'volatility',
    );
  }
  const [streamLow, streamHigh] = splitWords64(stream);
  const discount = new Float64Array(dates + 1);
  for (let date = 0; date <= dates; date++) discount[date] = -rate * date * dt;
  portableExpInPlace(discount);
  const setup: Setup = {
    isCall: option.type === 'call',
    spot,
    strike: option.strike,
    dates,
    dt,
    drift: rate - dividendYield - 0.5 * volatility * volatility,
    volatility,
    degree,
    seed: options.seed,
    streamLow,
    streamHigh,
    logStrike: portableLog(option.strike / spot),
    discount,
    side: option.type === 'call' ? -1 : 1,
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
