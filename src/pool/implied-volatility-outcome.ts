/**
 * One quote -> its implied volatility outcome. European quotes invert Black-Scholes (Jäckel's method); American
 * quotes invert the task's American model by safeguarded root finding on its price as a function of volatility.
 * A quote that has no volatility (outside the no-arbitrage bounds, or outside what the model can reach) becomes
 * an outcome with the core's code and message, never a number.
 */
import { impliedVolatility } from '../core/engines/implied-volatility.js';
import { impliedVolatilityAmerican } from '../core/engines/implied-volatility-american.js';
import type { OptionSpec } from '../core/instruments/option-spec.js';
import { priceOption, type ModelName } from '../core/models.js';
import type { ImpliedVolOutcome, MarketDto, QuoteDto } from './tasks.js';

export function impliedVolatilityOutcome(quote: QuoteDto, market: MarketDto, americanModel: ModelName): ImpliedVolOutcome {
  const option: OptionSpec = { type: quote.type, strike: quote.strike, expiry: quote.expiry, exercise: quote.exercise };
  const result =
    quote.exercise === 'american'
      ? impliedVolatilityAmerican(quote.price, option, market, (volatility) => priceOption(americanModel, option, { ...market, volatility }, { greeks: false }).value)
      : impliedVolatility(quote.price, option, market);
  return { volatility: result.volatility, iterations: result.iterations, code: null, error: null };
}
