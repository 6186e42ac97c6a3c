import Fastify, { LogController } from 'fastify';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import authPlugin from '../auth/auth-plugin.js';
import type { DevIdentity } from '../auth/dev-identity.js';
import type { Authenticator } from '../auth/authenticator.js';
import type { Config } from '../config/config.js';
import type { Metrics } from '../observability/metrics.js';
import { createAccessLog, lazyChildLogger } from '../observability/access-log.js';
import { createLogger } from '../observability/logger.js';
import { requestLogging } from '../observability/request-logging.js';
import { traceLogging } from '../observability/trace-context.js';
import type { Tracing } from '../observability/tracing.js';
import type { PricingPool } from '../pool/pricing-pool.js';
import { installErrorHandling, sendError } from './error-handler.js';
import { decodeJsonBytes, maxStringBytesFor, parseJsonBody } from './json-body.js';
import { coerceLax } from './lax-coercion.js';
import { openApiOptions, servedDocument } from './openapi.js';
import { corsAllowlist } from './plugins/cors.js';
import { hostAllowlist } from './plugins/host-allowlist.js';
import { createLocalRateLimitCounter } from './plugins/local-rate-limit-counter.js';
import type { RateLimitCounter } from './plugins/local-rate-limit-counter.js';
import { rateLimiting } from './plugins/rate-limit.js';
import { clientContext, currentClient } from './plugins/client-context.js';
import { FairShare } from '../pool/fair-share.js';
import { createPricingService } from './pricing-service.js';
import { requestContext, requestIdFor, setCommonHeaders } from './request-context.js';
import { createResultCache } from './result-cache.js';
import { sharedSerializerFactory } from './shared-serializers.js';
import { createLifecycle, healthRoutes } from './routes/health.js';
import { probeRoutes } from './routes/probes.js';
import {
  clientErrorHandler,
  closeUnansweredConnections,
  deferContinue,
  requestGuards,
  serverOptions,
} from './server-hardening.js';
import type { Lifecycle } from './routes/health.js';
import { impliedVolatilityRoutes } from './routes/implied-volatility.js';
import { metricsRoutes } from './routes/metrics.js';
import { modelsRoutes } from './routes/models.js';
import { playgroundRoutes } from './routes/playground.js';
import { quoteRoutes } from './quote/routes.js';
import type { DocumentStore } from '../store/document-store.js';
import { MemoryDocumentStore } from '../store/memory-document-store.js';
import { pricingRoutes } from './routes/pricing.js';
import { redocRoutes } from './routes/redoc.js';
import { riskRoutes } from './routes/risk.js';
import { surfacesRoutes } from './routes/surfaces.js';
import { SurfaceRepository } from './surfaces/surface-repository.js';
import { surfaceVolatilityResolver } from './surfaces/surface-volatility.js';
import { AJV_OPTIONS, addOpeKeywords } from './validation.js';
import { packageVersion } from './version.js';
import { volatilityRoutes } from './routes/volatility.js';
import { VolatilitySurfaceStore } from './volatility-surface-store.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Shutdown state: main.ts starts draining on SIGTERM/SIGINT, /healthz reports it. */
    lifecycle: Lifecycle;
  }
}

export interface AppDependencies {
  readonly config: Config;
  readonly metrics: Metrics;
  readonly pool: Pick<PricingPool, 'run'> & Partial<Pick<PricingPool, 'refuseAtOnce' | 'plan'>>;
  readonly authenticator: Authenticator;
  /** Default: a new JSON logger at config.logLevel on stdout. */
  readonly logger?: FastifyBaseLogger;
  /**
   * The volatility surface: served by the market-data routes and read by pricing requests without
   * market_data.volatility. Default: a new, empty surface (which answers 0.20 until it holds 4 points).
   */
  readonly surface?: VolatilitySurfaceStore;
  /** Default: a fresh lifecycle (not draining). */
  readonly lifecycle?: Lifecycle;
  /** Default: package.json's version. */
  readonly version?: string;
  /**
   * Where rate-limit windows are counted. Default: Redis at OPE_RATE_LIMIT_REDIS_URL when it is set (shared by
   * every instance), else this process's memory. The app closes it when it closes.
   */
  readonly rateLimitCounter?: RateLimitCounter;
  /**
   * The embedded development identity, when main.ts made one (no OIDC, no DEV_JWT_SECRET, not production): the
   * playground then hands its page a short-lived pricing:read token (routes/playground.ts). Default: none.
   */
  readonly devIdentity?: DevIdentity | null;
  /** Where calibrated surfaces, quote capsules and idempotency records live. Default: a new in-memory store (nothing outlives the process). */
  readonly documentStore?: DocumentStore;
  /** OpenTelemetry tracing, when main.ts started it (OTEL_EXPORTER_OTLP_ENDPOINT set). Default: none. */
  readonly tracing?: Pick<Tracing, 'plugin'> | null;
}

/**
 * The HTTP application: Fastify 5 with TypeBox schemas, validated without coercion, one plugin per resource.
 * It does not listen; main.ts (or a test) calls listen() and owns the pool and authenticator it passes in.
 */
export async function buildApp(deps: AppDependencies): Promise<FastifyInstance> {
  const { config, metrics, authenticator } = deps;
  // Each client's share of the pricing pool (OPE_FAIR_SHARE_SECONDS), keyed like the rate limit.
  const pool = new FairShare({
    shareSeconds: config.http.fairShareSeconds,
    threads: config.pool.threads,
    clientOf: currentClient,
    metrics,
  }).wrap(deps.pool);
  const logger: FastifyBaseLogger =
    deps.logger ?? createLogger({ level: config.logLevel, base: { environment: config.environment } });
  const lifecycle = deps.lifecycle ?? createLifecycle();
  const version = deps.version ?? packageVersion();

  const app = Fastify({
    loggerInstance: logger,
    childLoggerFactory: lazyChildLogger,
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'request_id' }),
    genReqId: requestIdFor,
    bodyLimit: config.http.maxBodyBytes,
    // Slow clients are cut off; Node's own refusals answer in OPE's format (server-hardening.ts).
    ...serverOptions({
      headersTimeoutMs: config.http.headersTimeoutSeconds * 1000,
      requestTimeoutMs: config.http.requestTimeoutSeconds * 1000,
    }),
    clientErrorHandler,
    // During shutdown, requests already on an open connection are still answered (health says "draining")
    // and the connection is then closed; Fastify's bare 503 would skip our headers and body format.
    return503OnClosing: false,
    ajv: { customOptions: { ...AJV_OPTIONS }, plugins: [addOpeKeywords as never] },
    // Response serializers compiled once per process, not once per app (shared-serializers.ts).
    schemaController: { compilersFactory: { buildSerializer: sharedSerializerFactory() } },
    // Errors raised before routing (a URL that does not decode) skip the hooks: add the common headers here.
    frameworkErrors: (error, request, reply) => {
      setCommonHeaders(reply, request.id);
      sendError(error, request, reply, { metrics });
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.decorate('lifecycle', lifecycle);
  deferContinue(app.server);
  const dropUnanswered = closeUnansweredConnections(app.server);
  app.addHook('preClose', (done) => {
    dropUnanswered();
    done();
  });
  // First of all onRequest hooks: a request for a host we do not serve gets no further.
  await app.register(hostAllowlist, { allowedHosts: config.http.allowedHosts });
  // Before every route, so each one gets its request span; then trace_id on the request's log lines.
  if (deps.tracing !== undefined && deps.tracing !== null) await app.register(deps.tracing.plugin);
  await app.register(traceLogging);

  const maxStringBytes = maxStringBytesFor(config.http.maxBodyBytes);
  app.removeContentTypeParser('application/json');
  // Only JSON is accepted: a text/plain body is 415, not a string that fails validation with 422.
  app.removeContentTypeParser('text/plain');
  // application/json and every application/*+json, as the Python service read them; bytes, so that UTF-16 and
  // UTF-32 bodies are decoded as Python's json.loads decodes them (decodeJsonBytes).
  const jsonParser = (
    _request: unknown,
    body: string | Buffer,
    done: (error: Error | null, value?: unknown) => void,
  ): void => {
    try {
      done(null, parseJsonBody(decodeJsonBytes(body as Buffer), { maxStringBytes }));
    } catch (error) {
      done(error as Error, undefined);
    }
  };
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: config.http.maxBodyBytes }, jsonParser);
  app.addContentTypeParser(
    /^application\/[a-z0-9!#$&^_.-]+\+json$/i,
    { parseAs: 'buffer', bodyLimit: config.http.maxBodyBytes },
    jsonParser,
  );

  // pydantic's lax mode, as the Python service accepted input (lax-coercion.ts): before every route's validation.
  // Callback style, not async: nothing here waits, and an async hook costs every request a promise and a microtask.
  app.addHook('preValidation', (request, _reply, done) => {
    const schema = request.routeOptions.schema?.body;
    if (schema !== undefined) coerceLax(schema, request.body);
    done();
  });

  await app.register(requestContext, { isDraining: () => lifecycle.draining });
  await app.register(requestLogging, { metrics, accessLog: createAccessLog(logger) });
  installErrorHandling(app, { metrics });
  await app.register(authPlugin, { authenticator, metrics });
  await app.register(corsAllowlist, {
    allowedOrigins: config.http.allowedOrigins,
    allowCredentials: config.http.corsAllowCredentials,
  });
  const rateLimitCounter =
    deps.rateLimitCounter ??
    (config.http.rateLimitRedisUrl === null
      ? createLocalRateLimitCounter()
      : // Loaded only when configured: ioredis is some 45 modules a service without Redis never needs.
        (await import('./plugins/redis-rate-limit-counter.js')).createRedisRateLimitCounter({
          url: config.http.rateLimitRedisUrl,
          logger,
        }));
  await app.register(rateLimiting, { limit: config.http.rateLimit, counter: rateLimitCounter, authenticator, metrics });
  // After the rate limiter (which counts unknown routes): 404 before the body, Expect answered after the checks.
  await app.register(requestGuards, { maxBodyBytes: config.http.maxBodyBytes });
  await app.register(clientContext);

  if (!config.isProduction) {
    await app.register(swagger, {
      ...openApiOptions({ version }),
      // Shared schemas (the quote API's) appear under their $id in components.schemas.
      refResolver: {
        buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`),
      },
    });
    await app.register(swaggerUi, { routePrefix: '/docs' });
    app.get('/openapi.json', { schema: { hide: true } }, async (request) =>
      servedDocument(app.swagger(), `${request.protocol}://${request.host}`),
    );
    await app.register(redocRoutes, { title: 'OPE, the Options Pricing Engine', specUrl: '/openapi.json' });
  }

  const surface = deps.surface ?? new VolatilitySurfaceStore({ maxPoints: config.volatilityMaxPoints });
  const documentStore = deps.documentStore ?? new MemoryDocumentStore();
  const surfaces = new SurfaceRepository(documentStore);
  const surfaceVolatility = surfaceVolatilityResolver(surfaces);
  const service = createPricingService({
    pool,
    volatility: surface,
    cache: createResultCache({ size: config.cacheSize, ttlSeconds: config.cacheTtlSeconds }),
    monteCarloSeed: config.monteCarloSeed,
    surfaceVolatility,
  });

  await app.register(healthRoutes, { lifecycle, environment: config.environment, version });
  await app.register(probeRoutes, { lifecycle, authReady: () => authenticator.isReady });
  await app.register(metricsRoutes, { registry: metrics.registry });
  await app.register(pricingRoutes, { service, maxContracts: config.maxContracts });
  await app.register(riskRoutes, { service, maxContracts: config.maxRiskContracts });
  await app.register(impliedVolatilityRoutes, { pool, maxQuotes: config.maxContracts, surfaceVolatility });
  await app.register(modelsRoutes);
  await app.register(volatilityRoutes, { store: surface });
  await app.register(surfacesRoutes, { surfaces });
  await app.register(quoteRoutes, {
    pool,
    metrics,
    version,
    store: documentStore,
    buildId: config.buildId,
    capsuleRetentionDays: config.capsuleRetentionDays,
  });
  if (config.http.playground) {
    await app.register(playgroundRoutes, { devIdentity: config.isProduction ? null : (deps.devIdentity ?? null) });
  }

  return app;
}
