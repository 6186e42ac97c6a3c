import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import type { TSchema } from 'typebox';
import {
  Contract,
  ErrorResponse,
  HealthResponse,
  ImpliedVolatilityRequest,
  ImpliedVolatilityResponse,
  MarketData,
  ModelsResponse,
  PortfolioGreeks,
  PricingBatchResponse,
  PricingRequest,
  PricingResult,
  ValidationIssueSchema,
} from './schemas.js';
import { RATE_LIMITED_PREFIX } from './plugins/rate-limit.js';

/**
 * What makes the served OpenAPI document usable by a client generator (docs/api.md, "OpenAPI"), added around
 * @fastify/swagger rather than in every route, so routes added later get it too:
 *
 * - operationIds as FastAPI made them: `{name}{path with non-word characters as _}_{method}`, with the Python
 *   service's handler names for its routes (so generated clients keep their method names) and, for the others,
 *   the last literal path segment as the name (a route may also set `schema.operationId` itself);
 * - named component schemas: the shared wire shapes of schemas.ts under the Python service's names, and any schema
 *   that carries a `title`, are moved to components.schemas and referenced;
 * - `security: []` on routes that declare no security (they need no token);
 * - a description for every response status instead of "Default Response", and the headers OPE sends:
 *   Retry-After on 429 and 503, X-RateLimit-* on the rate-limited routes, X-Request-ID everywhere.
 * The `servers` entry is the origin the document was requested from (see servedDocument).
 */

/** The Python service's handler names (FastAPI derived its operationIds from them). */
const FASTAPI_NAMES: Readonly<Record<string, string>> = {
  'POST /api/v1/pricing/single': 'single',
  'POST /api/v1/pricing/batch': 'batch',
  'POST /api/v1/risk/aggregate-greeks': 'aggregate_greeks',
  'GET /api/v1/market-data/volatility': 'list_volatility_points',
  'POST /api/v1/market-data/volatility': 'upsert_volatility_point',
  'POST /api/v1/market-data/volatility/estimate': 'estimate_volatility',
  'GET /healthz': 'healthz',
  'GET /health': 'health',
};

/** schemas.ts's shared shapes and their component names (the Python service's where it had the shape). */
const COMPONENT_NAMES = new Map<TSchema, string>([
  [Contract, 'OptionContractRequest'],
  [MarketData, 'MarketDataRequest'],
  [PricingRequest, 'PricingRequest'],
  [PricingResult, 'PricingResultResponse'],
  [PortfolioGreeks, 'PortfolioGreeksResponse'],
  [PricingBatchResponse, 'PricingBatchResponse'],
  [ImpliedVolatilityRequest, 'ImpliedVolatilityRequest'],
  [ImpliedVolatilityResponse, 'ImpliedVolatilityResponse'],
  [ModelsResponse, 'ModelsResponse'],
  [HealthResponse, 'HealthResponse'],
  [ErrorResponse, 'ErrorResponse'],
  [ValidationIssueSchema, 'ValidationError'],
]);

const RESPONSE_DESCRIPTIONS: Readonly<Record<string, string>> = {
  '200': 'Success',
  '201': 'Created',
  '204': 'No content',
  '307': 'Redirect to the canonical path',
  '400': 'Malformed request: the body is not JSON, or a header is invalid',
  '401': 'Missing, malformed, expired or unverifiable bearer token',
  '403': 'The token lacks the scope this route requires, or the Origin is not allowed',
  '404': 'No such resource',
  '405': 'Method not allowed on this path',
  '409': 'Conflict with the stored state',
  '413': 'Body larger than MAX_BODY_BYTES, or more items than the configured maximum',
  '415': 'Content-Type is not application/json',
  '422': 'Validation error: `detail` lists each problem with the JSON path of the field',
  '429': 'Rate limit exceeded for this client: retry after Retry-After seconds',
  '500': 'Internal error (logged under the X-Request-ID)',
  '503': 'Overloaded, draining or authentication unavailable: retry after Retry-After seconds',
};

const HEADER_SCHEMAS = {
  'X-Request-ID': {
    description: 'The request id (echoed if the client sent a valid one); it is in every log line of the request',
    schema: { type: 'string' },
  },
  'Retry-After': {
    description: 'Whole seconds after which a retry has a fair chance',
    schema: { type: 'integer', minimum: 1 },
  },
  'X-RateLimit-Limit': {
    description: 'Requests allowed per window for this client (RATE_LIMIT_DEFAULT)',
    schema: { type: 'integer' },
  },
  'X-RateLimit-Remaining': { description: 'Requests left in the current window', schema: { type: 'integer' } },
  'X-RateLimit-Reset': { description: 'Seconds until the window resets', schema: { type: 'integer' } },
} as const;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** FastAPI's generate_unique_id: name + path, every non-word character replaced by "_", then "_" + method. */
export function fastApiOperationId(name: string, method: string, url: string): string {
  return `${name}${url}`.replace(/\W/g, '_') + `_${method.toLowerCase()}`;
}

function operationName(method: string, url: string): string {
  const known = FASTAPI_NAMES[`${method} ${url}`];
  if (known !== undefined) return known;
  const literal = url
    .split('/')
    .filter((segment) => segment !== '' && !segment.startsWith(':') && !segment.startsWith('{'));
  return (literal.at(-1) ?? 'root').replace(/\W/g, '_');
}

/** A copy of a route's schema where schemas.ts's shared shapes carry their component name as `title`. */
function withComponentTitles(node: unknown, seen = new Map<object, unknown>()): unknown {
  if (typeof node !== 'object' || node === null) return node;
  const done = seen.get(node);
  if (done !== undefined) return done;
  if (Array.isArray(node)) {
    const copy: unknown[] = [];
    seen.set(node, copy);
    for (const item of node) copy.push(withComponentTitles(item, seen));
    return copy;
  }
  const copy: Json = {};
  seen.set(node, copy);
  for (const [key, value] of Object.entries(node)) copy[key] = withComponentTitles(value, seen);
  const name = COMPONENT_NAMES.get(node as TSchema);
  if (name !== undefined && copy.title === undefined) copy.title = name;
  return copy;
}

const transform: NonNullable<FastifyDynamicSwaggerOptions['transform']> = ({ schema, url, route }) => {
  const methods = Array.isArray(route.method) ? route.method : [route.method];
  const method = methods.find((m) => m !== 'HEAD') ?? 'GET';
  const documented = withComponentTitles(schema ?? {}) as Json;
  documented.operationId ??= fastApiOperationId(operationName(method, url), method, url);
  documented.security ??= [];
  return { schema: documented as never, url };
};

/** Moves every schema with a `title` into components.schemas and points its uses there. */
function hoistNamedSchemas(document: Json): void {
  const components = (isObject(document.components) ? document.components : (document.components = {})) as Json;
  const schemas = (isObject(components.schemas) ? components.schemas : (components.schemas = {})) as Json;
  const visit = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(visit);
    if (!isObject(node)) return node;
    const out: Json = {};
    for (const [key, value] of Object.entries(node))
      out[key] = key === 'examples' || key === 'example' ? value : visit(value);
    const title = out.title;
    if (
      typeof title === 'string' &&
      /^[A-Z][A-Za-z0-9]*$/.test(title) &&
      (out.type !== undefined || out.properties !== undefined)
    ) {
      const existing = schemas[title];
      if (existing === undefined || JSON.stringify(existing) === JSON.stringify(out)) {
        schemas[title] = out;
        return { $ref: `#/components/schemas/${title}` };
      }
    }
    return out;
  };
  document.paths = visit(document.paths);
}

function completeResponses(document: Json): void {
  for (const [path, item] of Object.entries(isObject(document.paths) ? document.paths : {})) {
    if (!isObject(item)) continue;
    for (const operation of Object.values(item)) {
      if (!isObject(operation) || !isObject(operation.responses)) continue;
      const rateLimited =
        path.startsWith(RATE_LIMITED_PREFIX) && Array.isArray(operation.security) && operation.security.length > 0;
      for (const [status, response] of Object.entries(operation.responses)) {
        if (!isObject(response)) continue;
        if (response.description === 'Default Response' || response.description === undefined) {
          response.description = RESPONSE_DESCRIPTIONS[status] ?? `HTTP ${status}`;
        }
        const headers: Json = isObject(response.headers) ? response.headers : {};
        headers['X-Request-ID'] ??= HEADER_SCHEMAS['X-Request-ID'];
        if (status === '429' || status === '503') headers['Retry-After'] ??= HEADER_SCHEMAS['Retry-After'];
        if (rateLimited) {
          for (const name of ['X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset'] as const)
            headers[name] ??= HEADER_SCHEMAS[name];
        }
        response.headers = headers;
      }
    }
  }
}

export interface OpenApiOptions {
  readonly version: string;
}

/** The @fastify/swagger options of app.ts: the document's fixed parts and the two transforms above. */
export function openApiOptions(options: OpenApiOptions): FastifyDynamicSwaggerOptions {
  return {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'OPE, the Options Pricing Engine',
        version: options.version,
        description: 'HTTP API v1: prices, greeks and implied volatility of equity options (docs/api.md).',
        license: { name: 'UNLICENSED', identifier: 'UNLICENSED' },
      },
      tags: [
        { name: 'pricing', description: 'Prices and greeks of option contracts' },
        { name: 'risk', description: 'Portfolio greeks' },
        { name: 'market-data', description: 'The volatility surface' },
        { name: 'operations', description: 'Health, probes and metrics (no token)' },
      ],
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    },
    transform,
    transformObject: (documentObject) => {
      const document = structuredClone((documentObject as { openapiObject: Json }).openapiObject);
      hoistNamedSchemas(document);
      completeResponses(document);
      return document as never;
    },
  };
}

/** The document as served at /openapi.json: `servers` is the origin the client reached. */
export function servedDocument(document: object, origin: string): object {
  return { ...document, servers: [{ url: origin, description: 'This OPE instance' }] };
}
