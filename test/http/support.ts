import { Writable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { createAuthenticator } from '../../src/auth/authenticator.js';
import type { Authenticator } from '../../src/auth/authenticator.js';
import { loadConfig } from '../../src/config/config.js';
import type { Config } from '../../src/config/config.js';
import { buildApp } from '../../src/http/app.js';
import type { AppDependencies } from '../../src/http/app.js';
import { createLogger } from '../../src/observability/logger.js';
import { createMetrics } from '../../src/observability/metrics.js';
import type { Metrics } from '../../src/observability/metrics.js';
import { PricingPool } from '../../src/pool/pricing-pool.js';
import { startIdentityProvider, testEnv } from '../helpers/identity-provider.js';
import type { IdentityProvider } from '../helpers/identity-provider.js';

/**
 * A real listening OPE server for the HTTP tests: loopback identity provider (real JWKS, real ES256 tokens),
 * a real pricing pool with one thread, and every log line captured so tests can read them back.
 */

export const ALL_SCOPES = ['pricing:read', 'risk:read', 'market-data:read', 'market-data:write'];

export interface TestServer {
  readonly url: string;
  readonly app: FastifyInstance;
  readonly config: Config;
  readonly metrics: Metrics;
  readonly idp: IdentityProvider;
  /** Every log line so far, parsed. */
  readonly logs: Record<string, unknown>[];
  /** The raw log text so far. */
  logText(): string;
  token(scopes?: readonly string[], sub?: string): Promise<string>;
  /** fetch against the server with a bearer token for `scopes` (default all) unless `token: null`. */
  request(path: string, init?: RequestOptions): Promise<TestResponse>;
  close(): Promise<void>;
}

export interface RequestOptions {
  readonly method?: string;
  /** An object is sent as JSON; a string is sent as is. */
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  /** null: no Authorization header. */
  readonly token?: string | null;
  readonly scopes?: readonly string[];
}

export interface TestResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The parsed body (undefined when it is not JSON). */
  readonly json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface ServerOptions {
  /** Extra environment variables for loadConfig. */
  readonly env?: Record<string, string>;
  /** Replaces the real pool (only for tests of how pool failures are answered). */
  readonly pool?: AppDependencies['pool'];
  readonly surface?: AppDependencies['surface'];
  /** The quote API's capsule and idempotency store; servers given the same one share it. */
  readonly documentStore?: AppDependencies['documentStore'];
  /** Where rate-limit windows are counted (default: this process's memory). */
  readonly rateLimitCounter?: AppDependencies['rateLimitCounter'];
}

export async function startServer(options: ServerOptions = {}): Promise<TestServer> {
  const idp = await startIdentityProvider();
  const config = loadConfig({
    ...testEnv(idp),
    OPE_THREADS: '1',
    OPE_THREAD_QUEUE_MAX: '64',
    OPE_THREAD_QUEUE_TIMEOUT_SECONDS: '10',
    RATE_LIMIT_DEFAULT: '1000000/second',
    LOG_LEVEL: 'info',
    ...options.env,
  });
  const metrics = createMetrics({ defaultMetrics: false });
  let logText = '';
  const logs: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      const text = chunk.toString('utf8');
      logText += text;
      for (const line of text.split('\n'))
        if (line.trim() !== '') logs.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  const logger = createLogger({ level: 'debug', destination });
  const authenticator: Authenticator = createAuthenticator({ config: config.auth, metrics, logger });
  await authenticator.ready();
  const realPool = options.pool === undefined ? new PricingPool({ ...config.pool, metrics }) : null;
  const app = await buildApp({
    config,
    metrics,
    pool: options.pool ?? realPool!,
    authenticator,
    logger,
    ...(options.surface === undefined ? {} : { surface: options.surface }),
    ...(options.documentStore === undefined ? {} : { documentStore: options.documentStore }),
    ...(options.rateLimitCounter === undefined ? {} : { rateLimitCounter: options.rateLimitCounter }),
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

  const token = (scopes: readonly string[] = ALL_SCOPES, sub = 'alice'): Promise<string> =>
    idp.mintToken({ scopes, sub });

  return {
    url,
    app,
    config,
    metrics,
    idp,
    logs,
    logText: () => logText,
    token,
    async request(path, init = {}) {
      const headers: Record<string, string> = { ...init.headers };
      const bearer = init.token === undefined ? await token(init.scopes ?? ALL_SCOPES) : init.token;
      if (bearer !== null) headers.authorization = `Bearer ${bearer}`;
      let body: string | undefined;
      if (typeof init.body === 'string') body = init.body;
      else if (init.body !== undefined) body = JSON.stringify(init.body);
      if (body !== undefined && headers['content-type'] === undefined) headers['content-type'] = 'application/json';
      const method = init.method ?? (body === undefined ? 'GET' : 'POST');
      const answer =
        (VIA_INJECT && (await injected(app, url, path, method, headers, body))) ||
        (await fetched(url + path, method, headers, body));
      let json: unknown;
      try {
        json = JSON.parse(answer.text);
      } catch {
        json = undefined;
      }
      return { ...answer, json };
    },
    async close() {
      await app.close();
      await realPool?.close({ graceMs: 1000 });
      authenticator.close();
      await idp.close();
    },
  };
}

/**
 * How request() reaches the server: over a socket with fetch(), or, when the test runner sets
 * OPE_TEST_HTTP=inject (the unit tier, scripts/run-tests.mjs), through Fastify's inject() with the headers fetch()
 * would send. The server listens either way, for the tests that open sockets of their own. A redirect is answered
 * through fetch() in both modes, since fetch() follows it.
 */
const VIA_INJECT = process.env.OPE_TEST_HTTP === 'inject';

type Answer = Pick<TestResponse, 'status' | 'headers' | 'text'>;

async function fetched(
  target: string,
  method: string,
  headers: Record<string, string>,
  body: string | undefined,
): Promise<Answer> {
  const response = await fetch(target, { method, headers, ...(body === undefined ? {} : { body }) });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** The answer through inject(), or null for a redirect (which fetch() would follow). */
async function injected(
  app: FastifyInstance,
  url: string,
  path: string,
  method: string,
  headers: Record<string, string>,
  body: string | undefined,
): Promise<Answer | null> {
  const sent: Record<string, string> = {
    host: new URL(url).host,
    connection: 'keep-alive',
    accept: '*/*',
    'accept-language': '*',
    'sec-fetch-mode': 'cors',
    'user-agent': 'node',
    'accept-encoding': 'gzip, deflate',
  };
  for (const [name, value] of Object.entries(headers)) sent[name.toLowerCase()] = value;
  const response = await app.inject({
    method: method as 'GET',
    url: path,
    headers: sent,
    remoteAddress: '127.0.0.1',
    ...(body === undefined ? {} : { payload: body }),
  });
  if ([301, 302, 303, 307, 308].includes(response.statusCode) && response.headers.location !== undefined) return null;
  const received = new Headers();
  for (const [name, value] of Object.entries(response.headers)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) received.append(name, String(one));
  }
  return { status: response.statusCode, headers: received, text: response.body };
}

/** A valid single-contract request; override parts with spread. */
export function pricingRequest(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    contracts: [
      {
        symbol: 'ABC',
        strike_price: 100,
        time_to_expiry: 0.5,
        option_type: 'call',
        exercise_style: 'european',
        quantity: 10,
      },
    ],
    market_data: { spot_price: 102, risk_free_rate: 0.01, dividend_yield: 0, volatility: 0.2 },
    model: 'black_scholes',
    calculate_greeks: true,
    ...overrides,
  };
}

export const RESULT_FIELDS = [
  'contract_id',
  'theoretical_price',
  'delta',
  'gamma',
  'theta',
  'vega',
  'rho',
  'implied_volatility',
  'computation_time_ms',
  'model_used',
  'volatility_used',
  'cached',
  'error',
  'standard_error',
  'confidence_interval',
  'quantity',
  'position_value',
  'position_delta',
  'position_gamma',
  'position_theta',
  'position_vega',
  'position_rho',
  'position_standard_error',
  'position_confidence_interval',
].sort();

export const PORTFOLIO_FIELDS = [
  'delta',
  'gamma',
  'theta',
  'vega',
  'rho',
  'total_value',
  'total_vega_exposure',
  'position_count',
].sort();

export const SECURITY_HEADERS: Record<string, string> = {
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'strict-origin-when-cross-origin',
};
