import cors from '@fastify/cors';
import fp from 'fastify-plugin';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { ConfigError } from '../../config/config.js';

/**
 * CORS for browser clients (OPE_ALLOWED_ORIGINS, OPE_CORS_ALLOW_CREDENTIALS), as the Python service (Starlette's
 * CORSMiddleware) answered them, with @fastify/cors for the headers of actual requests.
 *
 * Preflights (OPTIONS with Origin and Access-Control-Request-Method) are answered here, on any path, before
 * routing: 200 `OK` when the origin is listed, the method is GET, POST or OPTIONS and every requested header is
 * allowed; otherwise 400 `Disallowed CORS origin, method, headers` naming what failed. Both carry the allowed
 * methods, headers and max age; Access-Control-Allow-Origin only when the origin is listed, so the browser refuses
 * the call. An actual request whose Origin is listed gets `Access-Control-Allow-Origin: <that origin>` (and
 * `Vary: Origin`); any other origin gets no Access-Control-* header at all. Entries are origins
 * (`https://app.example.com`, `http://localhost:3000`); `*` allows any origin, and then credentials are never
 * allowed (browsers refuse `*` with credentials, and reflecting every origin with credentials would hand any web
 * page the user's cookies).
 */

export const CORS_METHODS = ['GET', 'POST', 'OPTIONS'];
/** Ours plus the CORS-safelisted request headers, as Starlette lists them (sorted). */
export const CORS_ALLOWED_HEADERS = [
  'Accept',
  'Accept-Language',
  'Authorization',
  'Content-Language',
  'Content-Type',
  'X-Request-ID',
];
export const CORS_EXPOSED_HEADERS = [
  'X-Request-ID',
  'Retry-After',
  'X-RateLimit-Limit',
  'X-RateLimit-Remaining',
  'X-RateLimit-Reset',
];
/** Seconds a browser may cache a preflight answer. */
export const CORS_MAX_AGE_SECONDS = 600;

/** The serialized origin of an OPE_ALLOWED_ORIGINS entry, as browsers send it in the Origin header. */
function originOf(entry: string): string {
  const invalid = new ConfigError(
    'OPE_ALLOWED_ORIGINS',
    `"${entry}" is not an origin like https://app.example.com (scheme, host, optional port; no path)`,
  );
  let url: URL;
  try {
    url = new URL(entry);
  } catch {
    throw invalid;
  }
  const pathless = url.pathname === '/' || url.pathname === '';
  if (
    !['http:', 'https:'].includes(url.protocol) ||
    !pathless ||
    url.search !== '' ||
    url.hash !== '' ||
    url.username !== ''
  )
    throw invalid;
  return url.origin;
}

/** OPE_ALLOWED_ORIGINS -> a predicate on Origin header values; `*` accepts any origin. */
export function compileOriginAllowlist(entries: readonly string[]): (origin: string) => boolean {
  if (entries.includes('*')) return () => true;
  const origins = new Set(entries.map(originOf));
  return (origin) => origins.has(origin);
}

export interface CorsAllowlistOptions {
  readonly allowedOrigins: readonly string[];
  readonly allowCredentials: boolean;
}

const PREFLIGHT_VARY =
  'Origin, Access-Control-Request-Method, Access-Control-Request-Headers, Access-Control-Request-Private-Network';
const ALLOWED_HEADER_NAMES = new Set(CORS_ALLOWED_HEADERS.map((h) => h.toLowerCase()));

/** What a preflight asks that we refuse, in Starlette's order: origin, method, headers, private-network. */
export function preflightFailures(request: FastifyRequest, allowedOrigin: boolean): string[] {
  const failures: string[] = [];
  if (!allowedOrigin) failures.push('origin');
  if (!CORS_METHODS.includes(String(request.headers['access-control-request-method']))) failures.push('method');
  const requested = request.headers['access-control-request-headers'];
  if (typeof requested === 'string') {
    const names = requested
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter((h) => h !== '');
    if (names.some((h) => !ALLOWED_HEADER_NAMES.has(h))) failures.push('headers');
  }
  if (request.headers['access-control-request-private-network'] !== undefined) failures.push('private-network');
  return failures;
}

const corsAllowlistAsync: FastifyPluginAsync<CorsAllowlistOptions> = async (app, options) => {
  const anyOrigin = options.allowedOrigins.includes('*');
  const allowed = compileOriginAllowlist(options.allowedOrigins);
  const credentials = options.allowCredentials && !anyOrigin;

  // Added before @fastify/cors's own hook, so it runs first; preflights never reach routing or the rate limiter.
  // Callback style, not async: every request passes here, and an async hook costs each a promise and a microtask.
  // A preflight is answered here, and then (as Fastify's hooks have it) done is not called.
  app.addHook('onRequest', (request, reply, done) => {
    const origin = request.headers.origin;
    if (
      request.method !== 'OPTIONS' ||
      origin === undefined ||
      request.headers['access-control-request-method'] === undefined
    ) {
      done();
      return;
    }
    const originAllowed = allowed(origin);
    const failures = preflightFailures(request, originAllowed);
    reply.header('vary', PREFLIGHT_VARY);
    reply.header('access-control-allow-methods', CORS_METHODS.join(', '));
    reply.header('access-control-max-age', String(CORS_MAX_AGE_SECONDS));
    reply.header('access-control-allow-headers', CORS_ALLOWED_HEADERS.join(', '));
    if (credentials) reply.header('access-control-allow-credentials', 'true');
    if (originAllowed) reply.header('access-control-allow-origin', anyOrigin ? '*' : origin);
    const ok = failures.length === 0;
    reply
      .code(ok ? 200 : 400)
      .type('text/plain; charset=utf-8')
      .send(ok ? 'OK' : `Disallowed CORS ${failures.join(', ')}`);
  });

  await app.register(cors, {
    hook: 'onRequest',
    // Called per request: false means "no CORS for this request", so not even Allow-Credentials is written.
    origin: (origin, callback) => {
      if (origin === undefined || !allowed(origin)) callback(null, false);
      else callback(null, anyOrigin ? '*' : origin);
    },
    credentials,
    // Preflights are answered by the hook above.
    preflight: false,
    methods: CORS_METHODS,
    allowedHeaders: CORS_ALLOWED_HEADERS,
    exposedHeaders: CORS_EXPOSED_HEADERS,
    maxAge: CORS_MAX_AGE_SECONDS,
  });
};

/** Register after the Host allow-list and before the rate limiter: a preflight is answered here and never counted. */
export const corsAllowlist = fp(corsAllowlistAsync, { name: 'ope-cors', fastify: '5.x' });
