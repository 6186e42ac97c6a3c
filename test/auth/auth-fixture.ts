import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../src/config/config.js';
import { createMetrics } from '../../src/observability/metrics.js';
import type { AuthFailureReason, Metrics } from '../../src/observability/metrics.js';
import { createAuthenticator } from '../../src/auth/authenticator.js';
import type { Authenticator, AuthenticatorOptions, Principal } from '../../src/auth/authenticator.js';
import type { AuthLogger } from '../../src/auth/auth-logger.js';
import authPlugin from '../../src/auth/auth-plugin.js';
import { installErrorHandling } from '../../src/http/error-handler.js';

/** A fake clock in milliseconds that tests move by hand, and the matching "now" in Unix seconds for minting. */
export interface FakeClock {
  (): number;
  advance(ms: number): void;
  seconds(): number;
}

export function fakeClock(start = Date.now()): FakeClock {
  let now = start;
  const clock = (() => now) as FakeClock;
  clock.advance = (ms) => {
    now += ms;
  };
  clock.seconds = () => Math.floor(now / 1000);
  return clock;
}

export interface LogEntry {
  readonly level: 'info' | 'warn' | 'error';
  readonly obj: object;
  readonly msg: string;
}

export function recordingLogger(): AuthLogger & { readonly entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  return {
    entries,
    info: (obj, msg) => entries.push({ level: 'info', obj, msg }),
    warn: (obj, msg) => entries.push({ level: 'warn', obj, msg }),
    error: (obj, msg) => entries.push({ level: 'error', obj, msg }),
  };
}

export interface AuthApp {
  readonly app: FastifyInstance;
  readonly authenticator: Authenticator;
  readonly metrics: Metrics;
  readonly logger: ReturnType<typeof recordingLogger>;
  /** GET /protected with this bearer token (or none). */
  call(
    token?: string | null,
    path?: string,
  ): Promise<{ status: number; headers: Record<string, unknown>; body: Record<string, unknown> }>;
  failures(reason: AuthFailureReason): Promise<number>;
  close(): Promise<void>;
}

/**
 * A tiny Fastify app with the auth plugin and three routes: GET /protected (pricing:read), GET /any (any valid
 * token) and GET /write (market-data:write). Each answers the principal it saw.
 */
export async function buildAuthApp(
  env: Record<string, string>,
  options: Omit<AuthenticatorOptions, 'config' | 'metrics'> = {},
): Promise<AuthApp> {
  const metrics = createMetrics({ defaultMetrics: false });
  const logger = recordingLogger();
  const authenticator = createAuthenticator({ config: loadConfig(env).auth, metrics, logger, ...options });
  const app = Fastify({ logger: false });
  installErrorHandling(app, { metrics });
  await app.register(authPlugin, { authenticator, metrics });
  const answer = async (request: { principal: Principal | null }) => ({
    sub: request.principal?.sub ?? null,
    scopes: [...(request.principal?.scopes ?? [])].sort(),
  });
  app.get('/protected', { onRequest: app.requireScope('pricing:read') }, answer);
  app.get('/any', { onRequest: app.requireScope(null) }, answer);
  app.get('/write', { onRequest: app.requireScope('market-data:write') }, answer);
  await app.ready();
  return {
    app,
    authenticator,
    metrics,
    logger,
    async call(token, path = '/protected') {
      const res = await app.inject({
        method: 'GET',
        url: path,
        headers: token === null || token === undefined ? {} : { authorization: `Bearer ${token}` },
      });
      return { status: res.statusCode, headers: res.headers, body: res.json() as Record<string, unknown> };
    },
    async failures(reason) {
      const { values } = await metrics.authFailuresTotal.get();
      return values.find((v) => v.labels.reason === reason)?.value ?? 0;
    },
    async close() {
      authenticator.close();
      await app.close();
    },
  };
}
