/**
 * Task DTOs that cross the worker-thread boundary: plain data only (structured-clone safe; bigint is fine,
 * class instances and functions are not). The HTTP layer builds them, a worker runs them against src/core.
 */
import type { ExerciseStyle, OptionType } from '../core/instruments/option-spec.js';
import type { ModelName } from '../core/models.js';

export interface ContractDto {
  readonly type: OptionType;
  readonly strike: number;
  readonly expiry: number;
  readonly exercise: ExerciseStyle;
  /** The volatility to price with (request value or the surface's estimate for this contract). */
  readonly volatility: number;
  /** monte_carlo_20k: this contract's child seed (derived from the request's root seed and its index); null elsewhere. */
  readonly seed: bigint | null;
}

export interface MarketDto {
  readonly spot: number;
  readonly rate: number;
  readonly dividendYield: number;
}

export interface PriceTask {
  readonly kind: 'price';
  readonly model: ModelName;
  readonly greeks: boolean;
  readonly market: MarketDto;
  readonly contracts: readonly ContractDto[];
  /** Tree models: steps instead of the model's default (the quote API's model parameters). */
  readonly steps?: number;
  /** monte_carlo_20k: antithetic pairs instead of 10,000. */
  readonly pairs?: number;
  /**
   * The `model` label of ope_model_* when steps or pairs make the work something other than the named model (the
   * quote API's families: "binomial", "monte_carlo"), so a 10,000-step tree is not timed as binomial_200.
   */
  readonly metricsModel?: string;
}

export interface QuoteDto {
  readonly type: OptionType;
  readonly strike: number;
  readonly expiry: number;
  readonly exercise: ExerciseStyle;
  readonly price: number;
}

export interface ImpliedVolTask {
  readonly kind: 'implied-volatility';
  /** The model inverted for American quotes; European quotes always invert Black-Scholes. */
  readonly americanModel: ModelName;
  readonly market: MarketDto;
  readonly quotes: readonly QuoteDto[];
}

/** Raw units as in src/core/results.ts; the HTTP layer converts to display units. */
export interface PricedContract {
  readonly ok: true;
  readonly value: number;
  readonly delta: number | null;
  readonly gamma: number | null;
  readonly theta: number | null;
  readonly vega: number | null;
  readonly rho: number | null;
  readonly standardError: number | null;
  readonly confidenceInterval: readonly [number, number] | null;
  /** Wall time spent pricing this contract inside the worker, in seconds. */
  readonly seconds: number;
}

export interface FailedContract {
  readonly ok: false;
  /** A CoreErrorCode, or ERR_POOL_WORKER_FAILED for an unexpected exception. */
  readonly code: string;
  readonly message: string;
  /** The core's parameter name at fault, when known. */
  readonly param: string | null;
  readonly seconds: number;
}

export type ContractOutcome = PricedContract | FailedContract;

export interface ImpliedVolOutcome {
  readonly volatility: number | null;
  readonly iterations: number;
  readonly code: string | null;
  readonly error: string | null;
}

export type TaskResult<T> = T extends PriceTask ? ContractOutcome[] : T extends ImpliedVolTask ? ImpliedVolOutcome[] : never;
