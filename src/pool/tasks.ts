/**
 * What crosses the worker-thread boundary, in the core's own vocabulary: a task is a model, a greeks flag and
 * items of (OptionSpec, MarketInputs, seed); an outcome is the core's PriceResult or a typed failure. Plain data
 * only (structured-clone safe; bigint is fine, class instances and functions are not).
 */
import type { CoreErrorCode } from '../core/errors.js';
import type { OptionSpec } from '../core/instruments/option-spec.js';
import type { MarketInputs } from '../core/market/market-inputs.js';
import type { ModelName } from '../core/models.js';
import type { PriceResult } from '../core/results.js';
import type { MonteCarloModelResult } from '../core/engines/monte-carlo-model.js';

/** One contract to price: exactly the arguments of priceOption (src/core/models.ts). */
export interface PriceItem {
  readonly option: OptionSpec;
  /** The market including the volatility to price with (the request's, or the surface's estimate for this contract). */
  readonly market: MarketInputs;
  /** For models that need one (monte_carlo_20k): this contract's child seed, derived from the request's root seed and its index. */
  readonly seed?: bigint;
}

export interface PriceTask {
  readonly kind: 'price';
  readonly model: ModelName;
  readonly greeks: boolean;
  readonly items: readonly PriceItem[];
  /** Tree models: steps instead of the model's default (the quote API's model parameters). */
  readonly steps?: number;
  /** monte_carlo_20k: antithetic pairs instead of 10,000. */
  readonly pairs?: number;
  /**
   * The `model` label of ope_model_* when steps or pairs make the work something other than the named model (the
   * quote API's families: "binomial", "monte_carlo"), so a 10,000-step tree is not timed as binomial_200.
   */
  readonly metricsModel?: string;
  /**
   * monte_carlo_20k only: price each item with the tunable Monte Carlo (priceMonteCarloModel, European estimator
   * or Longstaff-Schwartz by exercise style) instead of the fixed v1 estimator; every item needs its seed.
   */
  readonly monteCarlo?: MonteCarloTaskParams;
}

/** The quote API's Monte Carlo options, in the core's vocabulary (MonteCarloModelParams without seed and greeks). */
export interface MonteCarloTaskParams {
  readonly paths: number;
  /** Longstaff-Schwartz exercise dates; absent: the core's default. */
  readonly steps?: number;
  readonly antithetic?: boolean;
  readonly useControlVariate: boolean;
  readonly useQuasiRandom: boolean;
  readonly targetCiBps?: number;
  readonly maxPaths?: number;
}

/** One quoted price to invert. */
export interface QuoteItem {
  readonly option: OptionSpec;
  readonly market: Omit<MarketInputs, 'volatility'>;
  readonly price: number;
}

export interface ImpliedVolTask {
  readonly kind: 'implied-volatility';
  /** The model inverted for American quotes; European quotes always invert Black-Scholes. */
  readonly americanModel: ModelName;
  readonly items: readonly QuoteItem[];
}

/** The code of one item's failure: the core's refusal, or an exception the core did not anticipate. */
export type ItemFailureCode = CoreErrorCode | 'ERR_POOL_WORKER_FAILED';

export interface ItemFailure {
  readonly code: ItemFailureCode;
  readonly message: string;
  /** The core's parameter name at fault, when known. */
  readonly param: string | null;
}

export interface PricedItem {
  readonly ok: true;
  readonly result: PriceResult;
  /** Tasks with monteCarlo: the tunable estimator's full result (interval, paths used, greek errors and methods). */
  readonly monteCarlo?: MonteCarloModelResult;
  /** Wall time spent pricing this item inside the worker, in seconds. */
  readonly seconds: number;
}

export interface FailedItem extends ItemFailure {
  readonly ok: false;
  readonly seconds: number;
}

export type PriceOutcome = PricedItem | FailedItem;

export interface ImpliedVolSolved {
  readonly ok: true;
  readonly volatility: number;
  readonly iterations: number;
}

export interface ImpliedVolFailed extends ItemFailure {
  readonly ok: false;
}

export type ImpliedVolOutcome = ImpliedVolSolved | ImpliedVolFailed;

export type PoolTask = PriceTask | ImpliedVolTask;

export type TaskResult<T> = T extends PriceTask
  ? PriceOutcome[]
  : T extends ImpliedVolTask
    ? ImpliedVolOutcome[]
    : never;
