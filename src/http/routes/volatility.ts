import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { isCoreError } from '../../core/errors.js';
import { MIN_POINT_VOLATILITY } from '../../core/market/volatility-surface.js';
import { AppError } from '../errors.js';
import { ERROR_RESPONSES } from '../schemas.js';
import type { SurfaceAsOf } from '../../store/volatility-point-store.js';
import type { VolatilitySurfaceStore } from '../volatility-surface-store.js';

/**
 * The volatility surface (docs/api.md, "Volatility surface"): list the points (now, or `as_of` a version or an
 * instant), upsert one (201 once committed to the store), and estimate the volatility at (strike, maturity).
 * Pricing requests without market_data.volatility read the same surface.
 */

export interface VolatilityRoutesOptions {
  readonly store: VolatilitySurfaceStore;
  /** Unix seconds now; injectable so tests can pin the default timestamp. */
  readonly now?: () => number;
}

const VolatilityPointSchema = Type.Object({
  strike: Type.Number({ exclusiveMinimum: 0, maximum: 1e9, examples: [100] }),
  maturity: Type.Number({ exclusiveMinimum: 0, maximum: 50, description: 'Years', examples: [0.5] }),
  volatility: Type.Number({
    exclusiveMinimum: 0,
    maximum: 5,
    description: 'In (0, 5] (422 otherwise), and at least 0.01 (400 otherwise)',
    examples: [0.22],
  }),
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

const SurfaceResponse = Type.Object({
  points: Type.Array(StoredPoint),
  /** Added to the v1 shape: the surface version listed (0 before the first change) and when it was committed. */
  version: Type.Integer({ minimum: 0 }),
  changed_at: Type.Union([Type.String(), Type.Null()]),
});

const SurfaceQuery = Type.Object({
  as_of: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 40,
      description: 'A surface version (1, 2, ...) or an ISO 8601 instant: the surface as it was then',
    }),
  ),
});

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

function asOfProblem(msg: string): AppError {
  return new AppError('ERR_HTTP_VALIDATION', { detail: [{ loc: ['query', 'as_of'], msg, type: 'value_error' }] });
}

/** `as_of` is a version (digits) or an ISO 8601 date or instant (a date alone means its midnight UTC). */
function parseAsOf(text: string): SurfaceAsOf {
  if (/^\d+$/.test(text)) {
    const version = Number(text);
    if (!Number.isSafeInteger(version)) throw asOfProblem('as_of version is too large');
    return { version };
  }
  const time = Date.parse(text);
  if (!ISO_INSTANT.test(text) || Number.isNaN(time))
    throw asOfProblem(
      'as_of must be a surface version (an integer) or an ISO 8601 instant such as 2026-12-07T09:30:00Z',
    );
  return { time: new Date(time) };
}

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
        summary: 'List the volatility surface points, now or as of a version or instant',
        security: [{ bearerAuth: [] }],
        querystring: SurfaceQuery,
        response: { 200: SurfaceResponse, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const asOfText = request.query.as_of;
      if (asOfText === undefined)
        return { points: [...store.points], version: store.version, changed_at: store.changedAt };
      const snapshot = await store.asOf(parseAsOf(asOfText));
      if (snapshot === null) throw asOfProblem(`as_of version ${asOfText} is beyond the latest version`);
      return { points: [...snapshot.points], version: snapshot.version, changed_at: snapshot.changedAt };
    },
  );

  app.post(
    '/api/v1/market-data/volatility',
    {
      onRequest: app.requireScope('market-data:write'),
      schema: {
        tags: ['market-data'],
        summary: 'Upsert one volatility point (replaces the point at the same strike and maturity); 201 once committed',
        security: [{ bearerAuth: [] }],
        body: VolatilityPointSchema,
        response: { 201: StoredPoint, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const body = request.body;
      try {
        const change = await store.upsert(
          {
            strike: body.strike,
            maturity: body.maturity,
            volatility: body.volatility,
            timestamp: now(),
            source: body.source ?? 'market',
          },
          { subject: request.principal?.sub ?? null },
        );
        return reply.code(201).header('X-Surface-Version', String(change.version)).send(change.point);
      } catch (err) {
        if (isCoreError(err) && err.param === 'points') {
          throw new AppError('ERR_HTTP_VALIDATION', {
            detail: [
              { type: 'too_long', loc: ['body'], msg: err.message, input: null, ctx: { max_length: store.maxPoints } },
            ],
            cause: err,
          });
        }
        if (isCoreError(err) && err.param === 'volatility') {
          // Every out-of-range point is a 422 naming the field (the Python service answered 400 here: docs/api.md).
          throw new AppError('ERR_HTTP_VALIDATION', {
            detail: [
              {
                type: 'greater_than_equal',
                loc: ['body', 'volatility'],
                msg: `Input should be greater than or equal to ${MIN_POINT_VOLATILITY}`,
                input: body.volatility,
                ctx: { ge: MIN_POINT_VOLATILITY },
              },
            ],
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
