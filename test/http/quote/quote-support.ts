import type { QuoteRequest } from '../../../src/core/quote-api.js';

/** A valid QuoteRequest; override parts with spread. */
export function quoteRequest(overrides: Partial<Record<keyof QuoteRequest, unknown>> = {}): Record<string, unknown> {
  return {
    contract: { symbol: 'ABC', strike_price: 100, time_to_expiry: 0.5, option_type: 'call' },
    market: { spot_price: 102, risk_free_rate: 0.01 },
    volatility: 0.2,
    ...overrides,
  };
}

/** The fields of a quote answer that carry numbers (what /quote, /batch and /replay must agree on). */
export function numbersOf(value: Record<string, unknown>): Record<string, unknown> {
  return {
    theoretical_price: value.theoretical_price,
    greeks: value.greeks,
    ci: value.ci,
    model_used: value.model_used,
    greeks_meta: value.greeks_meta,
    ci_greeks: value.ci_greeks,
  };
}
