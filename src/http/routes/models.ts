import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { MODELS } from '../../core/models.js';
import { ERROR_RESPONSES, ModelsResponse } from '../schemas.js';

/** GET /api/v1/models (any valid token): every model the service prices, with how each greek is obtained. */

const BODY = {
  models: MODELS.map((m) => ({
    name: m.name,
    exercise_styles: [...m.exerciseStyles],
    greeks: { ...m.greeks },
    description: m.description,
  })),
};

export const modelsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/api/v1/models',
    {
      onRequest: app.requireScope(null),
      schema: {
        tags: ['pricing'],
        summary: 'The pricing models',
        security: [{ bearerAuth: [] }],
        response: { 200: ModelsResponse, ...ERROR_RESPONSES },
      },
    },
    async () => BODY,
  );
};
