import { CoreError } from './errors.js';
import type { OptionSpec } from './instruments/option-spec.js';
import type { MarketInputs } from './market/market-inputs.js';

/** Throws ERR_CORE_INVALID_INPUT naming `param` unless `value` is a finite number. */
export function requireFinite(value: number, param: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new CoreError('ERR_CORE_INVALID_INPUT', `${param} must be a finite number, got ${String(value)}`, param);
  }
}

/** Throws ERR_CORE_INVALID_INPUT naming `param` unless `value` is a finite number > 0. */
export function requirePositive(value: number, param: string): void {
  requireFinite(value, param);
  if (!(value > 0)) {
    throw new CoreError('ERR_CORE_INVALID_INPUT', `${param} must be greater than 0, got ${String(value)}`, param);
  }
}

/** Throws ERR_CORE_INVALID_INPUT naming `param` unless `value` is a finite number >= 0. */
export function requireNonNegative(value: number, param: string): void {
  requireFinite(value, param);
  if (!(value >= 0)) {
    throw new CoreError('ERR_CORE_INVALID_INPUT', `${param} must be at least 0, got ${String(value)}`, param);
  }
}

/**
 * The shared domain check for every engine: spot, strike, expiry and volatility strictly positive and
 * finite; rate and dividend yield finite (either sign); type and exercise from their unions.
 */
export function validateInputs(option: OptionSpec, market: MarketInputs): void {
  requireContractAndMarket(option, market, true);
  requireExerciseStyle(option);
}

/**
 * What an implied-volatility quote must satisfy before any inversion: a finite price >= 0, then validateInputs'
 * checks except the volatility (the unknown) and the exercise style (each solver decides which it inverts).
 */
export function validateQuoteInputs(price: number, option: OptionSpec, market: Omit<MarketInputs, 'volatility'>): void {
  requireFinite(price, 'price');
  if (price < 0) throw new CoreError('ERR_CORE_INVALID_INPUT', `price must be at least 0, got ${price}`, 'price');
  requireContractAndMarket(option, market, false);
}

/** Throws ERR_CORE_INVALID_INPUT unless the exercise style is "european" or "american". */
export function requireExerciseStyle(option: OptionSpec): void {
  if (option.exercise !== 'european' && option.exercise !== 'american') {
    throw new CoreError('ERR_CORE_INVALID_INPUT', `exercise must be "european" or "american", got ${String(option.exercise)}`, 'exercise');
  }
}

/** In this order, so every caller names the same first offending field: spot, strike, expiry, volatility, rate, dividend yield, type. */
function requireContractAndMarket(option: OptionSpec, market: Omit<MarketInputs, 'volatility'> & { volatility?: number }, withVolatility: boolean): void {
  requirePositive(market.spot, 'spot');
  requirePositive(option.strike, 'strike');
  requirePositive(option.expiry, 'expiry');
  if (withVolatility) requirePositive(market.volatility as number, 'volatility');
  requireFinite(market.rate, 'rate');
  requireFinite(market.dividendYield, 'dividendYield');
  if (option.type !== 'call' && option.type !== 'put') {
    throw new CoreError('ERR_CORE_INVALID_INPUT', `type must be "call" or "put", got ${String(option.type)}`, 'type');
  }
}

/** Throws ERR_CORE_UNSUPPORTED_EXERCISE when `model` cannot price `option.exercise`. */
export function requireExercise(option: OptionSpec, allowed: readonly OptionSpec['exercise'][], model: string): void {
  if (!allowed.includes(option.exercise)) {
    throw new CoreError('ERR_CORE_UNSUPPORTED_EXERCISE', `${model} does not price ${option.exercise} options`, 'exercise');
  }
}
