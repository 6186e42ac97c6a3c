import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { isCoreError } from '../../core/errors.js';
import { AppError } from '../../errors.js';
import { ERROR_RESPONSES } from '../schemas.js';
import type { VolatilitySurfaceStore } from '../volatility-surface-store.js';

/**
 * The in-memory volatility surface (API-V1.md, "Volatility surface"): list the points, upsert one (201), and
 * estimate the volatility at (strike, maturity). Pricing requests without market_data.volatility read the
 * same store.
 */

export interface VolatilityRoutesOptions {
  readonly store: VolatilitySurfaceStore;
  /** Unix seconds now; injectable so tests can pin the default timestamp. */
  readonly now?: () => number;
}

const VolatilityPointSchema = Type.Object({
  strike: Type.Number({ exclusiveMinimum: 0, maximum: 1e9, examples: [100] }),
  maturity: Type.Number({ exclusiveMinimum: 0, maximum: 50, description: 'Years', examples: [0.5] }),
  volatility: Type.Number({ exclusiveMinimum: 0, maximum: 5, description: 'In (0, 5] (422 otherwise), and at least 0.01 (400 otherwise)', examples: [0.22] }),
  // A client-sent `timestamp` is ignored, as the Python service ignored it: the stored time is the server's.
  source: Type.Optional(Type.String({ minLength: 1, maxLength: 32, default: 'market' })),
});

const StoredPoint = Type.Object({
  strike: Type.Number(),
  maturity: Type.Number(),
  volatility: Type.Number(),
  timestamp: Type.Number(),
  source: Type.String(),
});

const EstimateRequest = Type.Object({
  strike: Type.Number({ exclusiveMinimum: 0, maximum: 1e9 }),
  maturity: Type.Number({ exclusiveMinimum: 0, maximum: 50 }),
  spot: Type.Number({ exclusiveMinimum: 0, maximum: 1e9 }),
});

export const volatilityRoutes: FastifyPluginAsyncTypebox<VolatilityRoutesOptions> = async (app, options) => {
  const { store } = options;
  const now = options.now ?? (() => Date.now() / 1000);

  app.get(
    '/api/v1/market-data/volatility',
    {
      onRequest: app.requireScope('market-data:read'),
      schema: {
        tags: ['market-data'],
        summary: 'List the volatility surface points',
        security: [{ bearerAuth: [] }],
        response: { 200: Type.Object({ points: Type.Array(StoredPoint) }), ...ERROR_RESPONSES },
      },
    },
    async () => ({ points: [...store.points] }),
  );

  app.post(
    '/api/v1/market-data/volatility',
    {
      onRequest: app.requireScope('market-data:write'),
      schema: {
        tags: ['market-data'],
        summary: 'Upsert one volatility point (replaces the point at the same strike and maturity)',
        security: [{ bearerAuth: [] }],
        body: VolatilityPointSchema,
        response: { 201: StoredPoint, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const body = request.body;
      try {
        const stored = store.upsert({
          strike: body.strike,
          maturity: body.maturity,
          volatility: body.volatility,
          timestamp: now(),
          source: body.source ?? 'market',
        });
        return reply.code(201).send(stored);
      } catch (err) {
        if (isCoreError(err) && err.param === 'points') {
          throw new AppError('ERR_HTTP_VALIDATION', {
            detail: [{ type: 'too_long', loc: ['body'], msg: err.message, input: null, ctx: { max_length: store.maxPoints } }],
            cause: err,
          });
        }
        if (isCoreError(err)) throw new AppError('ERR_HTTP_BAD_REQUEST', { detail: err.message, cause: err });
        throw err;
      }
    },
  );

  app.post(
    '/api/v1/market-data/volatility/estimate',
    {
      onRequest: app.requireScope('market-data:read'),
      schema: {
        tags: ['market-data'],
        summary: 'Interpolated volatility at (strike, maturity)',
        security: [{ bearerAuth: [] }],
        body: EstimateRequest,
        response: { 200: Type.Object({ volatility: Type.Number() }), ...ERROR_RESPONSES },
      },
    },
    async (request) => ({ volatility: store.estimate(request.body.strike, request.body.maturity, request.body.spot) }),
  );
};
