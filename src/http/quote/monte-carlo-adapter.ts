import type { OptionSpec } from '../../core/instruments/option-spec.js';
import type { MarketInputs } from '../../core/market/market-inputs.js';
import type { MonteCarloModelResult } from '../../core/engines/monte-carlo-model.js';
import { modelEntry } from '../../core/models.js';
import { DEFAULT_SOBOL_SCRAMBLINGS } from '../../core/engines/monte-carlo-european.js';
import type { QuoteConfidence, QuoteResponse } from '../../core/quote-api.js';
import type { AbortSignalLike } from '../../pool/pricing-pool.js';
import type { MonteCarloTaskParams } from '../../pool/tasks.js';
import { toDisplayGreeks } from '../units.js';
import type { NormalisedQuote } from './normalise.js';
import { MAX_PATHS_PER_QUOTE } from './cost-guards.js';
import { invalidRequest } from './quote-error.js';
import { priceOnPool, type QuoteNumbers, type QuotePool } from './quote-pool.js';
import { GREEK_NAMES } from './schemas.js';

/**
 * Every Monte Carlo call of the quote API goes through this module (docs/api.md, "Monte Carlo in this build"):
 * model.params and precision become the core's tunable Monte Carlo (priceMonteCarloModel: the European estimator
 * with antithetic pairs, control variates and scrambled Sobol, or Longstaff-Schwartz for American exercise), run
 * on the worker pool as one task; the precision loop is the core's. What the core refuses (an option it cannot
 * combine, such as control variates with American exercise) is a 400 naming the field.
 *
 * One exception, for speed: a plan asking for exactly what the v1 monte_carlo_20k model computes (European,
 * antithetic pairs, no control variate, no Sobol, no precision target, an even number of paths) is priced by that
 * model with pairs = paths / 2, on the WebAssembly kernel like v1 (docs/api.md, "Monte Carlo in this build"). The
 * kernel returns no greek standard errors, so that path has no ci_greeks; the route is chosen from the request
 * alone, so a capsule replays on the path that priced it.
 */

export const MONTE_CARLO_CAPABILITIES = {
  antitheticOptional: true,
  controlVariates: true,
  quasiRandom: true,
  stratified: false,
  americanExercise: true,
} as const;

export const DEFAULT_PATHS = 20_000;

export interface MonteCarloPlan {
  /** Paths asked for (params.paths or the default), before the cost guard. */
  readonly requestedPaths: number;
  /** Paths of the first run: requested, clamped to the guard and to precision.max_paths. */
  readonly startPaths: number;
  readonly clamped: boolean;
  /** Most paths a precision target may grow to. */
  readonly ceilingPaths: number;
  readonly targetBps: number | null;
  readonly american: boolean;
  /** Antithetic pairs: the request's choice; by default on for European exercise (as before the options existed), off for American. */
  readonly antithetic: boolean;
  readonly useControlVariate: boolean;
  readonly useQuasiRandom: boolean;
  /** Longstaff-Schwartz exercise dates when the request gives steps; null: the core's default (64). */
  readonly exerciseDates: number | null;
}

/** The core's default number of Longstaff-Schwartz exercise dates (src/core/engines/longstaff-schwartz.ts). */
export const DEFAULT_EXERCISE_DATES = 64;

export function planMonteCarlo(quote: NormalisedQuote): MonteCarloPlan {
  const params = quote.model.params;
  const american = quote.contract.exercise_style === 'american';
  const requestedPaths = params.paths ?? DEFAULT_PATHS;
  const ceilingPaths = Math.min(quote.precision?.max_paths ?? MAX_PATHS_PER_QUOTE, MAX_PATHS_PER_QUOTE);
  const startPaths = Math.min(requestedPaths, ceilingPaths);
  return {
    requestedPaths,
    startPaths,
    clamped: requestedPaths > MAX_PATHS_PER_QUOTE,
    ceilingPaths,
    targetBps: quote.precision?.target_ci_bps ?? null,
    american,
    antithetic: params.antithetic ?? !american,
    useControlVariate: params.use_cv ?? false,
    useQuasiRandom: params.use_qmc ?? false,
    exerciseDates: american ? (params.steps ?? null) : null,
  };
}

/** The most paths a plan can run: what a batch's aggregate guard counts (the precision ceiling when there is a target). */
export function plannedPathBudget(plan: MonteCarloPlan): number {
  return plan.targetBps === null ? plan.startPaths : Math.max(plan.startPaths, plan.ceilingPaths);
}

/** model_used.params of a Monte Carlo quote: every option that shaped the numbers, defaults included. */
export function monteCarloModelParams(plan: MonteCarloPlan): Record<string, number | boolean> {
  // Longstaff-Schwartz (American) lists its exercise dates; the European estimator simulates terminal values only.
  return {
    paths: plan.startPaths,
    antithetic: plan.antithetic,
    use_cv: plan.useControlVariate,
    use_qmc: plan.useQuasiRandom,
    ...(plan.useQuasiRandom ? { scramblings: DEFAULT_SOBOL_SCRAMBLINGS } : {}),
    ...(plan.american ? { steps: plan.exerciseDates ?? DEFAULT_EXERCISE_DATES } : {}),
  };
}

/** Whether the v1 monte_carlo_20k kernel computes exactly what the plan asks for (see the module comment). */
export function onKernelPath(plan: MonteCarloPlan): boolean {
  return (
    !plan.american &&
    plan.antithetic &&
    !plan.useControlVariate &&
    !plan.useQuasiRandom &&
    plan.targetBps === null &&
    plan.startPaths % 2 === 0
  );
}

function taskParams(plan: MonteCarloPlan): MonteCarloTaskParams {
  return {
    paths: plan.startPaths,
    antithetic: plan.antithetic,
    useControlVariate: plan.useControlVariate,
    useQuasiRandom: plan.useQuasiRandom,
    ...(plan.exerciseDates === null ? {} : { steps: plan.exerciseDates }),
    ...(plan.targetBps === null
      ? {}
      : { targetCiBps: plan.targetBps, maxPaths: Math.max(plan.startPaths, plan.ceilingPaths) }),
  };
}

export interface MonteCarloRun {
  readonly numbers: QuoteNumbers;
  readonly ci: QuoteConfidence;
  readonly ciGreeks: NonNullable<QuoteResponse['ci_greeks']> | undefined;
  readonly greeksMeta: NonNullable<QuoteResponse['greeks_meta']> | undefined;
}

export interface MonteCarloInputs {
  readonly option: OptionSpec;
  readonly market: MarketInputs;
  readonly seed: bigint;
  readonly greeks: boolean;
  /** Which greeks the response returns (their errors and methods are reported for those only). */
  readonly selected: Readonly<Record<(typeof GREEK_NAMES)[number], boolean>>;
  readonly signal?: AbortSignalLike | (() => AbortSignalLike);
}

/** Prices the plan on the pool (one task, the core's precision loop inside it) and shapes ci, ci_greeks, greeks_meta. */
export async function runMonteCarlo(
  pool: QuotePool,
  plan: MonteCarloPlan,
  inputs: MonteCarloInputs,
): Promise<MonteCarloRun> {
  return requireFiniteIntervals(
    onKernelPath(plan) ? await runOnKernel(pool, plan, inputs) : await runTunable(pool, plan, inputs),
  );
}

/**
 * The intervals are the standard errors times a critical value (about 2), written here: a standard error near the
 * largest double (spot 1e308) is finite and its interval is not. Such a quote is the client's to change, like any
 * input the core cannot compute: 400 invalid_request, never a 500 from the canonical writer.
 */
function requireFiniteIntervals(run: MonteCarloRun): MonteCarloRun {
  const widths: [string, number | null][] = [
    ['half_width_abs', run.ci.half_width_abs],
    ['half_width_bps', run.ci.half_width_bps ?? null],
  ];
  for (const [greek, interval] of Object.entries(run.ciGreeks ?? {}))
    widths.push([`${greek} half_width_abs`, interval.half_width_abs]);
  for (const [name, value] of widths) {
    if (value !== null && !Number.isFinite(value))
      throw invalidRequest(
        [],
        `monte_carlo gives a non-finite confidence ${name} (${value}) for these inputs: outside what it can compute`,
      );
  }
  return run;
}

async function runTunable(pool: QuotePool, plan: MonteCarloPlan, inputs: MonteCarloInputs): Promise<MonteCarloRun> {
  const work = {
    model: 'monte_carlo_20k' as const,
    metricsModel: 'monte_carlo',
    greeks: inputs.greeks,
    option: inputs.option,
    market: inputs.market,
    seed: inputs.seed,
    monteCarlo: taskParams(plan),
  };
  const numbers = await priceOnPool(pool, work, inputs.signal);
  const result = numbers.monteCarlo;
  if (result === undefined)
    throw new Error('the pricing pool returned a Monte Carlo price without its estimator result');
  const ci: QuoteConfidence = {
    half_width_abs: result.halfWidthAbs,
    half_width_bps: result.halfWidthBps,
    paths_used: result.pathsUsed,
    vr_pipeline: result.vrPipeline,
    ...(plan.clamped ? { paths_requested: plan.requestedPaths, paths_clamped: true } : {}),
    ...(result.targetMet === null ? {} : { target_ci_bps: plan.targetBps!, target_met: result.targetMet }),
  };
  return { numbers, ci, ...greekErrors(result, inputs.selected) };
}

const CONFIDENCE_Z_95 = 1.959963984540054;

/**
 * The v1 monte_carlo_20k model with pairs = paths / 2 (the kernel path): the price's standard error gives ci; greeks
 * carry the methods the v1 model list names; no ci_greeks (the kernel estimates no greek standard errors).
 */
async function runOnKernel(pool: QuotePool, plan: MonteCarloPlan, inputs: MonteCarloInputs): Promise<MonteCarloRun> {
  const pairs = plan.startPaths / 2;
  const work = {
    model: 'monte_carlo_20k' as const,
    metricsModel: 'monte_carlo',
    greeks: inputs.greeks,
    option: inputs.option,
    market: inputs.market,
    seed: inputs.seed,
    pairs,
  };
  const numbers = await priceOnPool(pool, work, inputs.signal);
  const pathsUsed = 2 * pairs;
  const halfWidthAbs = CONFIDENCE_Z_95 * (numbers.standardError ?? 0);
  const ci: QuoteConfidence = {
    half_width_abs: halfWidthAbs,
    half_width_bps: numbers.value > 0 ? (halfWidthAbs / numbers.value) * 10_000 : null,
    paths_used: pathsUsed,
    vr_pipeline: 'antithetic',
    ...(plan.clamped ? { paths_requested: plan.requestedPaths, paths_clamped: true } : {}),
  };
  if (!inputs.greeks) return { numbers, ci, ciGreeks: undefined, greeksMeta: undefined };
  const methods = modelEntry('monte_carlo_20k').greeks;
  const greeksMeta: NonNullable<QuoteResponse['greeks_meta']> = {};
  for (const name of GREEK_NAMES) {
    if (inputs.selected[name] && numbers.greeks[name] !== null)
      greeksMeta[name] = { method: methods[name], paths_used: pathsUsed };
  }
  return { numbers, ci, ciGreeks: undefined, greeksMeta };
}

/**
 * The returned greeks' standard errors and half-widths in the response's display units (the same scaling as the
 * greeks: theta per day, vega and rho per point), with the price's critical value (1.96 for pseudo-random runs,
 * Student t over the scramblings for Sobol), and how each was estimated. Longstaff-Schwartz returns no greeks.
 */
function greekErrors(
  result: MonteCarloModelResult,
  selected: MonteCarloInputs['selected'],
): Pick<MonteCarloRun, 'ciGreeks' | 'greeksMeta'> {
  if (result.greeks === null || result.greekStandardErrors === null || result.greekMethods === null)
    return { ciGreeks: undefined, greeksMeta: undefined };
  const critical = result.criticalValue;
  const errors = toDisplayGreeks(result.greekStandardErrors);
  const ciGreeks: NonNullable<QuoteResponse['ci_greeks']> = {};
  const greeksMeta: NonNullable<QuoteResponse['greeks_meta']> = {};
  for (const name of GREEK_NAMES) {
    const standardError = errors[name];
    if (!selected[name] || standardError === null) continue;
    ciGreeks[name] = { standard_error: standardError, half_width_abs: critical * standardError };
    greeksMeta[name] = { method: result.greekMethods[name], paths_used: result.pathsUsed };
  }
  return { ciGreeks, greeksMeta };
}
