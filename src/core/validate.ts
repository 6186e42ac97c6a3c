import { CoreError } from './errors.js';
import type { OptionSpec } from './instruments/option-spec.js';
import type { MarketInputs } from './market/market-inputs.js';
import type { PriceResult } from './results.js';

/**
 * The domain of the American approximations (Barone-Adesi-Whaley, both Bjerksund-Stensland models), which
 * need it (docs/numerics.md, "Input domain"). Outside it they overflow, underflow to 0/0, or lose their bumped
 * greeks (measured: an expiry of 5e-324 years or a volatility of 1e-161 gives NaN, an in-the-money call at
 * T = 1e-100 a delta of 0, |r|T = 1000 an Infinity). Inside it their outputs were checked finite on a grid of
 * extremes (test/core/domain.test.ts); outside it they refuse with ERR_CORE_INVALID_INPUT naming the input.
 * Black-Scholes, the trees and Monte Carlo need no such bounds: every engine ends with requireFiniteResult.
 */
export const CORE_DOMAIN = Object.freeze({
  /** Spot and strike, in currency units. */
  minPrice: 1e-50,
  maxPrice: 1e50,
  /** Years: about 0.3 s. */
  minExpiry: 1e-8,
  maxExpiry: 1000,
  minVolatility: 1e-6,
  maxVolatility: 20,
  /** Bound on |rate| * expiry and |dividendYield| * expiry: the exponents of the discount factors. */
  maxRateTimesExpiry: 500,
});

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
  requireObjects(option, market);
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
  requireObjects(option, market);
  requireContractAndMarket(option, market, false);
}

/** Throws ERR_CORE_INVALID_INPUT unless the exercise style is "european" or "american". */
export function requireExerciseStyle(option: OptionSpec): void {
  if (option.exercise !== 'european' && option.exercise !== 'american') {
    throw new CoreError(
      'ERR_CORE_INVALID_INPUT',
      `exercise must be "european" or "american", got ${String(option.exercise)}`,
      'exercise',
    );
  }
}

/** In this order, so every caller names the same first offending field: spot, strike, expiry, volatility, rate, dividend yield, type. */
function requireContractAndMarket(
  option: OptionSpec,
  market: Omit<MarketInputs, 'volatility'> & { volatility?: number },
  withVolatility: boolean,
): void {
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
    throw new CoreError(
      'ERR_CORE_UNSUPPORTED_EXERCISE',
      `${model} does not price ${option.exercise} options`,
      'exercise',
    );
  }
}

/** validateInputs, then CORE_DOMAIN: for the engines that need it. */
export function requireApproximationDomain(option: OptionSpec, market: MarketInputs): void {
  validateInputs(option, market);
  requireInDomain(market.spot, CORE_DOMAIN.minPrice, CORE_DOMAIN.maxPrice, 'spot');
  requireInDomain(option.strike, CORE_DOMAIN.minPrice, CORE_DOMAIN.maxPrice, 'strike');
  requireInDomain(option.expiry, CORE_DOMAIN.minExpiry, CORE_DOMAIN.maxExpiry, 'expiry', ' years');
  requireInDomain(market.volatility, CORE_DOMAIN.minVolatility, CORE_DOMAIN.maxVolatility, 'volatility');
  const limit = CORE_DOMAIN.maxRateTimesExpiry / option.expiry;
  requireInDomain(
    Math.abs(market.rate),
    0,
    limit,
    'rate',
    ` in absolute value (|rate| * expiry <= ${CORE_DOMAIN.maxRateTimesExpiry})`,
  );
  requireInDomain(
    Math.abs(market.dividendYield),
    0,
    limit,
    'dividendYield',
    ` in absolute value (|dividendYield| * expiry <= ${CORE_DOMAIN.maxRateTimesExpiry})`,
  );
}

function requireInDomain(value: number, min: number, max: number, param: string, unit = ''): void {
  if (value < min) {
    throw new CoreError(
      'ERR_CORE_INVALID_INPUT',
      `${param} must be at least ${min}${unit} (the engines' domain, docs/numerics.md), got ${value}`,
      param,
    );
  }
  if (value > max) {
    throw new CoreError(
      'ERR_CORE_INVALID_INPUT',
      `${param} must be at most ${max}${unit} (the engines' domain, docs/numerics.md), got ${value}`,
      param,
    );
  }
}

/** A library caller passing null or a number where an object belongs gets a CoreError, not a TypeError. */
function requireObjects(option: unknown, market: unknown): void {
  if (typeof option !== 'object' || option === null) {
    throw new CoreError(
      'ERR_CORE_INVALID_INPUT',
      `option must be an object, got ${option === null ? 'null' : typeof option}`,
      'option',
    );
  }
  if (typeof market !== 'object' || market === null) {
    throw new CoreError(
      'ERR_CORE_INVALID_INPUT',
      `market must be an object, got ${market === null ? 'null' : typeof market}`,
      'market',
    );
  }
}

/**
 * The last check of every engine: a price and greeks that are all finite numbers. Inside CORE_DOMAIN none has
 * been seen to fail; this keeps a NaN or an Infinity from ever reaching a caller (or the wire) as a number.
 */
export function requireFiniteResult(result: PriceResult, model: string): PriceResult {
  if (!Number.isFinite(result.value)) throw nonFinite(model, 'price', result.value);
  const greeks = result.greeks;
  if (greeks !== null) {
    if (!Number.isFinite(greeks.delta)) throw nonFinite(model, 'delta', greeks.delta);
    if (!Number.isFinite(greeks.gamma)) throw nonFinite(model, 'gamma', greeks.gamma);
    if (!Number.isFinite(greeks.theta)) throw nonFinite(model, 'theta', greeks.theta);
    if (!Number.isFinite(greeks.vega)) throw nonFinite(model, 'vega', greeks.vega);
    if (!Number.isFinite(greeks.rho)) throw nonFinite(model, 'rho', greeks.rho);
  }
  return result;
}

function nonFinite(model: string, output: string, value: number): CoreError {
  return new CoreError(
    'ERR_CORE_INVALID_INPUT',
    `${model} gives a non-finite ${output} (${value}) for these inputs: outside what it can compute`,
  );
}
