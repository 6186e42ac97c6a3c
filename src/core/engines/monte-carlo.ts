import { CoreError } from '../errors.js';
import type { OptionSpec } from '../instruments/option-spec.js';
import type { MarketInputs } from '../market/market-inputs.js';
import { fillStandardNormalsFromWords } from '../math/normal-stream.js';
import { portableExpInPlace } from '../math/portable-exp.js';
import { requireSeed, requireStream, splitWords64 } from '../math/seed.js';
import { combineMoments, sampleMoments, standardErrorOfMean } from '../math/summary-stats.js';
import type { SampleMoments } from '../math/summary-stats.js';
import type { Greeks, PriceResult } from '../results.js';
import { requireExercise, requireFiniteResult, validateInputs } from '../validate.js';
import { blackScholesPrice } from './black-scholes.js';
import type { PricingOptions } from './black-scholes.js';

/**
 * monte_carlo_20k: European options by Monte Carlo on the exact terminal value of geometric Brownian motion,
 *   S_T = S exp((r - q - sigma^2 / 2) T + sigma sqrt(T) Z),
 * with antithetic pairs (Z, -Z). The independent samples are the pair averages Y_i = (f(Z_i) + f(-Z_i)) / 2,
 * so the standard error is the sample standard deviation of the Y_i over sqrt(pairs), and the 95% interval is
 * mean -/+ 1.959963984540054 standard errors.
 *
 * Random numbers: pair i uses position i of the normal stream (seed, stream) of normal-stream.ts (Philox4x32-10
 * words mapped to (w + 1/2) 2^-32 and through AS241), so the answer is a pure function of the inputs, the
 * seed, the stream and the number of pairs.
 *
 * Greeks, from the same normals in the same pass, in raw units (results.ts):
 * - delta: pathwise, e^{-rT} E[1{S_T > K} S_T] / S for a call (puts: -1{S_T < K});
 * - vega: pathwise, dS_T/dsigma = S_T (sqrt(T) Z - sigma T);
 * - rho: pathwise including the discount factor, T (e^{-rT} E[1{S_T > K} S_T] - V);
 * - gamma: likelihood ratio applied to the pathwise delta ("LR-pathwise" mixed estimator, lower variance than
 *   the pure likelihood-ratio one): e^{-rT} E[1{S_T > K} S_T (Z / (sigma sqrt T) - 1)] / S^2. When both paths
 *   of a pair are in the money the two large Z / (sigma sqrt T) terms are combined through sinh so they never
 *   cancel catastrophically, even for a tiny sigma sqrt(T);
 * - theta: central bump of the expiry T (1 -/+ 1e-4) with common random numbers (the same Z), as dV/dt =
 *   -dV/dT, per year. Its bias is O(1e-8 T^2 V''') and its variance stays bounded as the bump shrinks because
 *   the payoff is Lipschitz.
 *
 * Limits (inherent to 20,000 paths, not defects): when exercise is a rare event (a strike more than about 3.5
 * standard deviations from the forward) few or no paths reach the money and the sample standard error
 * understates the error. With no path in the money the price and the greeks are exactly 0, yet the payoff is
 * positive with positive probability, so a standard error of 0 would be a false claim of exactness: the result
 * is flagged `diagnostics.degenerateSample` and its standard error is the exact model value (the
 * Black-Scholes price of the same contract, which is the estimate's actual error), so the 95% interval covers. The same
 * holds in reverse for rho and delta deep in the money. For sigma sqrt(T) beyond about 2 the payoff's mass sits
 * at Z near sigma sqrt(T), which 20,000 draws sample poorly.
 *
 * Block API: pairs are grouped in canonical blocks of MONTE_CARLO_BLOCK_PAIRS; each block's moments are
 * computed on their own (two-pass) and blocks are merged in block order. Any split of the block range across
 * calls, threads or machines therefore gives bit-identical results once the partials are combined.
 */

export const MONTE_CARLO_MODEL = 'monte_carlo_20k';
/** Pairs per canonical block; a multiple of 4 so every block starts on a Philox counter boundary. */
export const MONTE_CARLO_BLOCK_PAIRS = 1000;
/** 10,000 antithetic pairs = 20,000 paths. */
export const MONTE_CARLO_DEFAULT_PAIRS = 10_000;
/** 5,000,000 pairs (10 million paths, a few seconds of one core): a bound, so no caller can ask for a run that never ends. */
export const MONTE_CARLO_MAX_PAIRS = 5_000_000;
/** The two-sided 95% normal quantile, Phi^-1(0.975). */
export const CONFIDENCE_Z_95 = 1.959963984540054;
/** Relative expiry bump of the common-random-number theta. */
export const THETA_RELATIVE_BUMP = 1e-4;
/**
 * Largest sigma sqrt(T) accepted. Beyond it exp(sigma sqrt(T) |Z|) can overflow for the largest normal the
 * stream produces (6.3380); long before it the estimator is meaningless, since the payoff's mass sits at
 * Z near sigma sqrt(T), where 20,000 paths put almost no samples.
 */
export const MAX_TOTAL_VOLATILITY = 100;

/** `greeks` as for every engine (default true); the random numbers are fixed by `seed`, `stream` and `pairs`. */
export interface MonteCarloOptions extends PricingOptions {
  /** 64-bit unsigned seed, the Philox key. */
  readonly seed: bigint;
  /** Stream index, e.g. the contract's index in its batch (default 0): the Philox counter's upper 64 bits. */
  readonly stream?: bigint | number;
  /** Antithetic pairs (default 10,000, i.e. 20,000 paths); at least 2. */
  readonly pairs?: number;
}

/** Indices of the per-pair samples inside `MonteCarloBlockPartial.moments`. */
const PRICE = 0;
const DELTA = 1;
const GAMMA = 2;
const THETA = 3;
const VEGA = 4;
const RHO = 5;

/** What one canonical block contributes: plain data, safe to send across worker threads. */
export interface MonteCarloBlockPartial {
  /** Canonical block index: pairs [block * MONTE_CARLO_BLOCK_PAIRS, ...). */
  readonly block: number;
  /** The run's total number of pairs, so the combination can check that no block is missing. */
  readonly totalPairs: number;
  readonly greeks: boolean;
  /**
   * Moments of the discounted per-pair samples: [price] without greeks, else
   * [price, delta, gamma, theta, vega, rho].
   */
  readonly moments: readonly SampleMoments[];
}

export interface MonteCarloSummary {
  readonly result: PriceResult;
  /** Standard errors of the greek estimators (same units as the greeks); null without greeks. */
  readonly greekStandardErrors: Greeks | null;
}

/** Number of canonical blocks for `pairs` antithetic pairs. */
export function monteCarloBlockCount(pairs: number): number {
  return Math.ceil(pairs / MONTE_CARLO_BLOCK_PAIRS);
}

/** Prices a European option by Monte Carlo: all blocks, combined in order. */
export function priceMonteCarlo(option: OptionSpec, market: MarketInputs, options: MonteCarloOptions): PriceResult {
  const pairs = options.pairs ?? MONTE_CARLO_DEFAULT_PAIRS;
  checkMonteCarloPairs(pairs);
  return finishMonteCarlo(
    combineMonteCarloBlocks(simulateMonteCarloBlocks(option, market, options, 0, monteCarloBlockCount(pairs))),
    option,
    market,
  );
}

/**
 * The last step of priceMonteCarlo and its WebAssembly twin, on a combined result of validated inputs: every
 * output finite, and a degenerate sample's standard error replaced by the exact model value (see above).
 */
export function finishMonteCarlo(result: PriceResult, option: OptionSpec, market: MarketInputs): PriceResult {
  requireFiniteResult(result, MONTE_CARLO_MODEL);
  if (result.diagnostics.degenerateSample !== true) return result;
  const bound = blackScholesPrice(
    option.type,
    market.spot,
    option.strike,
    option.expiry,
    market.volatility,
    market.rate,
    market.dividendYield,
  );
  // The European value can underflow to 0 far out of the money; the smallest normal double still is not 0.
  const standardError = Math.max(bound, Number.MIN_VALUE);
  return {
    ...result,
    diagnostics: {
      ...result.diagnostics,
      standardError,
      confidenceInterval: [
        result.value - CONFIDENCE_Z_95 * standardError,
        result.value + CONFIDENCE_Z_95 * standardError,
      ],
    },
  };
}

/**
 * Simulates canonical blocks firstBlock .. firstBlock + blockCount - 1 and returns one partial per block, in
 * block order. Validates everything `priceMonteCarlo` validates.
 */
export function simulateMonteCarloBlocks(
  option: OptionSpec,
  market: MarketInputs,
  options: MonteCarloOptions,
  firstBlock: number,
  blockCount: number,
): MonteCarloBlockPartial[] {
  const setup = prepareMonteCarlo(option, market, options);
  const totalBlocks = monteCarloBlockCount(setup.totalPairs);
  if (!Number.isSafeInteger(firstBlock) || firstBlock < 0 || firstBlock >= totalBlocks) {
    throw new CoreError(
      'ERR_CORE_INVALID_INPUT',
      `firstBlock must be an integer in [0, ${totalBlocks - 1}], got ${String(firstBlock)}`,
      'firstBlock',
    );
  }
  if (!Number.isSafeInteger(blockCount) || blockCount < 1 || firstBlock + blockCount > totalBlocks) {
    throw new CoreError(
      'ERR_CORE_INVALID_INPUT',
      `blockCount must be an integer in [1, ${totalBlocks - firstBlock}], got ${String(blockCount)}`,
      'blockCount',
    );
  }
  const scratch = new Scratch(setup.greeks);
  const partials: MonteCarloBlockPartial[] = [];
  for (let block = firstBlock; block < firstBlock + blockCount; block++) {
    partials.push(simulateBlock(setup, block, scratch));
  }
  return partials;
}

/** Combines the partials of every block of one run (in any order) into the run's PriceResult. */
export function combineMonteCarloBlocks(partials: readonly MonteCarloBlockPartial[]): PriceResult {
  return summarizeMonteCarloBlocks(partials).result;
}

/**
 * Like `combineMonteCarloBlocks`, and also returns the standard errors of the greek estimators. The blocks are
 * merged in block order whatever order they arrive in; every block 0 .. N - 1 of the run must be present once.
 */
export function summarizeMonteCarloBlocks(partials: readonly MonteCarloBlockPartial[]): MonteCarloSummary {
  const ordered = checkPartials(partials);
  const quantities = ordered[0]!.moments.length;
  const merged: SampleMoments[] = [];
  for (let k = 0; k < quantities; k++) {
    let moments: SampleMoments = { count: 0, mean: 0, m2: 0 };
    for (const partial of ordered) moments = combineMoments(moments, partial.moments[k]!);
    merged.push(moments);
  }
  const price = merged[PRICE]!;
  const standardError = standardErrorOfMean(price);
  const greeks = ordered[0]!.greeks;
  return {
    result: {
      value: price.mean,
      greeks: greeks
        ? {
            delta: merged[DELTA]!.mean,
            gamma: merged[GAMMA]!.mean,
            theta: merged[THETA]!.mean,
            vega: merged[VEGA]!.mean,
            rho: merged[RHO]!.mean,
          }
        : null,
      diagnostics: {
        model: MONTE_CARLO_MODEL,
        converged: true,
        paths: 2 * price.count,
        ...(standardError === 0 && price.mean === 0 ? { degenerateSample: true } : {}),
        standardError,
        confidenceInterval: [
          price.mean - CONFIDENCE_Z_95 * standardError,
          price.mean + CONFIDENCE_Z_95 * standardError,
        ],
      },
    },
    greekStandardErrors: greeks
      ? {
          delta: standardErrorOfMean(merged[DELTA]!),
          gamma: standardErrorOfMean(merged[GAMMA]!),
          theta: standardErrorOfMean(merged[THETA]!),
          vega: standardErrorOfMean(merged[VEGA]!),
          rho: standardErrorOfMean(merged[RHO]!),
        }
      : null,
  };
}

/** Everything a block needs, computed once per run (the WebAssembly kernel takes the same numbers). */
export interface MonteCarloSetup {
  readonly isCall: boolean;
  readonly spot: number;
  readonly strike: number;
  readonly expiry: number;
  readonly volatility: number;
  readonly totalPairs: number;
  readonly greeks: boolean;
  /** Philox key words (seed) and upper counter words (stream). */
  readonly k0: number;
  readonly k1: number;
  readonly s0: number;
  readonly s1: number;
  /** S exp((r - q - sigma^2/2) T): S_T = forwardFactor * exp(totalVolatility * Z). */
  readonly forwardFactor: number;
  /** sigma sqrt(T). */
  readonly totalVolatility: number;
  /** e^{-rT} / 2: discount and antithetic average in one factor. */
  readonly halfDiscount: number;
  /** The same three at the bumped expiries T (1 + bump) and T (1 - bump), for theta. */
  readonly upForwardFactor: number;
  readonly upTotalVolatility: number;
  readonly upHalfDiscount: number;
  readonly downForwardFactor: number;
  readonly downTotalVolatility: number;
  readonly downHalfDiscount: number;
  /** T (1 + bump) - T (1 - bump), the exact width of the theta difference. */
  readonly thetaWidth: number;
}

/** Per-call work arrays, reused block after block. */
class Scratch {
  readonly normals = new Float64Array(MONTE_CARLO_BLOCK_PAIRS);
  /** e^{sigma sqrt(T) Z}, and the same at the bumped expiries (greeks only). */
  readonly growth = new Float64Array(MONTE_CARLO_BLOCK_PAIRS);
  readonly growthLater: Float64Array;
  readonly growthSooner: Float64Array;
  readonly samples: Float64Array[];

  constructor(greeks: boolean) {
    const size = greeks ? MONTE_CARLO_BLOCK_PAIRS : 0;
    this.growthLater = new Float64Array(size);
    this.growthSooner = new Float64Array(size);
    this.samples = [];
    for (let k = 0; k < (greeks ? 6 : 1); k++) this.samples.push(new Float64Array(MONTE_CARLO_BLOCK_PAIRS));
  }
}

/** Refuses a number of pairs that is not an integer of at least 2. */
export function checkMonteCarloPairs(pairs: number): void {
  if (typeof pairs !== 'number' || !Number.isSafeInteger(pairs) || pairs < 2 || pairs > MONTE_CARLO_MAX_PAIRS) {
    throw new CoreError(
      'ERR_CORE_INVALID_INPUT',
      `pairs must be an integer from 2 to ${MONTE_CARLO_MAX_PAIRS}, got ${String(pairs)}`,
      'pairs',
    );
  }
}

/** Validates a run's inputs, as every Monte Carlo entry point does, and computes its setup. */
export function prepareMonteCarlo(
  option: OptionSpec,
  market: MarketInputs,
  options: MonteCarloOptions,
): MonteCarloSetup {
  validateInputs(option, market);
  // An American call on a stock paying no dividend, with a non-negative rate, is never exercised early: its value
  // is the European value (Merton 1973; Hull, "Options, Futures, and Other Derivatives", 8th ed., 11.5), so the
  // European simulation prices it. Every other American contract keeps its refusal.
  if (!(option.exercise === 'american' && option.type === 'call' && market.dividendYield === 0 && market.rate >= 0)) {
    requireExercise(option, ['european'], MONTE_CARLO_MODEL);
  }
  requireSeed(options.seed, 'seed');
  const stream = requireStream(options.stream ?? 0, 'stream');
  const totalPairs = options.pairs ?? MONTE_CARLO_DEFAULT_PAIRS;
  checkMonteCarloPairs(totalPairs);

  const { spot, rate, dividendYield, volatility } = market;
  const expiry = option.expiry;
  const totalVolatility = volatility * Math.sqrt(expiry);
  if (!(totalVolatility <= MAX_TOTAL_VOLATILITY)) {
    throw new CoreError(
      'ERR_CORE_INVALID_INPUT',
      `volatility * sqrt(expiry) must be at most ${MAX_TOTAL_VOLATILITY} for Monte Carlo, got ${totalVolatility}`,
      'volatility',
    );
  }
  const drift = rate - dividendYield - 0.5 * volatility * volatility;
  const upExpiry = expiry * (1 + THETA_RELATIVE_BUMP);
  const downExpiry = expiry * (1 - THETA_RELATIVE_BUMP);
  const [k0, k1] = splitWords64(options.seed);
  const [s0, s1] = splitWords64(stream);
  const setup: MonteCarloSetup = {
    isCall: option.type === 'call',
    spot,
    strike: option.strike,
    expiry,
    volatility,
    totalPairs,
    greeks: options.greeks ?? true,
    k0,
    k1,
    s0,
    s1,
    forwardFactor: spot * Math.exp(drift * expiry),
    totalVolatility,
    halfDiscount: 0.5 * Math.exp(-rate * expiry),
    upForwardFactor: spot * Math.exp(drift * upExpiry),
    upTotalVolatility: volatility * Math.sqrt(upExpiry),
    upHalfDiscount: 0.5 * Math.exp(-rate * upExpiry),
    downForwardFactor: spot * Math.exp(drift * downExpiry),
    downTotalVolatility: volatility * Math.sqrt(downExpiry),
    downHalfDiscount: 0.5 * Math.exp(-rate * downExpiry),
    thetaWidth: upExpiry - downExpiry,
  };
  for (const value of [
    setup.forwardFactor,
    setup.halfDiscount,
    setup.upForwardFactor,
    setup.upHalfDiscount,
    setup.downForwardFactor,
    setup.downHalfDiscount,
  ]) {
    if (!Number.isFinite(value)) {
      throw new CoreError(
        'ERR_CORE_INVALID_INPUT',
        'spot, rate, dividend yield and expiry put the forward or the discount factor outside the double range',
        'rate',
      );
    }
  }
  return setup;
}

/**
 * One canonical block, as a few passes over typed arrays (normals; exponentials; payoffs and greeks; moments).
 * Each pass is a self-contained loop, which keeps its speed independent of V8's inlining decisions.
 */
function simulateBlock(setup: MonteCarloSetup, block: number, scratch: Scratch): MonteCarloBlockPartial {
  const first = block * MONTE_CARLO_BLOCK_PAIRS;
  const count = Math.min(MONTE_CARLO_BLOCK_PAIRS, setup.totalPairs - first);
  const { normals, growth } = scratch;
  fillStandardNormalsFromWords(setup.k0, setup.k1, setup.s0, setup.s1, first, normals, count);
  scaleInto(growth, normals, setup.totalVolatility, count);
  portableExpInPlace(growth, count);
  if (setup.greeks) {
    scaleInto(scratch.growthLater, normals, setup.upTotalVolatility, count);
    portableExpInPlace(scratch.growthLater, count);
    scaleInto(scratch.growthSooner, normals, setup.downTotalVolatility, count);
    portableExpInPlace(scratch.growthSooner, count);
    accumulateWithGreeks(setup, normals, scratch, count);
  } else {
    accumulatePrice(setup, growth, count, scratch.samples[PRICE]!);
  }
  return monteCarloBlockPartial(
    setup,
    block,
    scratch.samples.map((samples) => sampleMoments(samples, count)),
  );
}

/** A block's partial from its moments, refused when the simulated payoffs overflowed. */
export function monteCarloBlockPartial(
  setup: MonteCarloSetup,
  block: number,
  moments: readonly SampleMoments[],
): MonteCarloBlockPartial {
  for (const m of moments) {
    if (!Number.isFinite(m.mean) || !Number.isFinite(m.m2)) {
      throw new CoreError(
        'ERR_CORE_INVALID_INPUT',
        'the simulated payoffs overflow the double range for these inputs',
        'spot',
      );
    }
  }
  return { block, totalPairs: setup.totalPairs, greeks: setup.greeks, moments };
}

function scaleInto(target: Float64Array, source: Float64Array, factor: number, count: number): void {
  for (let i = 0; i < count; i++) target[i] = factor * source[i]!;
}

/**
 * Discounted pair averages of the payoff from growth = e^{sigma sqrt(T) Z}: S_T(Z) = F growth and
 * S_T(-Z) = F / growth (one exponential per pair). The same expressions as accumulateWithGreeks, so prices
 * agree bit for bit with and without greeks.
 */
function accumulatePrice(setup: MonteCarloSetup, growth: Float64Array, count: number, price: Float64Array): void {
  const { forwardFactor, halfDiscount, strike } = setup;
  if (setup.isCall) {
    for (let i = 0; i < count; i++) {
      const up = forwardFactor * growth[i]!;
      const down = forwardFactor / growth[i]!;
      price[i] = halfDiscount * ((up > strike ? up - strike : 0) + (down > strike ? down - strike : 0));
    }
  } else {
    for (let i = 0; i < count; i++) {
      const up = forwardFactor * growth[i]!;
      const down = forwardFactor / growth[i]!;
      price[i] = halfDiscount * ((up < strike ? strike - up : 0) + (down < strike ? strike - down : 0));
    }
  }
}

/** Below this |sigma sqrt(T) Z| the antithetic difference S_T(Z) - S_T(-Z) is taken from the sinh series. */
const SINH_SERIES_LIMIT = 1e-2;

function accumulateWithGreeks(setup: MonteCarloSetup, normals: Float64Array, scratch: Scratch, count: number): void {
  const { forwardFactor, totalVolatility, halfDiscount, strike, spot, expiry, volatility, isCall } = setup;
  const { upForwardFactor, upHalfDiscount, downForwardFactor, downHalfDiscount, thetaWidth } = setup;
  const { growth: growths, growthLater, growthSooner, samples } = scratch;
  const price = samples[PRICE]!;
  const delta = samples[DELTA]!;
  const gamma = samples[GAMMA]!;
  const theta = samples[THETA]!;
  const vega = samples[VEGA]!;
  const rho = samples[RHO]!;
  const sqrtExpiry = Math.sqrt(expiry);
  const varianceTime = volatility * expiry; // sigma T
  const sign = isCall ? 1 : -1;
  for (let i = 0; i < count; i++) {
    const z = normals[i]!;
    const exponent = totalVolatility * z;
    const growth = growths[i]!;
    const up = forwardFactor * growth;
    const down = forwardFactor / growth;
    // Payoff slopes in S_T: 1 / -1 in the money for a call / put, else 0.
    const wUp = (isCall ? up > strike : up < strike) ? sign : 0;
    const wDown = (isCall ? down > strike : down < strike) ? sign : 0;
    const payoffs = isCall
      ? (up > strike ? up - strike : 0) + (down > strike ? down - strike : 0)
      : (up < strike ? strike - up : 0) + (down < strike ? strike - down : 0);
    const value = halfDiscount * payoffs;
    price[i] = value;

    const slopeSum = halfDiscount * (wUp * up + wDown * down);
    delta[i] = slopeSum / spot;
    rho[i] = expiry * (slopeSum - value);

    if (wUp === wDown) {
      if (wUp === 0) {
        gamma[i] = 0;
        vega[i] = 0;
      } else {
        // (S_T(Z) - S_T(-Z)) / (sigma sqrt T) = 2 F sinh(x) / (sigma sqrt T), x = sigma sqrt(T) Z.
        const differenceOverVol =
          Math.abs(exponent) < SINH_SERIES_LIMIT
            ? 2 *
              forwardFactor *
              z *
              (1 + ((exponent * exponent) / 6) * (1 + ((exponent * exponent) / 20) * (1 + (exponent * exponent) / 42)))
            : (up - down) / totalVolatility;
        const core = z * differenceOverVol - (up + down);
        gamma[i] = (halfDiscount * wUp * core) / spot / spot;
        vega[i] = halfDiscount * wUp * varianceTime * core;
      }
    } else {
      const ratio = z / totalVolatility;
      gamma[i] = (halfDiscount * (wUp * up * (ratio - 1) + wDown * down * (-ratio - 1))) / spot / spot;
      vega[i] =
        halfDiscount * (wUp * up * (sqrtExpiry * z - varianceTime) + wDown * down * (-sqrtExpiry * z - varianceTime));
    }

    const growthUp = growthLater[i]!;
    const upUp = upForwardFactor * growthUp;
    const upDown = upForwardFactor / growthUp;
    const growthDown = growthSooner[i]!;
    const downUp = downForwardFactor * growthDown;
    const downDown = downForwardFactor / growthDown;
    const valueLater =
      upHalfDiscount *
      (isCall
        ? (upUp > strike ? upUp - strike : 0) + (upDown > strike ? upDown - strike : 0)
        : (upUp < strike ? strike - upUp : 0) + (upDown < strike ? strike - upDown : 0));
    const valueSooner =
      downHalfDiscount *
      (isCall
        ? (downUp > strike ? downUp - strike : 0) + (downDown > strike ? downDown - strike : 0)
        : (downUp < strike ? strike - downUp : 0) + (downDown < strike ? strike - downDown : 0));
    // dV/dt = -dV/dT.
    theta[i] = (valueSooner - valueLater) / thetaWidth;
  }
}

function checkPartials(partials: readonly MonteCarloBlockPartial[]): MonteCarloBlockPartial[] {
  const refuse = (why: string): never => {
    throw new CoreError(
      'ERR_CORE_INVALID_INPUT',
      `Monte Carlo partials do not form one complete run: ${why}`,
      'partials',
    );
  };
  if (!Array.isArray(partials) || partials.length === 0) refuse('no partials');
  const ordered = [...partials].sort((a, b) => a.block - b.block);
  const { totalPairs, greeks } = ordered[0]!;
  if (!Number.isSafeInteger(totalPairs) || totalPairs < 2) refuse(`totalPairs ${String(totalPairs)}`);
  const blocks = monteCarloBlockCount(totalPairs);
  if (ordered.length !== blocks) refuse(`${ordered.length} blocks for ${totalPairs} pairs, expected ${blocks}`);
  const quantities = greeks ? 6 : 1;
  ordered.forEach((partial, index) => {
    if (partial.block !== index) refuse(`block ${index} is missing or repeated`);
    if (partial.totalPairs !== totalPairs || partial.greeks !== greeks) refuse(`block ${index} belongs to another run`);
    const expected = Math.min(MONTE_CARLO_BLOCK_PAIRS, totalPairs - index * MONTE_CARLO_BLOCK_PAIRS);
    if (partial.moments.length !== quantities || partial.moments.some((m) => m.count !== expected)) {
      refuse(`block ${index} has the wrong shape`);
    }
  });
  return ordered;
}
