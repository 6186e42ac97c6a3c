import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AppError } from '../errors.js';
import { exactSeedOf } from '../json-body.js';
import type { PricingService } from '../pricing-service.js';
import {
  abortOnDisconnect,
  limitListLength,
  plannedPlacement,
  shedWhenPoolFull,
  tooManyContracts,
} from '../request-checks.js';
import { ERROR_RESPONSES, PortfolioGreeks, PricingRequest } from '../schemas.js';

/** POST /api/v1/risk/aggregate-greeks (scope risk:read): price, then answer only the portfolio totals. */

export interface RiskRoutesOptions {
  readonly service: PricingService;
  /** OPE_MAX_RISK_CONTRACTS. */
  readonly maxContracts: number;
}

export const riskRoutes: FastifyPluginAsyncTypebox<RiskRoutesOptions> = async (app, options) => {
  const { service, maxContracts } = options;
  app.post(
    '/api/v1/risk/aggregate-greeks',
    {
      onRequest: app.requireScope('risk:read'),
      preValidation: [
        limitListLength('contracts', maxContracts, tooManyContracts),
        shedWhenPoolFull((body) => service.admit(body, { greeks: true })),
      ],
      schema: {
        tags: ['risk'],
        summary: 'Portfolio greeks of a set of positions (greeks are always computed, whatever calculate_greeks says)',
        security: [{ bearerAuth: [] }],
        body: PricingRequest,
        response: { 200: PortfolioGreeks, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const body = request.body;
      if (body.contracts.length === 0) throw new AppError('ERR_HTTP_NO_CONTRACTS');
      const { response } = await service.price(body, {
        seed: exactSeedOf(body, body.seed),
        greeks: true,
        signal: abortOnDisconnect(reply),
        placement: plannedPlacement(request),
      });
      // greeks: true always yields totals.
      return response.portfolio_greeks!;
    },
  );
};
