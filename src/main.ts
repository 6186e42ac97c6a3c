/**
 * Composition root: config -> logger -> metrics -> authenticator -> pool -> app -> listen, and the signal handling
 * of a well-behaved service (docs/RUNBOOK.md):
 *   SIGHUP          re-fetch the JWKS now (an operator's manual key refresh)
 *   SIGTERM/SIGINT  graceful shutdown: /healthz answers 503 "draining", the listener closes, in-flight requests
 *                   finish within OPE_SHUTDOWN_GRACE_SECONDS, the pool closes, exit 0 (1 if the grace ran out)
 * A bad configuration stops start-up with one line naming the variable, and exit code 1.
 */
import './main/v8-tuning.js';
import { createAuthenticator } from './auth/authenticator.js';
import { createDevIdentity } from './auth/dev-identity.js';
import type { DevIdentity } from './auth/dev-identity.js';
import { ConfigError, configWarnings, loadConfig } from './config/config.js';
import type { Config } from './config/config.js';
import { buildApp } from './http/app.js';
import { packageVersion } from './http/version.js';
import { createLogger } from './observability/logger.js';
import { createMetrics } from './observability/metrics.js';
import type { Tracing } from './observability/tracing.js';
import { PricingPool } from './pool/pricing-pool.js';
import { VolatilitySurfaceStore } from './http/volatility-surface-store.js';
import { openStore } from './store/open-store.js';
import type { OpenedStore } from './store/open-store.js';

function refuseToStart(error: unknown): never {
  if (error instanceof ConfigError) {
    process.stderr.write(`ope: cannot start: ${error.message}\n`);
    process.exit(1);
  }
  throw error;
}

function readConfig(): Config {
  try {
    return loadConfig(process.env);
  } catch (error) {
    return refuseToStart(error);
  }
}

/** The URL a developer on this machine reaches the listener at. */
function localUrl(config: Config, port: number): string {
  const host = ['0.0.0.0', '::', ''].includes(config.http.host)
    ? 'localhost'
    : config.http.host.includes(':')
      ? `[${config.http.host}]`
      : config.http.host;
  return `http://${host}:${port}`;
}

async function printDevIdentity(identity: DevIdentity, url: string): Promise<void> {
  const token = await identity.mintStartupToken();
  // stderr: stdout carries only JSON log lines.
  process.stderr.write(
    [
      '',
      'No OIDC_* variables and no DEV_JWT_SECRET: using an in-memory development identity.',
      'This bearer token has every scope and expires in 12 hours (it stops working when this process exits):',
      '',
      `export OPE_TOKEN=${token}`,
      '',
      'Price the example contract:',
      '',
      `curl -s -X POST ${url}/api/v1/pricing/single -H "Authorization: Bearer $OPE_TOKEN" -H 'Content-Type: application/json' --data @examples/price_single.json`,
      '',
      `API docs: ${url}/docs`,
      '',
    ].join('\n'),
  );
}

/** Opens the store (docs/architecture.md, "The store") and loads the surface; an unusable store stops start-up. */
async function openMarketData(
  config: Config,
  logger: ReturnType<typeof createLogger>,
  metrics: ReturnType<typeof createMetrics>,
) {
  let store: OpenedStore;
  try {
    store = await openStore(config.store, {
      onBackgroundError: (err) => logger.warn({ event: 'store.background_error', err }, 'store connection problem'),
    });
  } catch (error) {
    const variable = config.store.databaseUrl === null ? 'OPE_DATA_DIR' : 'OPE_DATABASE_URL';
    process.stderr.write(
      `ope: cannot start: ${variable}: the store cannot be opened: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  }
  const surface = new VolatilitySurfaceStore({
    store: store.points,
    maxStalenessSeconds: config.store.surfaceMaxStalenessSeconds,
    metrics,
    logger,
  });
  await surface.start();
  logger.info(
    { event: 'store.open', store: store.kind, location: store.location, surface_version: surface.version },
    'store open',
  );
  return { store, surface };
}

async function main(): Promise<void> {
  const config = readConfig();
  const logger = createLogger({ level: config.logLevel, base: { environment: config.environment } });
  for (const warning of configWarnings(config)) logger.warn({ event: 'config.warning' }, warning);
  const metrics = createMetrics();
  // Loaded only when enabled: the OpenTelemetry SDK is a start-up cost nobody else should pay.
  const tracing: Tracing | null =
    config.otlpEndpoint === null
      ? null
      : (await import('./observability/tracing.js')).startTracing({
          endpoint: config.otlpEndpoint,
          serviceName: 'ope',
          serviceVersion: packageVersion(),
          environment: config.environment,
        });
  const devIdentity =
    config.auth.oidc === null && config.auth.devJwtSecrets.length === 0 && !config.isProduction
      ? createDevIdentity()
      : null;
  const authenticator = createAuthenticator({
    config: config.auth,
    metrics,
    logger,
    ...devIdentity?.authenticatorOptions,
  });
  // store.documents is the DocumentStore for the routes that keep documents.
  const { store, surface } = await openMarketData(config, logger, metrics);
  const pool = new PricingPool({ ...config.pool, metrics });
  // buildApp checks the values only the HTTP layer understands (host and origin allow-lists, the Redis URL).
  const app = await buildApp({
    config,
    metrics,
    pool,
    authenticator,
    logger,
    devIdentity,
    surface,
    documentStore: store.documents,
    tracing,
  }).catch(async (error: unknown) => {
    await pool.close({ graceMs: 0 });
    authenticator.close();
    return refuseToStart(error);
  });

  process.on('uncaughtException', (error) => {
    logger.fatal({ event: 'process.crash', err: error }, 'uncaught exception');
    process.exit(1);
  });
  process.on('unhandledRejection', (reason) => {
    logger.fatal({ event: 'process.crash', err: reason }, 'unhandled promise rejection');
    process.exit(1);
  });

  await app.listen({ port: config.http.port, host: config.http.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.http.port;
  logger.info(
    {
      event: 'service.start',
      environment: config.environment,
      host: config.http.host,
      port,
      threads: config.pool.threads,
    },
    'OPE listening',
  );
  if (devIdentity !== null) await printDevIdentity(devIdentity, localUrl(config, port));

  process.on('SIGHUP', () => {
    logger.info({ event: 'jwks.manual_refresh' }, 'SIGHUP: refreshing the JWKS');
    authenticator
      .refresh()
      .catch((error: unknown) =>
        logger.warn({ event: 'jwks.manual_refresh_failed', err: error }, 'JWKS refresh failed'),
      );
  });

  let stopping = false;
  const shutdown = async (signal: NodeJS.Signals): Promise<void> => {
    if (stopping) return;
    stopping = true;
    const graceMs = config.shutdownGraceSeconds * 1000;
    const deadline = Date.now() + graceMs;
    logger.info({ event: 'shutdown.start', signal, grace_seconds: config.shutdownGraceSeconds }, 'draining');
    app.lifecycle.startDraining();
    const forced = setTimeout(() => {
      logger.error({ event: 'shutdown.forced' }, 'shutdown grace ran out: closing the remaining connections');
      app.server.closeAllConnections();
      void pool.close({ graceMs: 0 }).finally(() => process.exit(1));
    }, graceMs);
    try {
      await app.close();
      await pool.close({ graceMs: Math.max(0, deadline - Date.now()) });
      authenticator.close();
      await surface.close();
      await store.close();
      await tracing?.shutdown();
      clearTimeout(forced);
      logger.info({ event: 'shutdown.complete' }, 'stopped');
      process.exit(0);
    } catch (error) {
      logger.error({ event: 'shutdown.failed', err: error }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.once('SIGTERM', (signal) => void shutdown(signal));
  process.once('SIGINT', (signal) => void shutdown(signal));
}

await main();
