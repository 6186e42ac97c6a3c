import type { OptionSpec } from '../../core/instruments/option-spec.js';
import type { MarketInputs } from '../../core/market/market-inputs.js';
import type { ModelName } from '../../core/models.js';
import type { AbortSignalLike, PricingPool } from '../../pool/pricing-pool.js';
import type { MonteCarloModelResult } from '../../core/engines/monte-carlo-model.js';
import type { MonteCarloTaskParams, PriceTask } from '../../pool/tasks.js';
import type { RawGreeks } from '../units.js';
import type { Mutable } from './normalise.js';
import { QuoteApiError } from './quote-error.js';

/**
 * The quote API's only touch point with the pricing pool (the same pool, admission, placement and metrics as v1):
 * one contract, in the core's vocabulary, in; its numbers out. The pool's task format stays behind this module.
 */

export type QuotePool = Pick<PricingPool, 'run'>;

export interface QuoteWork {
  readonly model: ModelName;
  /** The model label of ope_model_* when steps or pairs make the work differ from the named model. */
  readonly metricsModel?: string;
  readonly greeks: boolean;
  readonly option: OptionSpec;
  /** Including the volatility to price with. */
  readonly market: MarketInputs;
  /** Monte Carlo only. */
  readonly seed: bigint | null;
  /** Tree models: steps instead of the model's default. */
  readonly steps?: number;
  /** Monte Carlo: antithetic pairs instead of 10,000. */
  readonly pairs?: number;
  /** Monte Carlo: the tunable estimator's options (model.params and precision); seed required. */
  readonly monteCarlo?: MonteCarloTaskParams;
}

export interface QuoteNumbers {
  readonly value: number;
  /** Raw units (src/core/results.ts); null members when greeks were not asked for. */
  readonly greeks: RawGreeks;
  /** Monte Carlo: the price's standard error; null elsewhere. */
  readonly standardError: number | null;
  /** Work with monteCarlo: the tunable estimator's full result. */
  readonly monteCarlo?: MonteCarloModelResult;
}

/** Core parameter names -> the request field that carries the value. */
const FIELD_OF_PARAM: Readonly<Record<string, readonly string[]>> = {
  strike: ['contract', 'strike_price'],
  expiry: ['contract', 'time_to_expiry'],
  type: ['contract', 'option_type'],
  exercise: ['contract', 'exercise_style'],
  spot: ['market', 'spot_price'],
  rate: ['market', 'risk_free_rate'],
  dividendYield: ['market', 'dividend_yield'],
  volatility: ['volatility'],
  steps: ['model', 'params', 'steps'],
  pairs: ['model', 'params', 'paths'],
  paths: ['model', 'params', 'paths'],
  exerciseDates: ['model', 'params', 'steps'],
  antithetic: ['model', 'params', 'antithetic'],
  use_cv: ['model', 'params', 'use_cv'],
  use_qmc: ['model', 'params', 'use_qmc'],
  targetCiBps: ['precision', 'target_ci_bps'],
  maxPaths: ['precision', 'max_paths'],
};

function taskFor(work: QuoteWork): PriceTask {
  const task: Mutable<PriceTask> = {
    kind: 'price',
    model: work.model,
    greeks: work.greeks,
    items: [
      work.seed === null
        ? { option: work.option, market: work.market }
        : { option: work.option, market: work.market, seed: work.seed },
    ],
  };
  // Assigned, not spread in: one task per quote (docs/api.md, "Performance").
  if (work.steps !== undefined) task.steps = work.steps;
  if (work.pairs !== undefined) task.pairs = work.pairs;
  if (work.monteCarlo !== undefined) task.monteCarlo = work.monteCarlo;
  if (work.metricsModel !== undefined) task.metricsModel = work.metricsModel;
  return task;
}

/**
 * Prices one contract on the pool. A contract the core refuses is the client's: 400 invalid_request naming the
 * field (never a price of 0). Anything else is ours and surfaces as a 500 through the v1 error handler.
 */
export async function priceOnPool(
  pool: QuotePool,
  work: QuoteWork,
  signal?: AbortSignalLike | (() => AbortSignalLike),
): Promise<QuoteNumbers> {
  const [outcome] = await pool.run(taskFor(work), signal === undefined ? {} : { signal });
  if (outcome === undefined) throw new Error('the pricing pool returned no outcome');
  if (outcome.ok) {
    const { value, greeks, diagnostics } = outcome.result;
    return {
      value,
      greeks: {
        delta: greeks?.delta ?? null,
        gamma: greeks?.gamma ?? null,
        theta: greeks?.theta ?? null,
        vega: greeks?.vega ?? null,
        rho: greeks?.rho ?? null,
      },
      standardError: diagnostics.standardError ?? null,
      ...(outcome.monteCarlo === undefined ? {} : { monteCarlo: outcome.monteCarlo }),
    };
  }
  if (outcome.code !== 'ERR_POOL_WORKER_FAILED') {
    const loc = outcome.param === null ? [] : (FIELD_OF_PARAM[outcome.param] ?? [outcome.param]);
    throw new QuoteApiError(400, [{ loc: ['body', ...loc], msg: outcome.message, type: 'invalid_request' }]);
  }
  throw new Error(`pricing failed: ${outcome.code}: ${outcome.message}`);
}
