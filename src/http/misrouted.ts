import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import { AppError } from './errors.js';

/**
 * FastAPI's answers to a request that matches no route, for the Python service's clients (docs/api.md, "HTTP
 * conventions"): a known path asked with another method is 405 with `Allow`; a path with a trailing slash whose
 * slash-less form is a route is a 307 to that form (query kept). Anything else is left to the 404.
 */

const METHODS: readonly HTTPMethods[] = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'];

function methodsOf(app: FastifyInstance, path: string): HTTPMethods[] {
  return METHODS.filter((method) => app.hasRoute({ method, url: path }));
}

/** Answers the request (405 or 307) and returns true, or returns false for a plain 404. */
export function answerMisrouted(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply): boolean {
  const query = request.url.indexOf('?');
  const path = query < 0 ? request.url : request.url.slice(0, query);
  const allowed = methodsOf(app, path);
  if (allowed.length > 0) {
    // The request's own method is not among them, or it would have been routed.
    throw new AppError('ERR_HTTP_METHOD_NOT_ALLOWED', { headers: { allow: allowed.join(', ') } });
  }
  if (path.length > 1 && path.endsWith('/')) {
    const bare = path.replace(/\/+$/, '');
    if (bare !== '' && methodsOf(app, bare).length > 0) {
      const location = `${request.protocol}://${request.host}${bare}${query < 0 ? '' : request.url.slice(query)}`;
      void reply.code(307).header('location', location).send();
      return true;
    }
  }
  return false;
}
