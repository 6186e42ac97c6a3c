import type { QuoteGreeks, QuoteResponse } from '../../core/quote-api.js';
import { NonCanonicalValueError, canonicalJson } from '../canonical-json.js';
import type { NormalisedQuote } from './normalise.js';

/**
 * canonicalJson for the two shapes every quote writes, a normalised request and a response, with their keys written
 * in sorted order by hand instead of sorted per object: the same bytes (a property test holds them to canonicalJson)
 * for less work on the path every /quote takes (docs/api.md, "Performance"; bench/quote-pipeline.bench.ts). Members
 * whose shape varies (model params, precision, the Monte Carlo blocks) go through canonicalJson. A value without a
 * JSON form sends the whole value through canonicalJson, whose refusal then names the path from the root.
 */

function num(value: number): string {
  if (!Number.isFinite(value)) throw new NonCanonicalValueError(`${value} has no JSON form`);
  return String(value);
}

function str(value: string): string {
  return JSON.stringify(value);
}

/** Keys of a greek record in UTF-16 order (QuoteGreekName's five names sort this way). */
const GREEKS_SORTED = ['delta', 'gamma', 'rho', 'theta', 'vega'] as const;

function greeksText(greeks: QuoteGreeks): string {
  let out = '{';
  for (const name of GREEKS_SORTED) {
    const value = greeks[name];
    if (value === undefined) continue;
    out += `${out.length === 1 ? '' : ','}"${name}":${num(value)}`;
  }
  return `${out}}`;
}

function writeQuote(q: NormalisedQuote): string {
  const c = q.contract;
  const m = q.market;
  const g = q.greeks;
  let out =
    `{"contract":{"exercise_style":${str(c.exercise_style)},"option_type":${str(c.option_type)},` +
    `"strike_price":${num(c.strike_price)},"symbol":${str(c.symbol)},"time_to_expiry":${num(c.time_to_expiry)}},` +
    `"greeks":{"delta":${g.delta},"gamma":${g.gamma},"rho":${g.rho},"theta":${g.theta},"vega":${g.vega}},` +
    `"market":{"dividend_yield":${num(m.dividend_yield)},"risk_free_rate":${num(m.risk_free_rate)},` +
    `"spot_price":${num(m.spot_price)}},"model":{"family":${str(q.model.family)},"params":${canonicalJson(q.model.params)}}`;
  if (q.precision !== undefined) out += `,"precision":${canonicalJson(q.precision)}`;
  if (q.surface !== undefined) out += `,"surface":${str(q.surface)}`;
  if (q.volatility !== undefined) out += `,"volatility":${num(q.volatility)}`;
  return `${out}}`;
}

function writeResponse(r: QuoteResponse): string {
  let out = `{"capsule_id":${str(r.capsule_id)}`;
  if (r.ci !== undefined) out += `,"ci":${canonicalJson(r.ci)}`;
  if (r.ci_greeks !== undefined) out += `,"ci_greeks":${canonicalJson(r.ci_greeks)}`;
  out += `,"greeks":${greeksText(r.greeks)}`;
  if (r.greeks_meta !== undefined) out += `,"greeks_meta":${canonicalJson(r.greeks_meta)}`;
  out += `,"model_used":{"family":${str(r.model_used.family)},"params":${canonicalJson(r.model_used.params)}}`;
  out += `,"seed_lineage":${str(r.seed_lineage)}`;
  if (r.surface_id !== undefined) out += `,"surface_id":${str(r.surface_id)}`;
  return `${out},"theoretical_price":${num(r.theoretical_price)}}`;
}

function orRefuse<T>(write: (value: T) => string, value: T): string {
  try {
    return write(value);
  } catch (error) {
    // The whole value again, so that the refusal names the path from its root.
    if (error instanceof NonCanonicalValueError) return canonicalJson(value);
    throw error;
  }
}

/** canonicalJson(quote), written in the normalised request's known key order. */
export function canonicalQuoteText(quote: NormalisedQuote): string {
  return orRefuse(writeQuote, quote);
}

/** canonicalJson(response), written in the quote response's known key order. */
export function canonicalResponseText(response: QuoteResponse): string {
  return orRefuse(writeResponse, response);
}
