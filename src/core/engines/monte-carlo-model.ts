import { CoreError } from '../errors.js';
import type { OptionSpec } from '../instruments/option-spec.js';
import type { MarketInputs } from '../market/market-inputs.js';
import type { Greeks } from '../results.js';
import { priceLongstaffSchwartz } from './longstaff-schwartz.js';
import { priceMonteCarloEuropean } from './monte-carlo-european.js';
import type { GreekMethods } from './monte-carlo-greeks.js';

/**
 * One entry point for a caller that speaks the quote API's vocabulary (model.params and precision): European
 * contracts go to the tunable estimator (monte-carlo-european.ts), American ones to Longstaff-Schwartz
 * (longstaff-schwartz.ts). The result is plain data (no bigint), safe to post across worker threads.
 */
export interface MonteCarloModelParams {
  readonly seed: bigint;
  readonly stream?: bigint | number;
  /** Paths (1,000 to 1,000,000; default 20,000): the starting size when a precision target is set. */
  readonly paths?: number;
  /** Longstaff-Schwartz exercise dates (default 64); ignored for European contracts. */
  readonly steps?: number;
  readonly antithetic?: boolean;
  readonly useControlVariate?: boolean;
  readonly useQuasiRandom?: boolean;
  /** Sobol scramblings (default 128) when useQuasiRandom. */
  readonly scramblings?: number;
  readonly targetCiBps?: number;
  readonly maxPaths?: number;
  readonly greeks?: boolean;
}

export interface MonteCarloModelResult {
  readonly value: number;
  readonly standardError: number;
  /** 95% half-width in price units, and in basis points of the price (null at a zero price). */
  readonly halfWidthAbs: number;
  readonly halfWidthBps: number | null;
  /** halfWidthAbs / standardError: 1.96 for pseudo-random runs, Student t over the scramblings for Sobol. */
  readonly criticalValue: number;
  readonly pathsUsed: number;
  /** null without a precision target. */
  readonly targetMet: boolean | null;
  /** What was applied: "antithetic", "cv", "qmc" joined with "+", "lsm" for American, or "baseline". */
  readonly vrPipeline: string;
  readonly greeks: Greeks | null;
  readonly greekStandardErrors: Greeks | null;
  readonly greekMethods: GreekMethods | null;
  readonly model: 'monte_carlo' | 'longstaff_schwartz';
}

export function priceMonteCarloModel(
  option: OptionSpec,
  market: MarketInputs,
  params: MonteCarloModelParams,
): MonteCarloModelResult {
  return requireFiniteStatistics(
    option.exercise === 'american' ? priceAmerican(option, market, params) : priceEuropean(option, market, params),
  );
}

/**
 * Every number of the result finite, or a CoreError naming the one that is not. A price can be finite while its
 * statistics are not: at a strike of 1e300 the payoffs are finite and their squares overflow, so the standard
 * error, the interval and the greeks' errors are Infinity, which no answer can carry.
 */
function requireFiniteStatistics(result: MonteCarloModelResult): MonteCarloModelResult {
  const check = (name: string, value: number | null): void => {
    if (value !== null && !Number.isFinite(value))
      throw new CoreError(
        'ERR_CORE_INVALID_INPUT',
        `${result.model} gives a non-finite ${name} (${value}) for these inputs: outside what it can compute`,
      );
  };
  check('price', result.value);
  check('standard error', result.standardError);
  check('confidence half-width', result.halfWidthAbs);
  check('confidence half-width in basis points', result.halfWidthBps);
  for (const [set, label] of [
    [result.greeks, ''],
    [result.greekStandardErrors, ' standard error'],
  ] as const) {
    if (set === null) continue;
    for (const [greek, value] of Object.entries(set)) check(`${greek}${label}`, value);
  }
  return result;
}

function priceEuropean(option: OptionSpec, market: MarketInputs, params: MonteCarloModelParams): MonteCarloModelResult {
  const r = priceMonteCarloEuropean(option, market, {
    seed: params.seed,
    ...(params.stream === undefined ? {} : { stream: params.stream }),
    ...(params.paths === undefined ? {} : { paths: params.paths }),
    antithetic: params.antithetic ?? false,
    controlVariate: params.useControlVariate ?? false,
    sampler: params.useQuasiRandom === true ? 'sobol' : 'pseudo-random',
    ...(params.scramblings === undefined ? {} : { scramblings: params.scramblings }),
    ...(params.targetCiBps === undefined ? {} : { targetCiBps: params.targetCiBps }),
    ...(params.maxPaths === undefined ? {} : { maxPaths: params.maxPaths }),
    greeks: params.greeks ?? true,
  });
  const pipeline = [
    r.antithetic ? 'antithetic' : '',
    r.controlVariate ? 'cv' : '',
    r.sampler === 'sobol' ? 'qmc' : '',
  ].filter((s) => s !== '');
  return {
    value: r.value,
    standardError: r.standardError,
    halfWidthAbs: r.halfWidth,
    halfWidthBps: r.value !== 0 ? (r.halfWidth / Math.abs(r.value)) * 1e4 : null,
    criticalValue: r.criticalValue,
    pathsUsed: r.paths,
    targetMet: r.precision === null ? null : r.precision.met,
    vrPipeline: pipeline.length > 0 ? pipeline.join('+') : 'baseline',
    greeks: r.greeks,
    greekStandardErrors: r.greekStandardErrors,
    greekMethods: r.greekMethods,
    model: 'monte_carlo',
  };
}

const Z_95 = 1.959963984540054;

/**
 * Longstaff-Schwartz with the same precision loop: the regression set is fixed at the starting size and the
 * pricing set doubles (its paths are a prefix-stable stream, so a longer run extends the shorter one).
 */
function priceAmerican(option: OptionSpec, market: MarketInputs, params: MonteCarloModelParams): MonteCarloModelResult {
  for (const [flag, field] of [
    [params.antithetic, 'antithetic'],
    [params.useControlVariate, 'use_cv'],
    [params.useQuasiRandom, 'use_qmc'],
  ] as const) {
    if (flag === true)
      throw new CoreError(
        'ERR_CORE_INVALID_INPUT',
        `${field} is not available for American exercise (Longstaff-Schwartz)`,
        field,
      );
  }
  const start = params.paths ?? 20_000;
  const target = params.targetCiBps;
  if (target !== undefined && (typeof target !== 'number' || !Number.isFinite(target) || target <= 0)) {
    throw new CoreError(
      'ERR_CORE_INVALID_INPUT',
      `targetCiBps must be a positive number, got ${String(target)}`,
      'targetCiBps',
    );
  }
  const maxPaths = target === undefined ? start : (params.maxPaths ?? 1_000_000);
  if (target !== undefined && !(Number.isSafeInteger(maxPaths) && maxPaths >= start && maxPaths <= 1_000_000)) {
    throw new CoreError(
      'ERR_CORE_INVALID_INPUT',
      `maxPaths must be an integer in [${start}, 1000000], got ${String(maxPaths)}`,
      'maxPaths',
    );
  }
  let paths = start;
  for (;;) {
    const r = priceLongstaffSchwartz(option, market, {
      seed: params.seed,
      ...(params.stream === undefined ? {} : { stream: params.stream }),
      paths,
      regressionPaths: start,
      ...(params.steps === undefined ? {} : { exerciseDates: params.steps }),
    });
    const halfWidthAbs = Z_95 * r.standardError;
    const halfWidthBps = r.value !== 0 ? (halfWidthAbs / Math.abs(r.value)) * 1e4 : null;
    const met = target === undefined ? null : halfWidthBps === null || halfWidthBps <= target;
    if (met === null || met || paths >= maxPaths) {
      return {
        value: r.value,
        standardError: r.standardError,
        halfWidthAbs,
        halfWidthBps,
        criticalValue: Z_95,
        pathsUsed: paths,
        targetMet: met,
        vrPipeline: 'lsm',
        greeks: null,
        greekStandardErrors: null,
        greekMethods: null,
        model: 'longstaff_schwartz',
      };
    }
    paths = Math.min(2 * paths, maxPaths);
  }
}
