import type { QuoteGreekName, QuoteModelFamily, QuoteRequest } from '../../core/quote-api.js';

/**
 * A schema-valid QuoteRequest with every default filled in and its spelling settled (option_type lower-cased),
 * without idempotency_key: what the request hash covers, what a capsule stores, and what replay prices again.
 * Two requests that mean the same thing normalise to the same object.
 */
export interface NormalisedQuote {
  readonly contract: {
    readonly symbol: string;
    readonly strike_price: number;
    readonly time_to_expiry: number;
    readonly option_type: 'call' | 'put';
    readonly exercise_style: 'european' | 'american';
  };
  readonly market: { readonly spot_price: number; readonly risk_free_rate: number; readonly dividend_yield: number };
  readonly volatility?: number;
  readonly model: {
    readonly family: QuoteModelFamily;
    readonly params: {
      readonly paths?: number;
      readonly steps?: number;
      readonly antithetic?: boolean;
      readonly use_cv?: boolean;
      readonly use_qmc?: boolean;
      readonly seed_prefix?: string;
    };
  };
  readonly greeks: Readonly<Record<QuoteGreekName, boolean>>;
  readonly precision?: { readonly target_ci_bps?: number; readonly max_paths?: number };
  readonly surface?: string;
}

type GreekSelection = Partial<Record<QuoteGreekName, boolean>>;

/** Absent selection: all five; a selection: the ones set to true. */
export function resolveGreeks(selection: GreekSelection | undefined): Record<QuoteGreekName, boolean> {
  if (selection === undefined) return { delta: true, gamma: true, vega: true, theta: true, rho: true };
  return {
    delta: selection.delta === true,
    gamma: selection.gamma === true,
    vega: selection.vega === true,
    theta: selection.theta === true,
    rho: selection.rho === true,
  };
}

/** A copy of `value` without its undefined members. */
function defined<T extends object>(value: T): T {
  const copy: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value)) if (member !== undefined) copy[key] = member;
  return copy as T;
}

/** T with its readonly members writable: for building a value member by member before handing it out. */
export type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Plain object literals, not built through entries: it runs once per quote (docs/api.md, "Performance"). */
export function normaliseQuote(request: QuoteRequest, greeksDefault?: GreekSelection): NormalisedQuote {
  const c = request.contract;
  const m = request.market;
  const params = request.model?.params;
  const quote: Mutable<NormalisedQuote> = {
    contract: {
      symbol: c.symbol,
      strike_price: c.strike_price,
      time_to_expiry: c.time_to_expiry,
      option_type: c.option_type.toLowerCase() as 'call' | 'put',
      exercise_style: c.exercise_style ?? 'european',
    },
    market: { spot_price: m.spot_price, risk_free_rate: m.risk_free_rate, dividend_yield: m.dividend_yield ?? 0 },
    model: { family: request.model?.family ?? 'black_scholes', params: params === undefined ? {} : defined(params) },
    greeks: resolveGreeks(request.greeks ?? greeksDefault),
  };
  if (request.volatility !== undefined) quote.volatility = request.volatility;
  if (request.precision !== undefined) quote.precision = defined(request.precision);
  if (request.surface !== undefined) quote.surface = request.surface;
  return quote;
}
