import { CoreError } from '../errors.js';
import { ImpliedVolatilityWorkspace, solveImpliedVolatility } from './implied-volatility.js';

/** Struct-of-arrays quotes: element i of every array describes quote i. */
export interface ImpliedVolatilityBatchInput {
  /** 1 for a call, 0 for a put. */
  readonly isCall: Uint8Array;
  readonly price: Float64Array;
  readonly spot: Float64Array;
  readonly strike: Float64Array;
  /** Years. */
  readonly expiry: Float64Array;
  readonly rate: Float64Array;
  readonly dividendYield: Float64Array;
}

/**
 * Where the batch writes. `status` per quote: 0 ok, 1 price at or below the lower no-arbitrage bound,
 * 2 at or above the upper bound, 3 invalid input (NaN, infinite, negative price, non-positive spot, strike or
 * expiry), 4 no convergence. A quote with a nonzero status gets volatility 0 (never NaN).
 */
export interface ImpliedVolatilityBatchOutput {
  readonly volatility: Float64Array;
  /** Householder steps per quote (saturates at the array type's maximum). */
  readonly iterations: Uint8Array | Uint16Array;
  readonly status: Uint8Array;
}

/**
 * European implied volatilities for `n` quotes (default: the length of `input.price`), with no allocation per
 * quote: the same kernel as impliedVolatility, so each element equals the scalar result bit for bit.
 * Throws ERR_CORE_INVALID_INPUT (param 'n') when n is not an integer in [0, length] of every array.
 */
export function impliedVolatilityBatch(
  input: ImpliedVolatilityBatchInput,
  output: ImpliedVolatilityBatchOutput,
  n?: number,
): void {
  const count = n ?? input.price.length;
  const shortest = Math.min(
    input.isCall.length,
    input.price.length,
    input.spot.length,
    input.strike.length,
    input.expiry.length,
    input.rate.length,
    input.dividendYield.length,
    output.volatility.length,
    output.iterations.length,
    output.status.length,
  );
  if (!Number.isInteger(count) || count < 0 || count > shortest) {
    throw new CoreError(
      'ERR_CORE_INVALID_INPUT',
      `n must be an integer between 0 and ${shortest} (the shortest array), got ${String(n)}`,
      'n',
    );
  }
  const { isCall, price, spot, strike, expiry, rate, dividendYield } = input;
  const { volatility, iterations, status } = output;
  const scratch = new ImpliedVolatilityWorkspace();
  for (let i = 0; i < count; i++) {
    status[i] = solveImpliedVolatility(
      price[i]!,
      isCall[i] !== 0,
      spot[i]!,
      strike[i]!,
      expiry[i]!,
      rate[i]!,
      dividendYield[i]!,
      scratch,
    );
    volatility[i] = scratch.volatility;
    iterations[i] = scratch.iterations;
  }
}
