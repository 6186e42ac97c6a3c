import { CoreError } from '../errors.js';
import { blackScholesKernel } from './black-scholes.js';

/** Structure-of-arrays inputs: element i of every array describes option i. isCall is 1 (call) or 0 (put). */
export interface BlackScholesBatchInput {
  readonly isCall: Uint8Array;
  readonly spot: Float64Array;
  readonly strike: Float64Array;
  readonly expiry: Float64Array;
  readonly volatility: Float64Array;
  readonly rate: Float64Array;
  readonly dividendYield: Float64Array;
}

/** Caller-owned outputs, in the core's raw units (see results.ts). */
export interface BlackScholesBatchOutput {
  readonly price: Float64Array;
  readonly delta: Float64Array;
  readonly gamma: Float64Array;
  readonly theta: Float64Array;
  readonly vega: Float64Array;
  readonly rho: Float64Array;
}

/**
 * Prices input[0..n) (European, generalised Black-Scholes-Merton) into output with the same kernel as
 * priceBlackScholes, so every element is bit-identical to the single-option result. n defaults to the
 * length of input.spot. No allocation per option.
 *
 * Every element is validated before anything is written: on a bad element this throws
 * ERR_CORE_INVALID_INPUT naming the array and index (param 'spot[3]'), and output is left untouched. An
 * input or output array shorter than n is reported the same way, naming the array.
 */
export function priceBlackScholesBatch(
  input: BlackScholesBatchInput,
  output: BlackScholesBatchOutput,
  n?: number,
): void {
  const count = batchInputCount(input, n);
  requireOutputLength(output, count);

  // A separate validation pass keeps the pricing loop branch-free of error paths and the output untouched
  // on failure.
  requireValidBatchElements(input, count);

  blackScholesKernel(input, output, 0, count, true);
}

/** The element count (n, default the spot array's length), checked against every input array. */
export function batchInputCount(input: BlackScholesBatchInput, n: number | undefined): number {
  const count = n ?? input.spot.length;
  if (!Number.isInteger(count) || count < 0) {
    throw new CoreError('ERR_CORE_INVALID_INPUT', `n must be a non-negative integer, got ${String(n)}`, 'n');
  }
  requireLength(input.isCall, count, 'isCall');
  requireLength(input.spot, count, 'spot');
  requireLength(input.strike, count, 'strike');
  requireLength(input.expiry, count, 'expiry');
  requireLength(input.volatility, count, 'volatility');
  requireLength(input.rate, count, 'rate');
  requireLength(input.dividendYield, count, 'dividendYield');
  return count;
}

/** Throws ERR_CORE_INVALID_INPUT naming the first output array shorter than `count`. */
export function requireOutputLength(output: BlackScholesBatchOutput, count: number): void {
  requireLength(output.price, count, 'price');
  requireLength(output.delta, count, 'delta');
  requireLength(output.gamma, count, 'gamma');
  requireLength(output.theta, count, 'theta');
  requireLength(output.vega, count, 'vega');
  requireLength(output.rho, count, 'rho');
}

/**
 * Throws ERR_CORE_INVALID_INPUT naming the array and index (param 'spot[3]') of the first invalid element of
 * input[0..count); messages are built only when an element fails. Shared with the WebAssembly batch entry point,
 * so both refuse the same inputs with the same errors.
 */
export function requireValidBatchElements(input: BlackScholesBatchInput, count: number): void {
  const { isCall, spot, strike, expiry, volatility, rate, dividendYield } = input;
  for (let i = 0; i < count; i++) {
    const flag = isCall[i]!;
    if (flag !== 0 && flag !== 1) {
      throw new CoreError(
        'ERR_CORE_INVALID_INPUT',
        `isCall[${i}] must be 1 (call) or 0 (put), got ${flag}`,
        `isCall[${i}]`,
      );
    }
    if (!(spot[i]! > 0 && spot[i]! < Infinity)) invalidPositive('spot', i, spot[i]!);
    if (!(strike[i]! > 0 && strike[i]! < Infinity)) invalidPositive('strike', i, strike[i]!);
    if (!(expiry[i]! > 0 && expiry[i]! < Infinity)) invalidPositive('expiry', i, expiry[i]!);
    if (!(volatility[i]! > 0 && volatility[i]! < Infinity)) invalidPositive('volatility', i, volatility[i]!);
    if (!Number.isFinite(rate[i]!)) invalidFinite('rate', i, rate[i]!);
    if (!Number.isFinite(dividendYield[i]!)) invalidFinite('dividendYield', i, dividendYield[i]!);
  }
}

/** Throws ERR_CORE_INVALID_INPUT naming `param` when `array` holds fewer than `count` elements. */
export function requireLength(array: ArrayLike<number>, count: number, param: string): void {
  if (array.length < count) {
    throw new CoreError('ERR_CORE_INVALID_INPUT', `${param} has ${array.length} elements, ${count} are needed`, param);
  }
}

function invalidPositive(name: string, i: number, value: number): never {
  const param = `${name}[${i}]`;
  const reason = Number.isFinite(value) ? 'must be greater than 0' : 'must be a finite number';
  throw new CoreError('ERR_CORE_INVALID_INPUT', `${param} ${reason}, got ${String(value)}`, param);
}

function invalidFinite(name: string, i: number, value: number): never {
  const param = `${name}[${i}]`;
  throw new CoreError('ERR_CORE_INVALID_INPUT', `${param} must be a finite number, got ${String(value)}`, param);
}
