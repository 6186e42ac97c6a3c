import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AppError } from '../errors.js';
import type { PricingPool } from '../../pool/pricing-pool.js';
import type { ImpliedVolTask } from '../../pool/tasks.js';
import {
  abortOnDisconnect,
  limitListLength,
  NOT_PLANNED,
  plannedPlacement,
  shedWhenPoolFull,
  tooManyQuotes,
} from '../request-checks.js';
import { ERROR_RESPONSES, ImpliedVolatilityRequest, ImpliedVolatilityResponse } from '../schemas.js';
import type { VolatilityProvider } from '../volatility-provider.js';
import { DEFAULT_AMERICAN_MODEL, impliedVolResponse, impliedVolShapeOf, quoteItemsFromWire } from '../wire.js';

/**
 * POST /api/v1/implied-volatility (scope pricing:read; "Beyond v1" in docs/api.md). Each quote gets its own result
 * in request order; a price outside the no-arbitrage bounds yields a null volatility and an error naming the
 * bound, never a wrong number. Shed before validation like pricing when the pool would refuse the work.
 */

export interface ImpliedVolatilityRoutesOptions {
  /** plan and refuseAtOnce are optional: without them, requests are never shed before validation. */
  readonly pool: Pick<PricingPool, 'run'> & Partial<Pick<PricingPool, 'refuseAtOnce' | 'plan'>>;
  /** OPE_MAX_CONTRACTS. */
  readonly maxQuotes: number;
  /** market_data.surface_id -> the stored surface's volatility (rejects with a 422 for an unknown id). Default: refused. */
  readonly surfaceVolatility?: (surfaceId: string) => Promise<VolatilityProvider>;
}

function noSurfaces(): Promise<VolatilityProvider> {
  return Promise.reject(new Error('market_data.surface_id named but no surface store is configured'));
}

export { DEFAULT_AMERICAN_MODEL } from '../wire.js';

export const impliedVolatilityRoutes: FastifyPluginAsyncTypebox<ImpliedVolatilityRoutesOptions> = async (
  app,
  options,
) => {
  const { pool, maxQuotes } = options;
  const admit = (body: unknown) => {
    if (pool.plan === undefined || pool.refuseAtOnce === undefined) return NOT_PLANNED;
    const shape = impliedVolShapeOf(body);
    if (shape === null) return NOT_PLANNED;
    const placement = pool.plan(shape);
    return { placement, refusal: pool.refuseAtOnce(placement, shape) };
  };
  app.post(
    '/api/v1/implied-volatility',
    {
      onRequest: app.requireScope('pricing:read'),
      preValidation: [limitListLength('quotes', maxQuotes, tooManyQuotes), shedWhenPoolFull(admit)],
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
      const task: ImpliedVolTask = {
        kind: 'implied-volatility',
        americanModel: body.model ?? DEFAULT_AMERICAN_MODEL,
        items: quoteItemsFromWire(body),
      };
      const md = body.market_data;
      const surfaceId = md.surface_id;
      const surface = surfaceId === undefined ? null : await (options.surfaceVolatility ?? noSurfaces)(surfaceId);
      const outcomes = await pool.run(task, { signal: abortOnDisconnect(reply), placement: plannedPlacement(request) });
      const response = impliedVolResponse(body, outcomes);
      if (surfaceId === undefined || surface === null) return response;
      return {
        ...response,
        surface_id: surfaceId,
        results: response.results.map((result, i) => {
          const c = body.quotes[i]!.contract;
          return { ...result, surface_volatility: surface.estimate(c.strike_price, c.time_to_expiry, md.spot_price) };
        }),
      };
    },
  );
};
