import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { isCoreError } from '../../core/errors.js';
import { buildSurface } from '../../core/surface/build-surface.js';
import { AppError, type ValidationIssue } from '../errors.js';
import { ERROR_RESPONSES } from '../schemas.js';
import { surfaceDocumentBody, toQuoteBoard, unixSeconds } from '../surfaces/surface-document.js';
import type { SurfaceRepository } from '../surfaces/surface-repository.js';
import { SurfaceListQuery, SurfaceRefusal, SurfaceRequest, SurfaceSummary } from '../surfaces/surface-schemas.js';

/**
 * Calibrated volatility surfaces (docs/api.md, "Calibrated surfaces"): POST a quote board, get back the
 * cleaned, checked and calibrated surface under a content-hash id; read them back by id or as a list.
 * Calibration runs on the request thread: it is bounded (MAX_SURFACE_QUOTES) and takes milliseconds.
 */

export interface SurfacesRoutesOptions {
  readonly surfaces: SurfaceRepository;
  /** Injectable clock for the store's created_at. */
  readonly now?: () => Date;
}

/** Core parameter names -> request field names. */
const WIRE_NAMES: Readonly<Record<string, string>> = {
  asOf: 'as_of',
  rate: 'risk_free_rate',
  dividendYield: 'dividend_yield',
  optionType: 'option_type',
  bidIv: 'bid_iv',
  askIv: 'ask_iv',
  midIv: 'mid_iv',
  bidPrice: 'bid_price',
  askPrice: 'ask_price',
  midPrice: 'mid_price',
};

/** 'quotes[3].bidIv' -> ['body', 'quotes', 3, 'bid_iv']. */
function locationOf(param: string | undefined): (string | number)[] {
  const loc: (string | number)[] = ['body'];
  for (const part of (param ?? '').split('.')) {
    const match = /^([A-Za-z_]+)(?:\[(\d+)\])?$/.exec(part);
    if (match === null) continue;
    loc.push(WIRE_NAMES[match[1]!] ?? match[1]!);
    if (match[2] !== undefined) loc.push(Number(match[2]));
  }
  return loc;
}

function refuse(issues: ValidationIssue[]): AppError {
  return new AppError('ERR_HTTP_VALIDATION', { detail: issues });
}

const IdParams = Type.Object({ id: Type.String({ maxLength: 128 }) });

export const surfacesRoutes: FastifyPluginAsyncTypebox<SurfacesRoutesOptions> = async (app, options) => {
  const { surfaces } = options;
  const now = options.now ?? (() => new Date());

  app.post(
    '/api/v1/surfaces',
    {
      onRequest: app.requireScope('market-data:write'),
      schema: {
        tags: ['market-data'],
        summary: 'Clean, check and calibrate a quote board into a stored volatility surface',
        security: [{ bearerAuth: [] }],
        body: SurfaceRequest,
        response: {
          201: Type.Unknown({ description: 'The stored surface document (docs/api.md, "Calibrated surfaces")' }),
          200: Type.Unknown({ description: 'The same surface was already stored: the stored document, byte for byte' }),
          ...ERROR_RESPONSES,
          422: SurfaceRefusal,
        },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const asOf = unixSeconds(body.as_of);
      const issues: ValidationIssue[] = [];
      if (asOf === null)
        issues.push({
          loc: ['body', 'as_of'],
          msg: 'Input should be a valid ISO 8601 datetime',
          type: 'datetime_parsing',
        });
      body.quotes.forEach((q, i) => {
        if (q.timestamp !== undefined && unixSeconds(q.timestamp) === null) {
          issues.push({
            loc: ['body', 'quotes', i, 'timestamp'],
            msg: 'Input should be a valid ISO 8601 datetime',
            type: 'datetime_parsing',
          });
        }
      });
      if (issues.length > 0) throw refuse(issues);

      let build;
      try {
        build = buildSurface(toQuoteBoard(body, asOf!), {
          maxAgeSeconds: body.max_age_seconds ?? 300,
          beta: body.beta ?? 0.5,
        });
      } catch (err) {
        if (isCoreError(err) && err.code === 'ERR_CORE_INVALID_INPUT') {
          throw refuse([{ loc: locationOf(err.param), msg: err.message, type: 'value_error' }]);
        }
        throw err;
      }
      if (build.violations.length > 0 && body.allow_arbitrage !== true) {
        const kinds = [...new Set(build.violations.map((v) => v.kind))].join(', ');
        return reply.code(422).send({
          detail: [
            {
              loc: ['body', 'quotes'],
              msg: `the board has ${build.violations.length} static-arbitrage violation(s) (${kinds}); nothing was stored (allow_arbitrage: true stores it with the list)`,
              type: 'arbitrage',
            },
          ],
          request_id: request.id,
          violations: [...build.violations],
        });
      }
      const stored = await surfaces.save(surfaceDocumentBody(body, build), now());
      reply.header('location', `/api/v1/surfaces/${stored.id}`);
      return reply
        .code(stored.inserted ? 201 : 200)
        .type('application/json; charset=utf-8')
        .send(stored.body);
    },
  );

  app.get(
    '/api/v1/surfaces',
    {
      onRequest: app.requireScope('market-data:read'),
      schema: {
        tags: ['market-data'],
        summary: 'Stored surfaces, newest first',
        security: [{ bearerAuth: [] }],
        querystring: SurfaceListQuery,
        response: { 200: Type.Object({ surfaces: Type.Array(SurfaceSummary) }), ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const limit = request.query.limit === undefined ? 100 : Number(request.query.limit);
      if (!(limit >= 1 && limit <= 1000))
        throw refuse([{ loc: ['query', 'limit'], msg: 'Input should be between 1 and 1000', type: 'value_error' }]);
      const list = await surfaces.list(limit, now());
      return {
        surfaces: list.map(({ document, createdAt }) => ({
          surface_id: document.surface_id,
          as_of: document.as_of,
          created_at: createdAt,
          expiries: document.slices.map((s) => s.expiry),
          models: document.slices.map((s) => s.model),
          violations: document.violations.length,
        })),
      };
    },
  );

  app.get(
    '/api/v1/surfaces/:id',
    {
      onRequest: app.requireScope('market-data:read'),
      schema: {
        tags: ['market-data'],
        summary: 'One stored surface: parameters, per-expiry RMSE and model choice, cleaning and arbitrage reports',
        security: [{ bearerAuth: [] }],
        params: IdParams,
        response: {
          200: Type.Unknown({ description: 'The stored surface document, byte for byte' }),
          ...ERROR_RESPONSES,
          404: ERROR_RESPONSES[422],
        },
      },
    },
    async (request, reply) => {
      const found = await surfaces.get(request.params.id, now());
      if (found === null)
        throw new AppError('ERR_HTTP_NOT_FOUND', { detail: `Surface ${request.params.id} not found` });
      return reply.type('application/json; charset=utf-8').send(found.body);
    },
  );
};
