import cors from '@fastify/cors';
import fp from 'fastify-plugin';
import type { FastifyPluginAsync } from 'fastify';
import { ConfigError } from '../../config/config.js';

/**
 * CORS for browser clients (OPE_ALLOWED_ORIGINS, OPE_CORS_ALLOW_CREDENTIALS), with @fastify/cors.
 *
 * A request whose Origin is listed gets `Access-Control-Allow-Origin: <that origin>` (and `Vary: Origin`), a
 * preflight from it gets 204 with the allowed methods, request headers and max age. A request from any other
 * origin gets no Access-Control-* header at all, and its preflight is not answered (404), so the browser refuses
 * the cross-origin call. Entries are origins (`https://app.example.com`, `http://localhost:3000`); `*` allows any
 * origin, and then credentials are never allowed (browsers refuse `*` with credentials, and reflecting every
 * origin with credentials would hand any web page the user's cookies).
 */

export const CORS_METHODS = ['GET', 'POST'];
export const CORS_ALLOWED_HEADERS = ['Authorization', 'Content-Type', 'X-Request-ID'];
export const CORS_EXPOSED_HEADERS = ['X-Request-ID', 'Retry-After', 'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset'];
/** Seconds a browser may cache a preflight answer. */
export const CORS_MAX_AGE_SECONDS = 600;

/** The serialized origin of an OPE_ALLOWED_ORIGINS entry, as browsers send it in the Origin header. */
function originOf(entry: string): string {
  const invalid = new ConfigError('OPE_ALLOWED_ORIGINS', `"${entry}" is not an origin like https://app.example.com (scheme, host, optional port; no path)`);
  let url: URL;
  try {
    url = new URL(entry);
  } catch {
    throw invalid;
  }
  const pathless = url.pathname === '/' || url.pathname === '';
  if (!['http:', 'https:'].includes(url.protocol) || !pathless || url.search !== '' || url.hash !== '' || url.username !== '') throw invalid;
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

const corsAllowlistAsync: FastifyPluginAsync<CorsAllowlistOptions> = async (app, options) => {
  const anyOrigin = options.allowedOrigins.includes('*');
  const allowed = compileOriginAllowlist(options.allowedOrigins);
  await app.register(cors, {
    hook: 'onRequest',
    // Called per request: false means "no CORS for this request", so not even Allow-Credentials is written.
    origin: (origin, callback) => {
      if (origin === undefined || !allowed(origin)) callback(null, false);
      else callback(null, anyOrigin ? '*' : origin);
    },
    credentials: options.allowCredentials && !anyOrigin,
    methods: CORS_METHODS,
    allowedHeaders: CORS_ALLOWED_HEADERS,
    exposedHeaders: CORS_EXPOSED_HEADERS,
    maxAge: CORS_MAX_AGE_SECONDS,
  });
};

/** Register after the Host allow-list and before the rate limiter: a preflight is answered here and never counted. */
export const corsAllowlist = fp(corsAllowlistAsync, { name: 'ope-cors', fastify: '5.x' });
