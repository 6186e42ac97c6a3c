import { CoreError } from '../errors.js';
import type { OptionSpec } from '../instruments/option-spec.js';
import type { MarketInputs } from '../market/market-inputs.js';
import { findRootBrent } from '../math/root-finding.js';
import { requireExerciseStyle, validateQuoteInputs } from '../validate.js';
import {
  IMPLIED_VOLATILITY_STATUS,
  ImpliedVolatilityWorkspace,
  solveImpliedVolatility,
  type ImpliedVolatilityResult,
} from './implied-volatility.js';

/** Tolerances of impliedVolatilityAmerican; the defaults suit deterministic pricers (trees, approximations). */
export interface AmericanImpliedVolatilityOptions {
  /** Stop once |pricer(sigma) - price| <= this times the price. Default 1e-10. */
  readonly priceTolerance?: number;
  /** Stop once sigma is bracketed to within this relative width. Default 1e-12. */
  readonly volatilityTolerance?: number;
  /** Pricer evaluations allowed in all (bracketing and root finding). Default 100. */
  readonly maxEvaluations?: number;
}

/** The search never goes below this volatility (0.01%): a price that needs less is "below the model's floor". */
export const AMERICAN_MIN_VOLATILITY = 1e-4;
/** Nor above this one (1000%): a price that needs more is "above the model's ceiling". */
export const AMERICAN_MAX_VOLATILITY = 10;

const DEFAULT_PRICE_TOLERANCE = 1e-10;
const DEFAULT_VOLATILITY_TOLERANCE = 1e-12;
const DEFAULT_MAX_EVALUATIONS = 100;
/** How closely the lowest volatility a pricer accepts is located before giving up below it (relative). */
const FLOOR_RESOLUTION = 1e-3;
/** Starting point when the European inversion of the price gives no hint. */
const FALLBACK_GUESS = 0.3;

/**
 * American (or any model's) option price -> volatility, by inverting `pricer(volatility) -> price`, which must be
 * increasing in volatility (every model OPE prices is). `market.volatility` is not needed.
 *
 * Bounds, checked first (ERR_CORE_PRICE_BELOW_INTRINSIC / ERR_CORE_PRICE_ABOVE_MAXIMUM, param 'price', message naming
 * the bound and its value): for American exercise the price must lie strictly between max(intrinsic value
 * max(S-K, 0) or max(K-S, 0), the European lower bound) and max(S, S e^(-qT)) for a call, max(K, K e^(-rT)) for a put (the
 * limits as sigma -> infinity: S and K when q, r >= 0);
 * for European exercise between the discounted intrinsic value and S e^(-qT) (call) or K e^(-rT) (put).
 *
 * Method: the European implied volatility of the same price is an upper bracket (American >= European at equal sigma);
 * the bracket is widened by doubling or halving within [AMERICAN_MIN_VOLATILITY, AMERICAN_MAX_VOLATILITY], then Brent's
 * method stops when the price is matched to `priceTolerance` (relative) or sigma is bracketed to `volatilityTolerance`.
 * A price below the model's value at the lowest volatility tried (or at the lowest it accepts: a pricer may refuse a
 * volatility with ERR_CORE_INVALID_INPUT param 'volatility', as a CRR tree does when its probabilities leave [0, 1])
 * is ERR_CORE_PRICE_BELOW_INTRINSIC; one above its value at AMERICAN_MAX_VOLATILITY is ERR_CORE_PRICE_ABOVE_MAXIMUM.
 * A pricer returning NaN, or the evaluation budget running out, is ERR_CORE_NO_CONVERGENCE.
 *
 * `iterations` counts pricer evaluations.
 */
export function impliedVolatilityAmerican(
  price: number,
  option: OptionSpec,
  market: Omit<MarketInputs, 'volatility'>,
  pricer: (volatility: number) => number,
  options?: AmericanImpliedVolatilityOptions,
): ImpliedVolatilityResult {
  validate(price, option, market, pricer);
  const priceTolerance = options?.priceTolerance ?? DEFAULT_PRICE_TOLERANCE;
  const volatilityTolerance = options?.volatilityTolerance ?? DEFAULT_VOLATILITY_TOLERANCE;
  const maxEvaluations = options?.maxEvaluations ?? DEFAULT_MAX_EVALUATIONS;
  requireTolerance(priceTolerance, 'priceTolerance');
  requireTolerance(volatilityTolerance, 'volatilityTolerance');
  if (!Number.isInteger(maxEvaluations) || maxEvaluations < 3) {
    throw new CoreError(
      'ERR_CORE_INVALID_INPUT',
      `maxEvaluations must be an integer >= 3, got ${String(maxEvaluations)}`,
      'maxEvaluations',
    );
  }
  checkBounds(price, option, market);

  let evaluations = 0;
  const excess = (volatility: number): number => {
    evaluations++;
    if (evaluations > maxEvaluations) {
      throw new CoreError(
        'ERR_CORE_NO_CONVERGENCE',
        `the implied volatility search used up its ${maxEvaluations} pricer evaluations`,
        'price',
      );
    }
    const value = pricer(volatility);
    if (typeof value !== 'number' || Number.isNaN(value)) {
      throw new CoreError(
        'ERR_CORE_NO_CONVERGENCE',
        `the pricer returned ${String(value)} at volatility ${volatility}`,
        'price',
      );
    }
    return value - price;
  };

  // Bracket [low, high] with excess(low) < 0 <= excess(high).
  let high = Math.min(Math.max(europeanGuess(price, option, market), AMERICAN_MIN_VOLATILITY), AMERICAN_MAX_VOLATILITY);
  let fHigh = excess(high);
  let low = NaN;
  let fLow = NaN;
  while (fHigh < 0) {
    if (high >= AMERICAN_MAX_VOLATILITY) {
      throw new CoreError(
        'ERR_CORE_PRICE_ABOVE_MAXIMUM',
        `price ${price} is above ${fHigh + price}, the model's price at volatility ${AMERICAN_MAX_VOLATILITY} (the highest searched): no volatility up to ${AMERICAN_MAX_VOLATILITY * 100}% gives it`,
        'price',
      );
    }
    low = high;
    fLow = fHigh;
    high = Math.min(2 * high, AMERICAN_MAX_VOLATILITY);
    fHigh = excess(high);
  }
  if (fHigh === 0) return { volatility: high, iterations: evaluations, converged: true };
  // Halve down to a point below the price. A pricer may refuse small volatilities (ERR_CORE_INVALID_INPUT, param
  // 'volatility'); then bisect between the refused one and the last accepted one, since the answer may lie between.
  let refused = 0;
  let refusal: CoreError | undefined;
  while (Number.isNaN(low)) {
    const candidate = refusal === undefined ? Math.max(0.5 * high, AMERICAN_MIN_VOLATILITY) : 0.5 * (refused + high);
    if (refusal !== undefined && high - refused <= FLOOR_RESOLUTION * high) {
      throw belowModelFloor(
        price,
        high,
        fHigh + price,
        ` (the lowest volatility the model accepts, to within ${FLOOR_RESOLUTION * 100}%: ${refusal.message})`,
        refusal,
      );
    }
    let fCandidate: number;
    try {
      fCandidate = excess(candidate);
    } catch (error) {
      if (error instanceof CoreError && error.code === 'ERR_CORE_INVALID_INPUT' && error.param === 'volatility') {
        refused = candidate;
        refusal = error;
        continue;
      }
      throw error;
    }
    if (fCandidate < 0) {
      low = candidate;
      fLow = fCandidate;
    } else if (fCandidate === 0) {
      return { volatility: candidate, iterations: evaluations, converged: true };
    } else if (candidate <= AMERICAN_MIN_VOLATILITY) {
      throw belowModelFloor(price, candidate, fCandidate + price, ' (the lowest volatility searched)');
    } else {
      high = candidate;
      fHigh = fCandidate;
    }
  }

  const result = findRootBrent(excess, low, high, {
    lowerValue: fLow,
    upperValue: fHigh,
    relativeTolerance: volatilityTolerance,
    functionTolerance: priceTolerance * price,
    maxIterations: Math.max(1, maxEvaluations - evaluations),
  });
  if (!result.converged) {
    throw new CoreError(
      'ERR_CORE_NO_CONVERGENCE',
      `the implied volatility search did not converge within ${maxEvaluations} pricer evaluations (last estimate ${result.root}, price error ${result.value})`,
      'price',
    );
  }
  return { volatility: result.root, iterations: evaluations, converged: true };
}

function belowModelFloor(
  price: number,
  volatility: number,
  modelPrice: number,
  detail: string,
  cause?: unknown,
): CoreError {
  return new CoreError(
    'ERR_CORE_PRICE_BELOW_INTRINSIC',
    `price ${price} is below ${modelPrice}, the model's price at volatility ${volatility}${detail}: no volatility the model accepts gives it`,
    'price',
    cause === undefined ? undefined : { cause },
  );
}

/** The European implied volatility of the same price: an upper bracket for an American price; a fallback if none. */
function europeanGuess(price: number, option: OptionSpec, market: Omit<MarketInputs, 'volatility'>): number {
  const work = new ImpliedVolatilityWorkspace();
  const status = solveImpliedVolatility(
    price,
    option.type === 'call',
    market.spot,
    option.strike,
    option.expiry,
    market.rate,
    market.dividendYield,
    work,
  );
  if (status === IMPLIED_VOLATILITY_STATUS.ok) return work.volatility;
  // Above the European maximum (an American put can be worth more than K e^(-rT)): start high.
  if (status === IMPLIED_VOLATILITY_STATUS.aboveMaximum) return 1;
  return FALLBACK_GUESS;
}

function checkBounds(price: number, option: OptionSpec, market: Omit<MarketInputs, 'volatility'>): void {
  const { spot, rate, dividendYield } = market;
  const { strike, expiry } = option;
  const isCall = option.type === 'call';
  const discountedForward = spot * Math.exp(-dividendYield * expiry);
  const discountedStrike = strike * Math.exp(-rate * expiry);
  const europeanLower = Math.max(
    isCall ? discountedForward - discountedStrike : discountedStrike - discountedForward,
    0,
  );
  const kind = `${option.exercise === 'american' ? 'an American' : 'a European'} ${option.type}`;
  if (option.exercise === 'american') {
    const intrinsic = Math.max(isCall ? spot - strike : strike - spot, 0);
    if (price <= intrinsic || price <= europeanLower) {
      const [bound, name] =
        intrinsic >= europeanLower
          ? [intrinsic, `the intrinsic value ${isCall ? 'max(S - K, 0)' : 'max(K - S, 0)'}`]
          : [
              europeanLower,
              `the European lower bound ${isCall ? 'max(S e^(-qT) - K e^(-rT), 0)' : 'max(K e^(-rT) - S e^(-qT), 0)'}`,
            ];
      throw new CoreError(
        'ERR_CORE_PRICE_BELOW_INTRINSIC',
        `price ${price} is not above the lower no-arbitrage bound ${bound} of ${kind} (${name}): no volatility gives it`,
        'price',
      );
    }
    // Exercised at time t the holder gets at most S e^(-qt) (call) or K e^(-rt) (put) in today's money, so the
    // bound is the largest of those over [0, T]: S or K when the yield or rate is >= 0, the expiry's value when < 0.
    const upper = isCall ? Math.max(spot, discountedForward) : Math.max(strike, discountedStrike);
    if (price >= upper) {
      throw new CoreError(
        'ERR_CORE_PRICE_ABOVE_MAXIMUM',
        `price ${price} is not below the upper no-arbitrage bound ${upper} of ${kind} (${isCall ? 'max(S, S e^(-qT))' : 'max(K, K e^(-rT))'}, its value as volatility grows without limit): no volatility gives it`,
        'price',
      );
    }
    return;
  }
  if (price <= europeanLower) {
    throw new CoreError(
      'ERR_CORE_PRICE_BELOW_INTRINSIC',
      `price ${price} is not above the lower no-arbitrage bound ${europeanLower} of ${kind} (the discounted intrinsic value): no volatility gives it`,
      'price',
    );
  }
  const upper = isCall ? discountedForward : discountedStrike;
  if (price >= upper) {
    throw new CoreError(
      'ERR_CORE_PRICE_ABOVE_MAXIMUM',
      `price ${price} is not below the upper no-arbitrage bound ${upper} of ${kind} (${isCall ? 'S e^(-qT)' : 'K e^(-rT)'}): no volatility gives it`,
      'price',
    );
  }
}

function validate(price: number, option: OptionSpec, market: Omit<MarketInputs, 'volatility'>, pricer: unknown): void {
  validateQuoteInputs(price, option, market);
  requireExerciseStyle(option);
  if (typeof pricer !== 'function')
    throw new CoreError('ERR_CORE_INVALID_INPUT', 'pricer must be a function of the volatility', 'pricer');
}

function requireTolerance(value: number, param: string): void {
  if (!(value > 0 && value < 1))
    throw new CoreError('ERR_CORE_INVALID_INPUT', `${param} must be in (0, 1), got ${String(value)}`, param);
}
