/**
 * Every way the numerical core can refuse to produce a number. Codes are a literal union so callers can
 * `switch` on them; `param` names the offending input so the HTTP layer can point at the request field.
 */
export type CoreErrorCode =
  /** A parameter is NaN, infinite, or outside its domain (e.g. a non-positive spot). */
  | 'ERR_CORE_INVALID_INPUT'
  /** The model does not price this exercise style (e.g. monte_carlo_20k for an American option). */
  | 'ERR_CORE_UNSUPPORTED_EXERCISE'
  /** Unknown model name. */
  | 'ERR_CORE_UNKNOWN_MODEL'
  /** Implied volatility: the price is below the lower no-arbitrage bound (intrinsic value). */
  | 'ERR_CORE_PRICE_BELOW_INTRINSIC'
  /** Implied volatility: the price is at or above the upper no-arbitrage bound. */
  | 'ERR_CORE_PRICE_ABOVE_MAXIMUM'
  /** An iterative method did not reach its tolerance within its iteration budget. */
  | 'ERR_CORE_NO_CONVERGENCE';

export class CoreError extends Error {
  override readonly name = 'CoreError';
  readonly code: CoreErrorCode;
  /** The name of the input at fault, in the core's vocabulary (spot, strike, expiry, volatility, rate, dividendYield, price, seed, ...). */
  readonly param: string | undefined;

  constructor(code: CoreErrorCode, message: string, param?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.param = param;
  }
}

export function isCoreError(value: unknown): value is CoreError {
  return value instanceof CoreError;
}
