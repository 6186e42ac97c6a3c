/**
 * The one mapper between the v1 wire shapes (snake_case, display units, contract ids) and the core's vocabulary
 * (OptionSpec, MarketInputs, PriceResult): requests become pool items here, outcomes become response rows here,
 * for pricing, risk and implied volatility alike. docs/architecture.md shows the shapes a contract takes.
 */
import type { OptionSpec } from '../core/instruments/option-spec.js';
import type { MarketInputs } from '../core/market/market-inputs.js';
import { isModelName, type ModelName } from '../core/models.js';
import type { ImpliedVolTaskShape, PriceTaskShape } from '../pool/placement.js';
import type { FailedItem, ImpliedVolOutcome, PricedItem, QuoteItem } from '../pool/tasks.js';
import { contractId } from './contract-id.js';
import type {
  Contract,
  ImpliedVolatilityRequest,
  ImpliedVolatilityResponse,
  MarketData,
  PricingResult,
} from './schemas.js';
import { DAYS_PER_YEAR, POINTS_PER_UNIT } from './units.js';

/** The model a pricing request names, or the v1 default. */
export const DEFAULT_MODEL: ModelName = 'black_scholes';
/** The model inverted for American quotes when the request names none. */
export const DEFAULT_AMERICAN_MODEL: ModelName = 'binomial_200';

type WireContract = Pick<Contract, 'symbol' | 'strike_price' | 'time_to_expiry' | 'option_type' | 'exercise_style'>;

export function optionFromWire(contract: WireContract): OptionSpec {
  return {
    type: contract.option_type,
    strike: contract.strike_price,
    expiry: contract.time_to_expiry,
    exercise: contract.exercise_style ?? 'european',
  };
}

export function marketFromWire(
  md: Pick<MarketData, 'spot_price' | 'risk_free_rate' | 'dividend_yield'>,
  volatility: number,
): MarketInputs {
  return { spot: md.spot_price, rate: md.risk_free_rate, dividendYield: md.dividend_yield ?? 0, volatility };
}

export function contractIdOf(contract: WireContract): string {
  return contractId(
    contract.symbol.toUpperCase(),
    contract.strike_price,
    contract.time_to_expiry,
    contract.option_type,
  );
}

/**
 * What placement needs to know of a pricing body that has not been validated yet (for shedding before
 * validation), or null when its model or contract list is not usable yet (validation will answer).
 */
export function pricingShapeOf(body: unknown, greeksOverride: boolean | undefined): PriceTaskShape | null {
  if (typeof body !== 'object' || body === null) return null;
  const { model = DEFAULT_MODEL, contracts } = body as Record<string, unknown>;
  if (!isModelName(model) || !Array.isArray(contracts) || contracts.length === 0) return null;
  // Every contract's greeks are computed whatever calculate_greeks says (docs/api.md, "calculate_greeks").
  return { kind: 'price', model, greeks: greeksOverride ?? true, items: contracts };
}

/** The same for an implied-volatility body: its American model and each quote's exercise style. */
export function impliedVolShapeOf(body: unknown): ImpliedVolTaskShape | null {
  if (typeof body !== 'object' || body === null) return null;
  const { model = DEFAULT_AMERICAN_MODEL, quotes } = body as Record<string, unknown>;
  if (!isModelName(model) || !Array.isArray(quotes) || quotes.length === 0) return null;
  const items = quotes.map((quote: unknown) => {
    const contract =
      typeof quote === 'object' && quote !== null ? (quote as { contract?: unknown }).contract : undefined;
    const exercise =
      typeof contract === 'object' && contract !== null
        ? (contract as { exercise_style?: unknown }).exercise_style
        : undefined;
    return { option: { exercise: exercise === 'american' ? 'american' : 'european' } };
  });
  return { kind: 'implied-volatility', americanModel: model, items };
}

function times(value: number | null, quantity: number): number | null {
  return value === null ? null : value * quantity;
}

/**
 * A priced contract as a v1 result row: greeks converted from the core's raw units to display units (theta per
 * calendar day instead of per year, vega and rho per point instead of per 1.00; docs/architecture.md, "Units").
 */
export function pricedRow(
  id: string,
  quantity: number,
  model: ModelName,
  volatility: number,
  outcome: PricedItem,
  cached: boolean,
): PricingResult {
  const { value, greeks, diagnostics } = outcome.result;
  const delta = greeks === null ? null : greeks.delta;
  const gamma = greeks === null ? null : greeks.gamma;
  const theta = greeks === null ? null : greeks.theta / DAYS_PER_YEAR;
  const vega = greeks === null ? null : greeks.vega / POINTS_PER_UNIT;
  const rho = greeks === null ? null : greeks.rho / POINTS_PER_UNIT;
  const standardError = diagnostics.standardError ?? null;
  const ci = diagnostics.confidenceInterval;
  return {
    contract_id: id,
    theoretical_price: value,
    delta,
    gamma,
    theta,
    vega,
    rho,
    implied_volatility: volatility,
    computation_time_ms: outcome.seconds * 1000,
    model_used: model,
    volatility_used: volatility,
    cached,
    error: null,
    standard_error: standardError,
    confidence_interval: ci === undefined ? null : [ci[0], ci[1]],
    quantity,
    position_value: value * quantity,
    position_delta: times(delta, quantity),
    position_gamma: times(gamma, quantity),
    position_theta: times(theta, quantity),
    position_vega: times(vega, quantity),
    position_rho: times(rho, quantity),
    position_standard_error: times(standardError, quantity),
    position_confidence_interval: ci === undefined ? null : [ci[0] * quantity, ci[1] * quantity],
  };
}

/** Each position field of a result row, and the per-contract number the quantity multiplies into it. */
const POSITION_OF = {
  position_value: 'theoretical_price',
  position_delta: 'delta',
  position_gamma: 'gamma',
  position_theta: 'theta',
  position_vega: 'vega',
  position_rho: 'rho',
  position_standard_error: 'standard_error',
} as const satisfies Partial<Record<keyof PricingResult, keyof PricingResult>>;

/**
 * Why a priced row's position fields cannot be answered, or null: a finite greek times the quantity can overflow a
 * double (a gamma of 1.8e308 at a strike and spot of 1e-300, times 1,000,000), and JSON would carry it as null.
 */
export function positionOverflow(row: PricingResult): string | null {
  for (const [position, per] of Object.entries(POSITION_OF) as [keyof typeof POSITION_OF, keyof PricingResult][]) {
    const value = row[position];
    if (value !== null && !Number.isFinite(value))
      return `quantity ${row.quantity} times ${position.slice('position_'.length)} ${String(row[per])} overflows a double`;
  }
  return null;
}

/** A contract that failed, as a v1 result row: zero price, null greeks, the core's message in `error`. */
export function failedRow(
  id: string,
  quantity: number,
  model: ModelName,
  volatility: number,
  outcome: FailedItem,
): PricingResult {
  return {
    contract_id: id,
    theoretical_price: 0,
    delta: null,
    gamma: null,
    theta: null,
    vega: null,
    rho: null,
    implied_volatility: volatility,
    computation_time_ms: outcome.seconds * 1000,
    model_used: model,
    volatility_used: volatility,
    cached: false,
    error: outcome.message,
    standard_error: null,
    confidence_interval: null,
    quantity,
    position_value: 0,
    position_delta: null,
    position_gamma: null,
    position_theta: null,
    position_vega: null,
    position_rho: null,
    position_standard_error: null,
    position_confidence_interval: null,
  };
}

export function quoteItemsFromWire(body: ImpliedVolatilityRequest): QuoteItem[] {
  const md = body.market_data;
  const market = { spot: md.spot_price, rate: md.risk_free_rate, dividendYield: md.dividend_yield ?? 0 };
  return body.quotes.map((q) => ({ option: optionFromWire(q.contract), market, price: q.price }));
}

export function impliedVolResponse(
  body: ImpliedVolatilityRequest,
  outcomes: readonly ImpliedVolOutcome[],
): ImpliedVolatilityResponse {
  return {
    results: body.quotes.map((q, i) => {
      const outcome = outcomes[i]!;
      const contract_id = contractIdOf(q.contract);
      return outcome.ok
        ? { contract_id, implied_volatility: outcome.volatility, iterations: outcome.iterations, error: null }
        : { contract_id, implied_volatility: null, iterations: 0, error: outcome.message };
    }),
  };
}
