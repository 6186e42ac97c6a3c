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
import { ERROR_RESPONSES, PricingBatchResponse, PricingRequest } from '../schemas.js';

/** POST /api/v1/pricing/single and /api/v1/pricing/batch (scope pricing:read). */

export interface PricingRoutesOptions {
  readonly service: PricingService;
  /** OPE_MAX_CONTRACTS. */
  readonly maxContracts: number;
}

export const pricingRoutes: FastifyPluginAsyncTypebox<PricingRoutesOptions> = async (app, options) => {
  const { service, maxContracts } = options;
  const schema = (summary: string) => ({
    tags: ['pricing'],
    summary,
    security: [{ bearerAuth: [] }],
    body: PricingRequest,
    response: { 200: PricingBatchResponse, ...ERROR_RESPONSES },
  });

  app.post(
    '/api/v1/pricing/single',
    {
      onRequest: app.requireScope('pricing:read'),
      preValidation: [
        limitListLength('contracts', maxContracts, tooManyContracts),
        shedWhenPoolFull((body) => service.admit(body)),
      ],
      schema: schema('Price exactly one contract'),
    },
    async (request, reply) => {
      const body = request.body;
      if (body.contracts.length === 0) throw new AppError('ERR_HTTP_NO_CONTRACTS');
      if (body.contracts.length !== 1) throw new AppError('ERR_HTTP_SINGLE_EXPECTS_ONE');
      const { response, failures } = await service.price(body, {
        seed: exactSeedOf(body, body.seed),
        signal: abortOnDisconnect(reply),
        placement: plannedPlacement(request),
      });
      const failure = failures[0];
      if (failure) {
        // Bad inputs are the client's: 400 with the core's message. Anything else is ours.
        if (failure.code === 'ERR_POOL_WORKER_FAILED') throw new AppError('ERR_HTTP_INTERNAL', { cause: failure });
        throw new AppError(failure.code, { detail: failure.message });
      }
      return response;
    },
  );

  app.post(
    '/api/v1/pricing/batch',
    {
      onRequest: app.requireScope('pricing:read'),
      preValidation: [
        limitListLength('contracts', maxContracts, tooManyContracts),
        shedWhenPoolFull((body) => service.admit(body)),
      ],
      schema: schema(`Price 1..OPE_MAX_CONTRACTS contracts under one market_data`),
    },
    async (request, reply) => {
      const body = request.body;
      if (body.contracts.length === 0) throw new AppError('ERR_HTTP_NO_CONTRACTS');
      const { response } = await service.price(body, {
        seed: exactSeedOf(body, body.seed),
        signal: abortOnDisconnect(reply),
        placement: plannedPlacement(request),
      });
      return response;
    },
  );
};
