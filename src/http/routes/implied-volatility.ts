import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ModelName } from '../../core/models.js';
import { AppError } from '../../errors.js';
import type { PricingPool } from '../../pool/pricing-pool.js';
import type { ImpliedVolTask } from '../../pool/tasks.js';
import { contractId } from '../contract-id.js';
import { abortOnDisconnect, limitListLength, tooManyQuotes } from '../request-checks.js';
import { ERROR_RESPONSES, ImpliedVolatilityRequest, ImpliedVolatilityResponse } from '../schemas.js';
import type { VolatilityProvider } from '../volatility-provider.js';

/**
 * POST /api/v1/implied-volatility (scope pricing:read; "Beyond v1" in API-V1.md). Each quote gets its own result
 * in request order; a price outside the no-arbitrage bounds yields a null volatility and an error naming the
 * bound, never a wrong number.
 */

export interface ImpliedVolatilityRoutesOptions {
  readonly pool: Pick<PricingPool, 'run'>;
  /** OPE_MAX_CONTRACTS. */
  readonly maxQuotes: number;
  /** market_data.surface_id -> the stored surface's volatility (rejects with a 422 for an unknown id). Default: refused. */
  readonly surfaceVolatility?: (surfaceId: string) => Promise<VolatilityProvider>;
}

function noSurfaces(): Promise<VolatilityProvider> {
  return Promise.reject(new Error('market_data.surface_id named but no surface store is configured'));
}

/** The model inverted for American quotes when the request names none. */
export const DEFAULT_AMERICAN_MODEL: ModelName = 'binomial_200';

export const impliedVolatilityRoutes: FastifyPluginAsyncTypebox<ImpliedVolatilityRoutesOptions> = async (app, options) => {
  const { pool, maxQuotes } = options;
  app.post(
    '/api/v1/implied-volatility',
    {
      onRequest: app.requireScope('pricing:read'),
      preValidation: limitListLength('quotes', maxQuotes, tooManyQuotes),
      schema: {
        tags: ['pricing'],
        summary: 'Implied volatility of quoted option prices',
        security: [{ bearerAuth: [] }],
        body: ImpliedVolatilityRequest,
        response: { 200: ImpliedVolatilityResponse, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const body = request.body;
      if (body.quotes.length === 0) throw new AppError('ERR_HTTP_NO_QUOTES');
      const md = body.market_data;
      const task: ImpliedVolTask = {
        kind: 'implied-volatility',
        americanModel: (body.model ?? DEFAULT_AMERICAN_MODEL) as ModelName,
        market: { spot: md.spot_price, rate: md.risk_free_rate, dividendYield: md.dividend_yield ?? 0 },
        quotes: body.quotes.map((q) => ({
          type: q.contract.option_type,
          strike: q.contract.strike_price,
          expiry: q.contract.time_to_expiry,
          exercise: q.contract.exercise_style ?? 'european',
          price: q.price,
        })),
      };
      const surfaceId = md.surface_id;
      const surface = surfaceId === undefined ? null : await (options.surfaceVolatility ?? noSurfaces)(surfaceId);
      const outcomes = await pool.run(task, { signal: abortOnDisconnect(reply) });
      return {
        ...(surfaceId === undefined ? {} : { surface_id: surfaceId }),
        results: body.quotes.map((q, i) => {
          const outcome = outcomes[i]!;
          const c = q.contract;
          return {
            contract_id: contractId(c.symbol.toUpperCase(), c.strike_price, c.time_to_expiry, c.option_type),
            implied_volatility: outcome.volatility,
            iterations: outcome.iterations,
            error: outcome.error,
            ...(surface === null ? {} : { surface_volatility: surface.estimate(c.strike_price, c.time_to_expiry, md.spot_price) }),
          };
        }),
      };
    },
  );
};
