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
  requirePositive(market.spot, 'spot');
  requirePositive(option.strike, 'strike');
  requirePositive(option.expiry, 'expiry');
  requirePositive(market.volatility, 'volatility');
  requireFinite(market.rate, 'rate');
  requireFinite(market.dividendYield, 'dividendYield');
  if (option.type !== 'call' && option.type !== 'put') {
    throw new CoreError('ERR_CORE_INVALID_INPUT', `type must be "call" or "put", got ${String(option.type)}`, 'type');
  }
  if (option.exercise !== 'european' && option.exercise !== 'american') {
    throw new CoreError('ERR_CORE_INVALID_INPUT', `exercise must be "european" or "american", got ${String(option.exercise)}`, 'exercise');
  }
}

/** Throws ERR_CORE_UNSUPPORTED_EXERCISE when `model` cannot price `option.exercise`. */
export function requireExercise(option: OptionSpec, allowed: readonly OptionSpec['exercise'][], model: string): void {
  if (!allowed.includes(option.exercise)) {
    throw new CoreError('ERR_CORE_UNSUPPORTED_EXERCISE', `${model} does not price ${option.exercise} options`, 'exercise');
  }
}
