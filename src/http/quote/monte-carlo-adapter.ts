import type { OptionSpec } from '../../core/instruments/option-spec.js';
import type { MarketInputs } from '../../core/market/market-inputs.js';
import type { AbortSignalLike } from '../../pool/pricing-pool.js';
import type { NormalisedQuote } from './normalise.js';
import { invalidRequest } from './quote-error.js';
import { MAX_PATHS_PER_QUOTE } from './cost-guards.js';
import { priceOnPool, type QuoteNumbers, type QuotePool } from './quote-pool.js';

/**
 * Every Monte Carlo call of the quote API goes through this module, so that moving to a richer Monte Carlo core
 * (control variates, Sobol, Longstaff-Schwartz, estimator greeks with errors) is a change here only.
 *
 * Today's core offers one estimator: exact terminal GBM in antithetic pairs (Philox4x32-10, seeded), European
 * exercise, greeks by pathwise and likelihood-ratio estimators, the price's standard error. What the request may ask
 * beyond that is refused with 400 naming the field (refusals()), never silently ignored; /version's flags say the same.
 */

export const MONTE_CARLO_CAPABILITIES = {
  /** Antithetic pairs are always on: antithetic: false cannot be honoured. */
  antitheticOptional: false,
  controlVariates: false,
  quasiRandom: false,
  stratified: false,
  americanExercise: false,
} as const;

export const DEFAULT_PATHS = 20_000;

/** How today's estimator obtains each greek (the core's model description of monte_carlo_20k). */
export const GREEK_METHODS = {
  delta: 'pathwise',
  gamma: 'likelihood-ratio/pathwise',
  vega: 'pathwise',
  theta: 'bump with common random numbers',
  rho: 'pathwise',
} as const;
const CONFIDENCE_Z_95 = 1.959963984540054;

/** The 400 for an option this build's Monte Carlo cannot honour, or null. */
export function monteCarloRefusal(quote: NormalisedQuote): Error | null {
  const p = quote.model.params;
  if (p.antithetic === false && !MONTE_CARLO_CAPABILITIES.antitheticOptional) {
    return invalidRequest(['model', 'params', 'antithetic'], 'this build always simulates antithetic pairs; antithetic: false is not available');
  }
  if (p.use_cv === true && !MONTE_CARLO_CAPABILITIES.controlVariates) return invalidRequest(['model', 'params', 'use_cv'], 'control variates are not available in this build');
  if (p.use_qmc === true && !MONTE_CARLO_CAPABILITIES.quasiRandom) return invalidRequest(['model', 'params', 'use_qmc'], 'quasi-random (Sobol) sampling is not available in this build');
  if (quote.contract.exercise_style === 'american' && !MONTE_CARLO_CAPABILITIES.americanExercise) {
    return invalidRequest(['contract', 'exercise_style'], 'monte_carlo prices European exercise only in this build (no Longstaff-Schwartz); use binomial or leisen_reimer');
  }
  return null;
}

export interface MonteCarloPlan {
  /** Paths asked for (params.paths or the default), before the cost guard. */
  readonly requestedPaths: number;
  /** Paths of the first run: requested, clamped to the guard and to precision.max_paths. */
  readonly startPaths: number;
  readonly clamped: boolean;
  /** Most paths a precision target may grow to. */
  readonly ceilingPaths: number;
  readonly targetBps: number | null;
}

export function planMonteCarlo(quote: NormalisedQuote): MonteCarloPlan {
  const requestedPaths = quote.model.params.paths ?? DEFAULT_PATHS;
  const ceilingPaths = Math.min(quote.precision?.max_paths ?? MAX_PATHS_PER_QUOTE, MAX_PATHS_PER_QUOTE);
  const startPaths = Math.min(requestedPaths, ceilingPaths);
  return { requestedPaths, startPaths, clamped: requestedPaths > MAX_PATHS_PER_QUOTE, ceilingPaths, targetBps: quote.precision?.target_ci_bps ?? null };
}

/** The most paths a plan can run: what a batch's aggregate guard counts. */
export function plannedPathBudget(plan: MonteCarloPlan): number {
  return plan.targetBps === null ? plan.startPaths : plan.ceilingPaths;
}

export interface MonteCarloRun {
  readonly numbers: QuoteNumbers;
  readonly pathsUsed: number;
  readonly halfWidthAbs: number;
  readonly halfWidthBps: number | null;
  /** null without a precision target. */
  readonly targetMet: boolean | null;
  readonly vrPipeline: string;
}

function pairsFor(paths: number): number {
  return Math.floor(paths / 2);
}

export interface MonteCarloInputs {
  readonly option: OptionSpec;
  readonly market: MarketInputs;
  readonly seed: bigint;
  readonly greeks: boolean;
  readonly signal?: AbortSignalLike | (() => AbortSignalLike);
}

/**
 * Runs the plan: one run, or with a precision target, runs of doubling size from startPaths until the 95%
 * half-width in basis points of the price is at or under the target or the ceiling is reached. The stream of a
 * seed is a prefix of the same stream with more pairs, so every step is reproducible from the seed.
 */
export async function runMonteCarlo(pool: QuotePool, plan: MonteCarloPlan, inputs: MonteCarloInputs): Promise<MonteCarloRun> {
  let paths = plan.startPaths;
  for (;;) {
    const pairs = pairsFor(paths);
    const work = { model: 'monte_carlo_20k' as const, metricsModel: 'monte_carlo', greeks: inputs.greeks, option: inputs.option, market: inputs.market, seed: inputs.seed, pairs };
    const numbers = await priceOnPool(pool, work, inputs.signal);
    const halfWidthAbs = CONFIDENCE_Z_95 * (numbers.standardError ?? 0);
    const halfWidthBps = numbers.value > 0 ? (halfWidthAbs / numbers.value) * 10_000 : null;
    const met = plan.targetBps === null ? null : halfWidthBps !== null && halfWidthBps <= plan.targetBps;
    if (met === null || met || paths >= plan.ceilingPaths) {
      return { numbers, pathsUsed: 2 * pairs, halfWidthAbs, halfWidthBps, targetMet: met, vrPipeline: 'antithetic' };
    }
    paths = Math.min(plan.ceilingPaths, paths * 2);
  }
}
