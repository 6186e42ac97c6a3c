import type { FastifyInstance } from 'fastify';
import { createAuthenticator } from '../../src/auth/authenticator.js';
import { loadConfig } from '../../src/config/config.js';
import { buildApp } from '../../src/http/app.js';
import { createLogger } from '../../src/observability/logger.js';
import { createMetrics } from '../../src/observability/metrics.js';

/**
 * The routes an operator can call, read from the application src/main.ts builds rather than from a list that
 * could drift.
 */

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/**
 * The application as src/main.ts builds it (development configuration, so the documentation routes are there too;
 * nothing listens and no pricing runs).
 */
export interface InspectableApp {
  readonly app: FastifyInstance;
  close(): Promise<void>;
}

export async function buildInspectableApp(): Promise<InspectableApp> {
  const config = loadConfig({ DEV_JWT_SECRET: 'route-inventory-secret-of-32-bytes!', LOG_LEVEL: 'silent' });
  const metrics = createMetrics({ defaultMetrics: false });
  const logger = createLogger({ level: 'silent' });
  const authenticator = createAuthenticator({ config: config.auth, metrics, logger });
  const pool = {
    run: () => Promise.reject(new Error('the route inventory app prices nothing')),
  };
  const app = await buildApp({ config, metrics, pool, authenticator, logger });
  await app.ready();
  return {
    app,
    async close() {
      await app.close();
      authenticator.close();
    },
  };
}

/** Whether the app answers `path` (a route template or a concrete path) with some route, for any method. */
export function hasRoute(app: FastifyInstance, path: string): boolean {
  return METHODS.some((method) => app.hasRoute({ method, url: path }));
}
