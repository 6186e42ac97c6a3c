import { isModelName } from '../core/models.js';
import type { ModelName } from '../core/models.js';
import { AppError } from '../errors.js';
import type { AbortSignalLike, PricingPool } from '../pool/pricing-pool.js';
import type { ContractDto, ContractOutcome, FailedContract, MarketDto, PricedContract } from '../pool/tasks.js';
import { contractId } from './contract-id.js';
import type { ResultCache } from './result-cache.js';
import { resultCacheKey } from './result-cache.js';
import type { PortfolioGreeks, PricingBatchResponse, PricingRequest, PricingResult } from './schemas.js';
import { childSeedFor, rootSeedFor } from './seeds.js';
import { toDisplayGreeks, vegaExposure } from './units.js';
import type { VolatilityProvider } from './volatility-provider.js';

/**
 * Prices a validated PricingRequest: resolves each contract's volatility and Monte Carlo child seed, serves what
 * it can from the result cache, sends only the misses to the pool in one task, and assembles the v1 response
 * (results in request order, position fields, portfolio totals). Shared by the pricing and risk routes.
 */

export interface PricingServiceOptions {
  /** refuseAtOnce is optional: without it, requests are never shed before validation. */
  readonly pool: Pick<PricingPool, 'run'> & Partial<Pick<PricingPool, 'refuseAtOnce'>>;
  readonly volatility: VolatilityProvider;
  readonly cache: ResultCache | null;
  /** OPE_MONTE_CARLO_SEED. */
  readonly monteCarloSeed: bigint | null;
  /**
   * The volatility of a stored calibrated surface, for requests naming market_data.surface_id; rejects with a
   * 422 for an unknown id. Default: such requests are refused.
   */
  readonly surfaceVolatility?: (surfaceId: string) => Promise<VolatilityProvider>;
}

export interface PriceOptions {
  /** The request's seed, read exactly from the JSON text (null when absent). */
  readonly seed: bigint | null;
  /** Overrides request.calculate_greeks (the risk route always needs greeks). */
  readonly greeks?: boolean;
  readonly signal?: AbortSignalLike | (() => AbortSignalLike);
}

export interface PricedRequest {
  readonly response: PricingBatchResponse;
  /** Per result, in order: why it failed, or null. */
  readonly failures: readonly (FailedContract | null)[];
}

export interface PricingService {
  price(request: PricingRequest, options: PriceOptions): Promise<PricedRequest>;
  /**
   * For a parsed, not yet validated body: the pool's refusal when the work it asks for would be refused right now
   * (the route throws it: 503 with Retry-After), else null. Shedding before validation and preparation keeps a
   * refusal cheap under overload. A body whose model or contract list is not usable yet is left to validation.
   */
  refuseAtOnce(body: unknown, options?: { readonly greeks?: boolean }): Error | null;
}

const MONTE_CARLO: ModelName = 'monte_carlo_20k';

function times(value: number | null, quantity: number): number | null {
  return value === null ? null : value * quantity;
}

function pricedResult(id: string, quantity: number, model: string, volatility: number, outcome: PricedContract, cached: boolean): PricingResult {
  const g = toDisplayGreeks(outcome);
  const ci = outcome.confidenceInterval;
  return {
    contract_id: id,
    theoretical_price: outcome.value,
    delta: g.delta,
    gamma: g.gamma,
    theta: g.theta,
    vega: g.vega,
    rho: g.rho,
    implied_volatility: volatility,
    computation_time_ms: outcome.seconds * 1000,
    model_used: model,
    volatility_used: volatility,
    cached,
    error: null,
    standard_error: outcome.standardError,
    confidence_interval: ci === null ? null : [ci[0], ci[1]],
    quantity,
    position_value: outcome.value * quantity,
    position_delta: times(g.delta, quantity),
    position_gamma: times(g.gamma, quantity),
    position_theta: times(g.theta, quantity),
    position_vega: times(g.vega, quantity),
    position_rho: times(g.rho, quantity),
    position_standard_error: times(outcome.standardError, quantity),
    position_confidence_interval: ci === null ? null : [ci[0] * quantity, ci[1] * quantity],
  };
}

function failedResult(id: string, quantity: number, model: string, volatility: number, outcome: FailedContract): PricingResult {
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

/**
 * Sums of the position fields of the contracts that priced. A failed contract adds nothing, not even its
 * quantity to position_count, so the totals always describe one consistent set of positions.
 */
export function portfolioTotals(results: readonly PricingResult[]): PortfolioGreeks {
  const totals = { delta: 0, gamma: 0, theta: 0, vega: 0, rho: 0, total_value: 0, total_vega_exposure: 0, position_count: 0 };
  for (const r of results) {
    if (r.error !== null) continue;
    totals.delta += r.position_delta ?? 0;
    totals.gamma += r.position_gamma ?? 0;
    totals.theta += r.position_theta ?? 0;
    totals.vega += r.position_vega ?? 0;
    totals.rho += r.position_rho ?? 0;
    totals.total_value += r.position_value;
    totals.position_count += r.quantity;
  }
  totals.total_vega_exposure = vegaExposure(totals.vega);
  return totals;
}

export function createPricingService(options: PricingServiceOptions): PricingService {
  const { pool, volatility, cache } = options;

  function volatilityFor(marketVolatility: number | null | undefined, strike: number, expiry: number, spot: number, provider: VolatilityProvider): number {
    if (marketVolatility !== null && marketVolatility !== undefined) return marketVolatility;
    const estimate = provider.estimate(strike, expiry, spot);
    // The surface clamps its answers; anything else is a defect there, not the client's input.
    if (!Number.isFinite(estimate) || estimate <= 0) throw new Error(`volatility surface returned ${estimate} at strike ${strike}, maturity ${expiry}`);
    return estimate;
  }

  const surfaceVolatilityFor =
    options.surfaceVolatility ??
    ((): Promise<VolatilityProvider> => Promise.reject(new Error('market_data.surface_id named but no surface store is configured')));

  return {
    refuseAtOnce(body, refuseOptions = {}) {
      if (pool.refuseAtOnce === undefined || typeof body !== 'object' || body === null) return null;
      const { model = 'black_scholes', contracts, calculate_greeks: greeks } = body as Record<string, unknown>;
      if (!isModelName(model) || !Array.isArray(contracts) || contracts.length === 0) return null;
      return pool.refuseAtOnce({ kind: 'price', model, greeks: refuseOptions.greeks ?? greeks !== false, contracts });
    },

    async price(request, priceOptions) {
      const started = performance.now();
      const model = (request.model ?? 'black_scholes') as ModelName;
      const greeks = priceOptions.greeks ?? request.calculate_greeks ?? true;
      const md = request.market_data;
      const market: MarketDto = { spot: md.spot_price, rate: md.risk_free_rate, dividendYield: md.dividend_yield ?? 0 };
      const root = model === MONTE_CARLO ? rootSeedFor(priceOptions.seed, options.monteCarloSeed) : null;
      const cacheable = cache !== null && (root === null || root.reproducible);
      const surfaceId = md.surface_id;
      if (surfaceId !== undefined && md.volatility !== undefined && md.volatility !== null) {
        throw new AppError('ERR_HTTP_VALIDATION', {
          detail: [{ loc: ['body', 'market_data', 'surface_id'], msg: 'name either a volatility or a surface_id, not both', type: 'value_error' }],
        });
      }
      const provider = surfaceId === undefined ? volatility : await surfaceVolatilityFor(surfaceId);

      const dtos: ContractDto[] = request.contracts.map((c, i) => ({
        type: c.option_type,
        strike: c.strike_price,
        expiry: c.time_to_expiry,
        exercise: c.exercise_style ?? 'european',
        volatility: volatilityFor(md.volatility, c.strike_price, c.time_to_expiry, md.spot_price, provider),
        seed: root === null ? null : childSeedFor(root, i),
      }));

      const keys = dtos.map((dto) => (cacheable ? resultCacheKey(model, greeks, market, dto) : null));
      const outcomes: (ContractOutcome | undefined)[] = keys.map((key) => (key === null ? undefined : cache?.get(key)));
      const cached = outcomes.map((o) => o !== undefined);
      const misses = outcomes.flatMap((o, i) => (o === undefined ? [i] : []));
      if (misses.length > 0) {
        const task = { kind: 'price' as const, model, greeks, market, contracts: misses.map((i) => dtos[i]!) };
        const priced = await pool.run(task, priceOptions.signal === undefined ? {} : { signal: priceOptions.signal });
        misses.forEach((index, k) => {
          const outcome = priced[k]!;
          outcomes[index] = outcome;
          const key = keys[index];
          if (outcome.ok && key !== null && key !== undefined) cache?.set(key, outcome);
        });
      }

      const failures: (FailedContract | null)[] = [];
      const results = request.contracts.map((c, i) => {
        const outcome = outcomes[i]!;
        const id = contractId(c.symbol.toUpperCase(), c.strike_price, c.time_to_expiry, c.option_type);
        const quantity = c.quantity ?? 1;
        const vol = dtos[i]!.volatility;
        failures.push(outcome.ok ? null : outcome);
        return outcome.ok ? pricedResult(id, quantity, model, vol, outcome, cached[i]!) : failedResult(id, quantity, model, vol, outcome);
      });

      const elapsedMs = performance.now() - started;
      return {
        response: {
          results,
          total_computation_time_ms: elapsedMs,
          options_per_second: elapsedMs > 0 ? results.length / (elapsedMs / 1000) : 0,
          portfolio_greeks: greeks ? portfolioTotals(results) : null,
          ...(surfaceId === undefined ? {} : { surface_id: surfaceId }),
        },
        failures,
      };
    },
  };
}
