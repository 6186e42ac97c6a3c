import { MODEL_REGISTRY, type ModelName } from '../core/models.js';
import type { AbortSignalLike, Placement, PricingPool } from '../pool/pricing-pool.js';
import type { FailedItem, PriceItem, PriceOutcome } from '../pool/tasks.js';
import { NOT_PLANNED, type Admission } from './request-checks.js';
import { AppError } from './errors.js';
import type { ResultCache } from './result-cache.js';
import { resultCacheKey, withSurfaceVersion } from './result-cache.js';
import type { PortfolioGreeks, PricingBatchResponse, PricingRequest, PricingResult } from './schemas.js';
import { childSeedFor, rootSeedFor } from './seeds.js';
import { vegaExposure } from './units.js';
import type { VolatilityProvider } from './volatility-provider.js';
import {
  contractIdOf,
  DEFAULT_MODEL,
  failedRow,
  marketFromWire,
  optionFromWire,
  positionOverflow,
  pricedRow,
  pricingShapeOf,
} from './wire.js';

/**
 * Prices a validated PricingRequest: resolves each contract's volatility and Monte Carlo child seed, serves what
 * it can from the result cache, sends only the misses to the pool in one task, and assembles the v1 response
 * (results in request order, position fields, portfolio totals). Shared by the pricing and risk routes.
 */

export interface PricingServiceOptions {
  /** plan and refuseAtOnce are optional: without them, requests are never shed before validation. */
  readonly pool: Pick<PricingPool, 'run'> & Partial<Pick<PricingPool, 'refuseAtOnce' | 'plan'>>;
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
  readonly signal?: AbortSignalLike | (() => AbortSignalLike) | undefined;
  /** The placement admit() planned for this request, if any. */
  readonly placement?: Placement | undefined;
}

export interface PricedRequest {
  readonly response: PricingBatchResponse;
  /** Per result, in order: why it failed, or null. */
  readonly failures: readonly (FailedItem | null)[];
}

export interface PricingService {
  price(request: PricingRequest, options: PriceOptions): Promise<PricedRequest>;
  /**
   * For a parsed, not yet validated body: plans where its work runs and says whether the pool would refuse it
   * right now (the route throws the refusal: 503 with Retry-After). Shedding before validation and preparation
   * keeps a refusal cheap under overload. A body whose model or contract list is not usable yet is left to validation.
   */
  admit(body: unknown, options?: { readonly greeks?: boolean }): Admission;
}

/**
 * Sums of the position fields of the contracts that priced. A failed contract adds nothing, not even its
 * quantity to position_count, so the totals always describe one consistent set of positions.
 */
export function portfolioTotals(results: readonly PricingResult[]): PortfolioGreeks {
  const totals = {
    delta: 0,
    gamma: 0,
    theta: 0,
    vega: 0,
    rho: 0,
    total_value: 0,
    total_vega_exposure: 0,
    position_count: 0,
  };
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

/**
 * Refuses totals a double cannot hold: each position is finite (positionOverflow), but their sum can still
 * overflow, and JSON would carry it as null. 422 naming the contracts, the only thing the client can change.
 */
function refuseOverflowingTotals(totals: PortfolioGreeks): void {
  for (const [name, value] of Object.entries(totals)) {
    if (Number.isFinite(value)) continue;
    throw new AppError('ERR_HTTP_VALIDATION', {
      detail: [
        {
          loc: ['body', 'contracts'],
          msg: `the portfolio's total ${name} of these positions overflows a double`,
          type: 'value_error',
        },
      ],
    });
  }
}

export function createPricingService(options: PricingServiceOptions): PricingService {
  const { pool, volatility, cache } = options;

  function volatilityFor(
    marketVolatility: number | null | undefined,
    strike: number,
    expiry: number,
    spot: number,
    provider: VolatilityProvider,
  ): number {
    if (marketVolatility !== null && marketVolatility !== undefined) return marketVolatility;
    const estimate = provider.estimate(strike, expiry, spot);
    // The surface clamps its answers; anything else is a defect there, not the client's input.
    if (!Number.isFinite(estimate) || estimate <= 0)
      throw new Error(`volatility surface returned ${estimate} at strike ${strike}, maturity ${expiry}`);
    return estimate;
  }

  const surfaceVolatilityFor =
    options.surfaceVolatility ??
    ((): Promise<VolatilityProvider> =>
      Promise.reject(new Error('market_data.surface_id named but no surface store is configured')));

  return {
    admit(body, admitOptions = {}) {
      if (pool.plan === undefined || pool.refuseAtOnce === undefined) return NOT_PLANNED;
      const shape = pricingShapeOf(body, admitOptions.greeks);
      if (shape === null) return NOT_PLANNED;
      const placement = pool.plan(shape);
      return { placement, refusal: pool.refuseAtOnce(placement, shape) };
    },

    async price(request, priceOptions) {
      const started = performance.now();
      const model: ModelName = request.model ?? DEFAULT_MODEL;
      // calculate_greeks decides portfolio_greeks only: each contract's greeks are computed and returned either way,
      // as the Python service did (docs/api.md, "calculate_greeks").
      const greeks = true;
      const portfolio = priceOptions.greeks ?? request.calculate_greeks ?? true;
      const md = request.market_data;
      const root = MODEL_REGISTRY[model].needsSeed ? rootSeedFor(priceOptions.seed, options.monteCarloSeed) : null;
      const cacheable = cache !== null && (root === null || root.reproducible);
      const surfaceId = md.surface_id;
      if (surfaceId !== undefined && md.volatility !== undefined && md.volatility !== null) {
        throw new AppError('ERR_HTTP_VALIDATION', {
          detail: [
            {
              loc: ['body', 'market_data', 'surface_id'],
              msg: 'name either a volatility or a surface_id, not both',
              type: 'value_error',
            },
          ],
        });
      }
      const provider = surfaceId === undefined ? volatility : await surfaceVolatilityFor(surfaceId);
      const contracts = request.contracts;
      const n = contracts.length;

      const items = new Array<PriceItem>(n);
      for (let i = 0; i < n; i++) {
        const c = contracts[i]!;
        const market = marketFromWire(
          md,
          volatilityFor(md.volatility, c.strike_price, c.time_to_expiry, md.spot_price, provider),
        );
        const option = optionFromWire(c);
        items[i] = root === null ? { option, market } : { option, market, seed: childSeedFor(root, i) };
      }

      // Same synchronous step as the estimates above: the version names the surface they were read from.
      const surfaceVersion =
        surfaceId === undefined && (md.volatility === null || md.volatility === undefined)
          ? (volatility.version ?? null)
          : null;
      const outcomes = new Array<PriceOutcome | undefined>(n);
      const cached = new Array<boolean>(n).fill(false);
      let keys: string[] | null = null;
      let missing = items;
      let misses: number[] | null = null;
      if (cacheable) {
        keys = items.map((item) => withSurfaceVersion(resultCacheKey(model, greeks, item), surfaceVersion));
        misses = [];
        for (let i = 0; i < n; i++) {
          const hit = cache.get(keys[i]!);
          if (hit === undefined) misses.push(i);
          else {
            outcomes[i] = hit;
            cached[i] = true;
          }
        }
        missing = misses.map((i) => items[i]!);
      }
      if (missing.length > 0) {
        const task = { kind: 'price' as const, model, greeks, items: missing };
        const priced = await pool.run(task, { signal: priceOptions.signal, placement: priceOptions.placement });
        for (let k = 0; k < priced.length; k++) {
          const index = misses === null ? k : misses[k]!;
          const outcome = priced[k]!;
          outcomes[index] = outcome;
          if (outcome.ok && keys !== null) cache?.set(keys[index]!, outcome);
        }
      }

      const failures = new Array<FailedItem | null>(n);
      const results = new Array<PricingResult>(n);
      for (let i = 0; i < n; i++) {
        const c = contracts[i]!;
        const outcome = outcomes[i]!;
        const id = contractIdOf(c);
        const quantity = c.quantity ?? 1;
        const vol = items[i]!.market.volatility;
        const priced = outcome.ok ? pricedRow(id, quantity, model, vol, outcome, cached[i]!) : null;
        const overflow = priced === null ? null : positionOverflow(priced);
        const failure: FailedItem | null = !outcome.ok
          ? outcome
          : overflow === null
            ? null
            : {
                ok: false,
                code: 'ERR_CORE_INVALID_INPUT',
                param: 'quantity',
                message: overflow,
                seconds: outcome.seconds,
              };
        failures[i] = failure;
        const result = failure === null ? priced! : failedRow(id, quantity, model, vol, failure);
        results[i] = surfaceVersion === null ? result : { ...result, volatility_surface_version: surfaceVersion };
      }

      const totals = portfolio ? portfolioTotals(results) : null;
      if (totals !== null) refuseOverflowingTotals(totals);
      const elapsedMs = performance.now() - started;
      return {
        response: {
          results,
          total_computation_time_ms: elapsedMs,
          options_per_second: elapsedMs > 0 ? n / (elapsedMs / 1000) : 0,
          portfolio_greeks: totals,
          ...(surfaceId === undefined ? {} : { surface_id: surfaceId }),
        },
        failures,
      };
    },
  };
}
