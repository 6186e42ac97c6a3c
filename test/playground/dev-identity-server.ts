import { Writable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { createAuthenticator } from '../../src/auth/authenticator.js';
import { createDevIdentity } from '../../src/auth/dev-identity.js';
import type { DevIdentity } from '../../src/auth/dev-identity.js';
import { loadConfig } from '../../src/config/config.js';
import { buildApp } from '../../src/http/app.js';
import { createLogger } from '../../src/observability/logger.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { PricingPool } from '../../src/pool/pricing-pool.js';

/**
 * OPE wired as main.ts wires it when no OIDC and no DEV_JWT_SECRET are configured: the embedded development
 * identity signs the tokens and is handed to the app, so the playground's token route exists. A real pricing pool
 * (one thread) and a real listener on 127.0.0.1; the log lines are kept for the tests to read.
 */

export interface DevIdentityServer {
  readonly url: string;
  readonly app: FastifyInstance;
  readonly identity: DevIdentity;
  readonly logs: Record<string, unknown>[];
  close(): Promise<void>;
}

export async function startDevIdentityServer(env: Record<string, string> = {}): Promise<DevIdentityServer> {
  const config = loadConfig({
    OPE_THREADS: '1',
    OPE_THREAD_QUEUE_MAX: '256',
    OPE_THREAD_QUEUE_TIMEOUT_SECONDS: '20',
    RATE_LIMIT_DEFAULT: '1000000/second',
    ...env,
  });
  const metrics = createMetrics({ defaultMetrics: false });
  const logs: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line.trim() !== '') logs.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  const logger = createLogger({ level: 'info', destination });
  const identity = createDevIdentity();
  const authenticator = createAuthenticator({ config: config.auth, metrics, logger, ...identity.authenticatorOptions });
  const pool = new PricingPool({
    ...config.pool,
    metrics,
  });
  const app = await buildApp({ config, metrics, pool, authenticator, logger, devIdentity: identity });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  return {
    url,
    app,
    identity,
    logs,
    async close() {
      await app.close();
      await pool.close({ graceMs: 1000 });
      authenticator.close();
    },
  };
}
