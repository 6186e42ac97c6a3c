import { CoreError } from '../errors.js';
import type { OptionSpec } from '../instruments/option-spec.js';
import type { MarketInputs } from '../market/market-inputs.js';
import { inverseNormalCdfInPlace } from '../math/inverse-normal.js';
import { fillStandardNormalsFromWords } from '../math/normal-stream.js';
import { portableExpInPlace } from '../math/portable-exp.js';
import { deriveChildSeed, requireSeed, requireStream, splitWords64 } from '../math/seed.js';
import { fillSobolUniforms, scrambleSobolDimension, type ScrambledSobolDimension } from '../math/sobol.js';
import { studentT975 } from '../math/student-t.js';
import type { Greeks, PriceResult } from '../results.js';
import { requireExercise, validateInputs } from '../validate.js';
import {
  addPathGreeks,
  GAMMA_FD_RELATIVE_BUMP,
  greekMethodsFor,
  type GreekMethods,
  type PathGreekContext,
} from './monte-carlo-greeks.js';

/**
 * Tunable European Monte Carlo (docs/numerics.md, "Tunable Monte Carlo"): the exact terminal value of
 * geometric Brownian motion, S_T = S exp((r - q - sigma^2/2) T + sigma sqrt(T) Z), with a choice of
 * - sampler: 'pseudo-random' (Philox4x32-10 normal stream (seed, stream), unit i at position i, as v1) or
 *   'sobol' (dimension 1 of Joe-Kuo Sobol', `scramblings` independent linear-matrix scramblings + digital
 *   shifts, each a replicate with its own estimate);
 * - antithetic pairs (Z, -Z): the unit of sampling is the pair average, so the standard error counts pairs,
 *   not paths;
 * - control variates: the discounted terminal spot X1 = e^{-rT} S_T, E[X1] = S e^{-qT} exactly, and, when
 *   sigma sqrt(T) <= QUADRATIC_CONTROL_MAX_TOTAL_VOLATILITY, a quadratic one, X2 = g^2 with
 *   g = e^{sigma sqrt(T) Z} = S_T / F, E[X2] = e^{2 sigma^2 T} (the spot alone removes only 1 - 1/2.5^2 of an at-the-money call's
 *   variance; with the square the standard error falls about 5x). The estimate is the regression estimator
 *   Ybar - beta'(Xbar - E[X]) with beta fitted by least squares on the same run; its standard error is the
 *   OLS standard error of the fitted value at X = E[X], s_e sqrt(1/n + d' Sxx^-1 d), d = Xbar - E[X],
 *   s_e^2 = SSE / (n - 1 - controls), which accounts for the estimated beta. Under Sobol each replicate is
 *   adjusted with coefficients fitted on the other replicates, and the replicates' spread is the error;
 * - a precision target: the run doubles its paths until the 95% half-width is at most `targetCiBps` basis points
 *   of the price or `maxPaths` is reached, and reports the paths used and whether the target was met.
 * Pseudo-random intervals are mean +- 1.96 SE; Sobol intervals are mean +- t_{0.975, R-1} SE over R replicates.
 *
 * Reproducibility: units are grouped in canonical blocks of EUROPEAN_BLOCK_UNITS (per replicate for Sobol);
 * every block's moments are computed on their own and merged in block order, and a longer run (a precision
 * doubling) only appends blocks, so the answer is a pure function of the inputs, the seed, the stream and the
 * number of paths, whatever the split of blocks across calls or threads.
 */

export const MONTE_CARLO_EUROPEAN_MODEL = 'monte_carlo';
export const EUROPEAN_BLOCK_UNITS = 1024;
export const MIN_MONTE_CARLO_PATHS = 1_000;
export const MAX_MONTE_CARLO_PATHS = 1_000_000;
export const DEFAULT_MONTE_CARLO_PATHS = 20_000;
export const DEFAULT_SOBOL_SCRAMBLINGS = 128;
export const MIN_SOBOL_SCRAMBLINGS = 8;
export const MAX_SOBOL_SCRAMBLINGS = 1024;
const Z_95 = 1.959963984540054;
/** Tag under which the Sobol scrambling key is derived from the run's seed. */
const SOBOL_SCRAMBLE_TAG = 0x50b01;
/** Same bound as the v1 engine: beyond it exp(sigma sqrt(T) |Z|) can overflow. */
const MAX_TOTAL_VOLATILITY = 100;

export type MonteCarloSampler = 'pseudo-random' | 'sobol';

export interface EuropeanMonteCarloOptions {
  /** 64-bit unsigned seed. */
  readonly seed: bigint;
  /** Stream index (e.g. the contract's index in its batch), default 0. */
  readonly stream?: bigint | number;
  /** Paths simulated (both halves of an antithetic pair count), 1,000 to 1,000,000; default 20,000. */
  readonly paths?: number;
  readonly antithetic?: boolean;
  readonly controlVariate?: boolean;
  readonly sampler?: MonteCarloSampler;
  /**
   * Independent Sobol scramblings (replicates), 8 to 1,024; default 128. Sobol only. The replicate estimates of
   * a kinked payoff are skewed (the top cell of the unit interval carries the unbounded tail), so the Student t
   * interval covers less than 95% with few replicates: measured 93.2% at 32, 93.3-93.8% at 64, 94.8% at 128
   * (docs/numerics.md).
   */
  readonly scramblings?: number;
  /** Target 95% half-width in basis points of the price; `paths` is the starting size. */
  readonly targetCiBps?: number;
  /** Cap of the precision loop, `paths` to 1,000,000; default 1,000,000. */
  readonly maxPaths?: number;
  /** Greeks with their standard errors (default true). */
  readonly greeks?: boolean;
}

export interface GreekEstimate {
  readonly value: number;
  readonly standardError: number;
}

export interface EuropeanMonteCarloResult extends PriceResult {
  readonly standardError: number;
  /** 95% half-width, criticalValue * standardError. */
  readonly halfWidth: number;
  readonly criticalValue: number;
  /** Replicates - 1 for Sobol (Student t), null for pseudo-random (normal). */
  readonly degreesOfFreedom: number | null;
  readonly paths: number;
  /** Independent samples behind the standard error: paths, pairs, or Sobol replicates. */
  readonly independentSamples: number;
  readonly sampler: MonteCarloSampler;
  readonly antithetic: boolean;
  readonly controlVariate: boolean;
  readonly scramblings: number | null;
  /** Fitted coefficient of the spot control (over all replicates for Sobol); null without controls. */
  readonly controlCoefficient: number | null;
  readonly precision: {
    readonly targetCiBps: number;
    readonly maxPaths: number;
    readonly met: boolean;
    readonly rounds: number;
  } | null;
  readonly greekStandardErrors: Greeks | null;
  readonly greekMethods: GreekMethods | null;
}

/** Quantities per unit: price, control, then the five greeks. */
const PRICE = 0;
const CONTROL = 1;
const SQUARE_CONTROL = 2;
const GREEK_BASE = 3;
const QUANTITIES = 8;
/** The quadratic control's variance, e^{4 sigma^2 T} - e^{2 sigma^2 T}, is estimable only for moderate sigma sqrt(T). */
export const QUADRATIC_CONTROL_MAX_TOTAL_VOLATILITY = 1;
const GREEK_NAMES = ['delta', 'gamma', 'theta', 'vega', 'rho'] as const;

/**
 * Moments of one block (or a merge of blocks): means and M2 of every quantity, and the co-moments
 * [price x control, price x square control, control x square control].
 */
export interface EuropeanBlockMoments {
  readonly count: number;
  readonly mean: Float64Array;
  readonly m2: Float64Array;
  readonly coMoments: Float64Array;
}
const CO_PAIRS: readonly (readonly [number, number])[] = [
  [PRICE, CONTROL],
  [PRICE, SQUARE_CONTROL],
  [CONTROL, SQUARE_CONTROL],
];

interface Setup {
  readonly isCall: boolean;
  readonly strike: number;
  readonly forwardFactor: number;
  readonly totalVolatility: number;
  readonly discount: number;
  readonly controlMean: number;
  readonly squareControlMean: number;
  /** Number of controls in use: 0, 1 or 2. */
  readonly controls: number;
  readonly antithetic: boolean;
  readonly controlVariate: boolean;
  readonly greeks: boolean;
  readonly sobol: boolean;
  readonly scramblings: number;
  readonly k0: number;
  readonly k1: number;
  readonly s0: number;
  readonly s1: number;
  readonly scrambleKey: bigint;
  readonly greekContext: PathGreekContext;
}

function refuse(message: string, param: string): never {
  throw new CoreError('ERR_CORE_INVALID_INPUT', message, param);
}

function requireIntegerIn(value: unknown, low: number, high: number, param: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < low || value > high) {
    refuse(`${param} must be an integer in [${low}, ${high}], got ${String(value)}`, param);
  }
  return value;
}

function prepare(option: OptionSpec, market: MarketInputs, options: EuropeanMonteCarloOptions): Setup {
  validateInputs(option, market);
  requireExercise(option, ['european'], MONTE_CARLO_EUROPEAN_MODEL);
  requireSeed(options.seed, 'seed');
  const stream = requireStream(options.stream ?? 0, 'stream');
  const sampler = options.sampler ?? 'pseudo-random';
  if (sampler !== 'pseudo-random' && sampler !== 'sobol')
    refuse(`sampler must be "pseudo-random" or "sobol", got ${String(sampler)}`, 'sampler');
  const scramblings =
    sampler === 'sobol'
      ? requireIntegerIn(
          options.scramblings ?? DEFAULT_SOBOL_SCRAMBLINGS,
          MIN_SOBOL_SCRAMBLINGS,
          MAX_SOBOL_SCRAMBLINGS,
          'scramblings',
        )
      : 1;
  const { spot, rate, dividendYield, volatility } = market;
  const expiry = option.expiry;
  const totalVolatility = volatility * Math.sqrt(expiry);
  if (!(totalVolatility <= MAX_TOTAL_VOLATILITY))
    refuse(
      `volatility * sqrt(expiry) must be at most ${MAX_TOTAL_VOLATILITY} for Monte Carlo, got ${totalVolatility}`,
      'volatility',
    );
  const discount = Math.exp(-rate * expiry);
  const forwardFactor = spot * Math.exp((rate - dividendYield - 0.5 * volatility * volatility) * expiry);
  const controlMean = spot * Math.exp(-dividendYield * expiry);
  if (![discount, forwardFactor, controlMean].every(Number.isFinite) || discount === 0) {
    refuse(
      'spot, rate, dividend yield and expiry put the forward or the discount factor outside the double range',
      'rate',
    );
  }
  const controlVariate = options.controlVariate ?? false;
  const controls = !controlVariate ? 0 : totalVolatility <= QUADRATIC_CONTROL_MAX_TOTAL_VOLATILITY ? 2 : 1;
  const [k0, k1] = splitWords64(options.seed);
  const [s0, s1] = splitWords64(stream);
  const methods = greekMethodsFor(totalVolatility);
  return {
    isCall: option.type === 'call',
    strike: option.strike,
    forwardFactor,
    totalVolatility,
    discount,
    controlMean,
    squareControlMean: Math.exp(2 * totalVolatility * totalVolatility),
    controls,
    antithetic: options.antithetic ?? false,
    controlVariate,
    greeks: options.greeks ?? true,
    sobol: sampler === 'sobol',
    scramblings,
    k0,
    k1,
    s0,
    s1,
    // The stream enters the scrambling key, so contracts of one batch get independent scramblings.
    scrambleKey: deriveChildSeed(deriveChildSeed(options.seed, SOBOL_SCRAMBLE_TAG), Number(stream % 9007199254740991n)),
    greekContext: {
      isCall: option.type === 'call',
      spot,
      strike: option.strike,
      expiry,
      volatility,
      rate,
      dividendYield,
      discount,
      totalVolatility,
      finiteDifferenceGamma: methods.gamma === 'finite-difference-crn',
      gammaBump: GAMMA_FD_RELATIVE_BUMP * totalVolatility,
    },
  };
}

/** Units (paths or pairs) per replicate for a requested number of paths. */
function unitsPerReplicate(setup: Setup, paths: number): number {
  const units = setup.antithetic ? Math.floor(paths / 2) : paths;
  return Math.floor(units / setup.scramblings);
}

class Scratch {
  readonly normals = new Float64Array(EUROPEAN_BLOCK_UNITS);
  readonly growth = new Float64Array(EUROPEAN_BLOCK_UNITS);
  readonly samples = new Float64Array(QUANTITIES * EUROPEAN_BLOCK_UNITS);
}

/**
 * Block `block` of replicate `replicate` (always 0 for pseudo-random): units [block * B, min((block + 1) B,
 * units)) of that replicate's sequence.
 */
function simulateBlock(
  setup: Setup,
  scrambled: ScrambledSobolDimension | null,
  units: number,
  block: number,
  scratch: Scratch,
): EuropeanBlockMoments {
  const first = block * EUROPEAN_BLOCK_UNITS;
  const count = Math.min(EUROPEAN_BLOCK_UNITS, units - first);
  const { normals, growth, samples } = scratch;
  if (scrambled === null) {
    fillStandardNormalsFromWords(setup.k0, setup.k1, setup.s0, setup.s1, first, normals, count);
  } else {
    fillSobolUniforms(scrambled.directions, scrambled.shift, first, normals, count);
    inverseNormalCdfInPlace(normals, count);
  }
  for (let i = 0; i < count; i++) growth[i] = setup.totalVolatility * normals[i]!;
  portableExpInPlace(growth, count);
  samples.fill(0, 0, QUANTITIES * EUROPEAN_BLOCK_UNITS);
  const B = EUROPEAN_BLOCK_UNITS;
  const { forwardFactor, discount, strike, isCall, antithetic } = setup;
  const weight = antithetic ? 0.5 : 1;
  for (let i = 0; i < count; i++) {
    const z = normals[i]!;
    const up = forwardFactor * growth[i]!;
    const payoffUp = isCall ? (up > strike ? up - strike : 0) : up < strike ? strike - up : 0;
    let price = payoffUp;
    let control = up;
    let square = growth[i]! * growth[i]!;
    if (setup.greeks) addPathGreeks(setup.greekContext, up, z, payoffUp, weight, samples, GREEK_BASE * B + i, B);
    if (antithetic) {
      const down = forwardFactor / growth[i]!;
      const payoffDown = isCall ? (down > strike ? down - strike : 0) : down < strike ? strike - down : 0;
      price = 0.5 * (price + payoffDown);
      control = 0.5 * (control + down);
      square = 0.5 * (square + 1 / (growth[i]! * growth[i]!));
      if (setup.greeks) addPathGreeks(setup.greekContext, down, -z, payoffDown, weight, samples, GREEK_BASE * B + i, B);
    }
    samples[PRICE * B + i] = discount * price;
    samples[CONTROL * B + i] = discount * control;
    samples[SQUARE_CONTROL * B + i] = square;
  }
  return blockMoments(samples, count, setup.greeks);
}

function blockMoments(samples: Float64Array, count: number, greeks: boolean): EuropeanBlockMoments {
  const B = EUROPEAN_BLOCK_UNITS;
  const mean = new Float64Array(QUANTITIES);
  const m2 = new Float64Array(QUANTITIES);
  const used = greeks ? QUANTITIES : GREEK_BASE;
  const coMoments = new Float64Array(CO_PAIRS.length);
  for (let q = 0; q < used; q++) {
    let sum = 0;
    for (let i = 0; i < count; i++) sum += samples[q * B + i]!;
    const m = sum / count;
    let s2 = 0;
    for (let i = 0; i < count; i++) {
      const d = samples[q * B + i]! - m;
      s2 += d * d;
    }
    mean[q] = m;
    m2[q] = s2;
  }
  CO_PAIRS.forEach(([a, b], k) => {
    let co = 0;
    for (let i = 0; i < count; i++) co += (samples[a * B + i]! - mean[a]!) * (samples[b * B + i]! - mean[b]!);
    coMoments[k] = co;
  });
  for (let q = 0; q < used; q++) {
    if (!Number.isFinite(mean[q]!) || !Number.isFinite(m2[q]!))
      refuse('the simulated payoffs overflow the double range for these inputs', 'spot');
  }
  return { count, mean, m2, coMoments };
}

/** Chan-Golub-LeVeque merge, extended to the co-moment; blocks are always merged in block order. */
export function mergeBlockMoments(a: EuropeanBlockMoments, b: EuropeanBlockMoments): EuropeanBlockMoments {
  if (a.count === 0) return b;
  if (b.count === 0) return a;
  const count = a.count + b.count;
  const weightB = b.count / count;
  const mean = new Float64Array(QUANTITIES);
  const m2 = new Float64Array(QUANTITIES);
  for (let q = 0; q < QUANTITIES; q++) {
    const delta = b.mean[q]! - a.mean[q]!;
    mean[q] = a.mean[q]! + delta * weightB;
    m2[q] = a.m2[q]! + b.m2[q]! + delta * delta * a.count * weightB;
  }
  const coMoments = new Float64Array(CO_PAIRS.length);
  CO_PAIRS.forEach(([p, q], k) => {
    coMoments[k] =
      a.coMoments[k]! + b.coMoments[k]! + (b.mean[p]! - a.mean[p]!) * (b.mean[q]! - a.mean[q]!) * a.count * weightB;
  });
  return { count, mean, m2, coMoments };
}

/** The moments of `total` without its part `part` (the inverse of mergeBlockMoments, exact up to rounding). */
function unmergeBlockMoments(total: EuropeanBlockMoments, part: EuropeanBlockMoments): EuropeanBlockMoments {
  const count = total.count - part.count;
  const mean = new Float64Array(QUANTITIES);
  const m2 = new Float64Array(QUANTITIES);
  for (let q = 0; q < QUANTITIES; q++) {
    mean[q] = (total.count * total.mean[q]! - part.count * part.mean[q]!) / count;
    const delta = part.mean[q]! - mean[q]!;
    m2[q] = Math.max(0, total.m2[q]! - part.m2[q]! - (delta * delta * count * part.count) / total.count);
  }
  const coMoments = new Float64Array(CO_PAIRS.length);
  CO_PAIRS.forEach(([p, q], k) => {
    coMoments[k] =
      total.coMoments[k]! -
      part.coMoments[k]! -
      ((part.mean[p]! - mean[p]!) * (part.mean[q]! - mean[q]!) * count * part.count) / total.count;
  });
  return { count, mean, m2, coMoments };
}

interface SampleEstimate {
  readonly value: number;
  readonly standardError: number;
  readonly coefficient: number | null;
  /** The fitted coefficients of the controls (spot, quadratic); zeros without controls. */
  readonly betas: readonly [number, number];
}

/**
 * The price estimate of one sample (a whole pseudo-random run, or one Sobol replicate): the plain mean, or the
 * least-squares control-variate estimator with its regression standard error (module comment).
 */
function priceEstimate(setup: Setup, moments: EuropeanBlockMoments): SampleEstimate {
  const n = moments.count;
  const meanY = moments.mean[PRICE]!;
  const m2Y = moments.m2[PRICE]!;
  const plain = { value: meanY, standardError: n > 1 ? Math.sqrt(m2Y / (n - 1) / n) : 0, betas: [0, 0] as const };
  if (setup.controls === 0) return { ...plain, coefficient: null };
  const sxx = moments.m2[CONTROL]!;
  const sxy = moments.coMoments[0]!;
  const d1 = moments.mean[CONTROL]! - setup.controlMean;
  if (setup.controls === 1 || n < 5) {
    if (!(sxx > 0) || n < 3) return { ...plain, coefficient: 0 };
    const beta = sxy / sxx;
    const sse = Math.max(0, m2Y - beta * sxy);
    return {
      value: meanY - beta * d1,
      standardError: Math.sqrt((sse / (n - 2)) * (1 / n + (d1 * d1) / sxx)),
      coefficient: beta,
      betas: [beta, 0],
    };
  }
  // Two controls: solve the 2x2 normal system of the centred regression by Cramer's rule on correlations,
  // i.e. after scaling each control to unit sum of squares, which keeps the determinant well conditioned.
  const szz = moments.m2[SQUARE_CONTROL]!;
  const szy = moments.coMoments[1]!;
  const sxz = moments.coMoments[2]!;
  const d2 = moments.mean[SQUARE_CONTROL]! - setup.squareControlMean;
  const nx = Math.sqrt(sxx);
  const nz = Math.sqrt(szz);
  const rho = sxz / (nx * nz);
  const det = 1 - rho * rho;
  if (!(nx > 0) || !(nz > 0) || !(det > 1e-12)) return { ...plain, coefficient: 0 };
  const ux = sxy / nx;
  const uz = szy / nz;
  const gx = (ux - rho * uz) / det;
  const gz = (uz - rho * ux) / det;
  const betaX = gx / nx;
  const betaZ = gz / nz;
  const sse = Math.max(0, m2Y - gx * ux - gz * uz);
  // d' Sxx^-1 d in the scaled coordinates.
  const ex = (d1 * nx) / sxx;
  const ez = (d2 * nz) / szz;
  const leverage = (ex * ex - 2 * rho * ex * ez + ez * ez) / det;
  return {
    value: meanY - betaX * d1 - betaZ * d2,
    standardError: Math.sqrt((sse / (n - 3)) * (1 / n + leverage)),
    coefficient: betaX,
    betas: [betaX, betaZ],
  };
}

/** Per-replicate merged moments, kept across precision rounds (full blocks are never recomputed). */
class RunState {
  readonly replicates: { scrambled: ScrambledSobolDimension | null; fullBlocks: EuropeanBlockMoments[] }[] = [];
  readonly scratch = new Scratch();

  constructor(readonly setup: Setup) {
    for (let r = 0; r < setup.scramblings; r++) {
      this.replicates.push({
        scrambled: setup.sobol ? scrambleSobolDimension(setup.scrambleKey, r, 1) : null,
        fullBlocks: [],
      });
    }
  }

  /** Moments of each replicate over its first `units` units. */
  momentsAt(units: number): EuropeanBlockMoments[] {
    const blocks = Math.ceil(units / EUROPEAN_BLOCK_UNITS);
    return this.replicates.map((replicate) => {
      let merged: EuropeanBlockMoments = {
        count: 0,
        mean: new Float64Array(QUANTITIES),
        m2: new Float64Array(QUANTITIES),
        coMoments: new Float64Array(CO_PAIRS.length),
      };
      for (let b = 0; b < blocks; b++) {
        const full = (b + 1) * EUROPEAN_BLOCK_UNITS <= units;
        let moments = full ? replicate.fullBlocks[b] : undefined;
        if (moments === undefined) {
          moments = simulateBlock(this.setup, replicate.scrambled, units, b, this.scratch);
          if (full) replicate.fullBlocks[b] = moments;
        }
        merged = mergeBlockMoments(merged, moments);
      }
      return merged;
    });
  }
}

function summarize(
  setup: Setup,
  perReplicate: readonly EuropeanBlockMoments[],
): Omit<EuropeanMonteCarloResult, 'precision' | 'diagnostics'> & { diagnosticsPaths: number } {
  const unitPaths = setup.antithetic ? 2 : 1;
  const greekValue = (q: number, moments: EuropeanBlockMoments): number => moments.mean[GREEK_BASE + q]!;
  if (!setup.sobol) {
    const moments = perReplicate[0]!;
    const estimate = priceEstimate(setup, moments);
    const n = moments.count;
    const greekSe = (q: number): number => (n > 1 ? Math.sqrt(moments.m2[GREEK_BASE + q]! / (n - 1) / n) : 0);
    return {
      value: estimate.value,
      standardError: estimate.standardError,
      halfWidth: Z_95 * estimate.standardError,
      criticalValue: Z_95,
      degreesOfFreedom: null,
      paths: n * unitPaths,
      diagnosticsPaths: n * unitPaths,
      independentSamples: n,
      controlCoefficient: estimate.coefficient,
      greeks: setup.greeks ? greeksFrom((q) => greekValue(q, moments)) : null,
      greekStandardErrors: setup.greeks ? greeksFrom(greekSe) : null,
      ...common(setup),
    };
  }
  const R = perReplicate.length;
  // Each replicate is adjusted with coefficients fitted on all the other replicates (leave one out): they are
  // then independent of that replicate, so its adjusted estimate stays unbiased. A fit that includes the
  // replicate (per replicate, or pooled) leaves an O(1 / points) bias, which randomised QMC's O(1 / points)
  // standard error would expose.
  const pooled = perReplicate.reduce(mergeBlockMoments);
  const pooledFit = priceEstimate(setup, pooled);
  const estimates = perReplicate.map((m) => {
    if (setup.controls === 0) return { value: m.mean[PRICE]! };
    const [betaX, betaZ] = priceEstimate(setup, unmergeBlockMoments(pooled, m)).betas;
    return {
      value:
        m.mean[PRICE]! -
        betaX * (m.mean[CONTROL]! - setup.controlMean) -
        betaZ * (m.mean[SQUARE_CONTROL]! - setup.squareControlMean),
    };
  });
  const betaX = pooledFit.betas[0];
  const across = (values: readonly number[]): { mean: number; se: number } => {
    let sum = 0;
    for (const v of values) sum += v;
    const mean = sum / values.length;
    let s2 = 0;
    for (const v of values) s2 += (v - mean) * (v - mean);
    return { mean, se: Math.sqrt(s2 / (values.length - 1) / values.length) };
  };
  const price = across(estimates.map((e) => e.value));
  const greekStats = GREEK_NAMES.map((_, q) => across(perReplicate.map((m) => greekValue(q, m))));
  const t = studentT975(R - 1);
  const paths = perReplicate[0]!.count * R * unitPaths;
  return {
    value: price.mean,
    standardError: price.se,
    halfWidth: t * price.se,
    criticalValue: t,
    degreesOfFreedom: R - 1,
    paths,
    diagnosticsPaths: paths,
    independentSamples: R,
    controlCoefficient: setup.controlVariate ? betaX : null,
    greeks: setup.greeks ? greeksFrom((q) => greekStats[q]!.mean) : null,
    greekStandardErrors: setup.greeks ? greeksFrom((q) => greekStats[q]!.se) : null,
    ...common(setup),
  };
}

function common(
  setup: Setup,
): Pick<EuropeanMonteCarloResult, 'sampler' | 'antithetic' | 'controlVariate' | 'scramblings' | 'greekMethods'> {
  return {
    sampler: setup.sobol ? 'sobol' : 'pseudo-random',
    antithetic: setup.antithetic,
    controlVariate: setup.controlVariate,
    scramblings: setup.sobol ? setup.scramblings : null,
    greekMethods: setup.greeks ? greekMethodsFor(setup.totalVolatility) : null,
  };
}

function greeksFrom(pick: (q: number) => number): Greeks {
  return { delta: pick(0), gamma: pick(1), theta: pick(2), vega: pick(3), rho: pick(4) };
}

/**
 * Prices a European option by Monte Carlo with the estimator `options` describes (see the module comment).
 * The result is a PriceResult (value, greeks, diagnostics with paths, standard error and 95% interval) with
 * the estimator's details beside it: standard errors and methods of the greeks, the critical value, the
 * control coefficient, and the precision loop's outcome.
 */
export function priceMonteCarloEuropean(
  option: OptionSpec,
  market: MarketInputs,
  options: EuropeanMonteCarloOptions,
): EuropeanMonteCarloResult {
  const setup = prepare(option, market, options);
  const startPaths = requireIntegerIn(
    options.paths ?? DEFAULT_MONTE_CARLO_PATHS,
    MIN_MONTE_CARLO_PATHS,
    MAX_MONTE_CARLO_PATHS,
    'paths',
  );
  let target: number | null = null;
  let maxPaths = startPaths;
  if (options.targetCiBps !== undefined) {
    target = options.targetCiBps;
    if (typeof target !== 'number' || !Number.isFinite(target) || target <= 0)
      refuse(`targetCiBps must be a positive number, got ${String(target)}`, 'targetCiBps');
    maxPaths = requireIntegerIn(
      options.maxPaths ?? MAX_MONTE_CARLO_PATHS,
      startPaths,
      MAX_MONTE_CARLO_PATHS,
      'maxPaths',
    );
  } else if (options.maxPaths !== undefined) {
    requireIntegerIn(options.maxPaths, startPaths, MAX_MONTE_CARLO_PATHS, 'maxPaths');
  }
  const minimumUnits = setup.sobol ? 2 : 3;
  if (unitsPerReplicate(setup, startPaths) < minimumUnits) {
    refuse(
      `paths ${startPaths} leave fewer than ${minimumUnits} samples per scrambling; use more paths or fewer scramblings`,
      'paths',
    );
  }
  const state = new RunState(setup);
  let paths = startPaths;
  let rounds = 0;
  for (;;) {
    rounds += 1;
    const summary = summarize(setup, state.momentsAt(unitsPerReplicate(setup, paths)));
    const met = target === null ? true : summary.halfWidth <= target * 1e-4 * Math.abs(summary.value);
    if (met || paths >= maxPaths) {
      const { diagnosticsPaths, ...rest } = summary;
      return {
        ...rest,
        precision: target === null ? null : { targetCiBps: target, maxPaths, met, rounds },
        diagnostics: {
          model: MONTE_CARLO_EUROPEAN_MODEL,
          converged: met,
          paths: diagnosticsPaths,
          standardError: summary.standardError,
          confidenceInterval: [summary.value - summary.halfWidth, summary.value + summary.halfWidth],
        },
      };
    }
    paths = Math.min(2 * paths, maxPaths);
  }
}

/**
 * The block moments of one replicate, for callers that split a run across threads: units [firstBlock * B,
 * ...) of replicate `replicate` (0 for pseudo-random) for a run of `paths` paths. Merging the blocks of each
 * replicate in block order with `mergeBlockMoments` reproduces `priceMonteCarloEuropean`'s moments bit for bit.
 */
export function simulateMonteCarloEuropeanBlocks(
  option: OptionSpec,
  market: MarketInputs,
  options: EuropeanMonteCarloOptions,
  replicate: number,
  firstBlock: number,
  blockCount: number,
): EuropeanBlockMoments[] {
  const setup = prepare(option, market, options);
  const paths = requireIntegerIn(
    options.paths ?? DEFAULT_MONTE_CARLO_PATHS,
    MIN_MONTE_CARLO_PATHS,
    MAX_MONTE_CARLO_PATHS,
    'paths',
  );
  const units = unitsPerReplicate(setup, paths);
  requireIntegerIn(replicate, 0, setup.scramblings - 1, 'replicate');
  const blocks = Math.ceil(units / EUROPEAN_BLOCK_UNITS);
  requireIntegerIn(firstBlock, 0, blocks - 1, 'firstBlock');
  requireIntegerIn(blockCount, 1, blocks - firstBlock, 'blockCount');
  const scrambled = setup.sobol ? scrambleSobolDimension(setup.scrambleKey, replicate, 1) : null;
  const scratch = new Scratch();
  const out: EuropeanBlockMoments[] = [];
  for (let b = firstBlock; b < firstBlock + blockCount; b++)
    out.push(simulateBlock(setup, scrambled, units, b, scratch));
  return out;
}
