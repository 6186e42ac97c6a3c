import { AsyncLocalStorage } from 'node:async_hooks';
import fp from 'fastify-plugin';
import type { FastifyPluginAsync } from 'fastify';
import { rateLimitKey } from './rate-limit.js';

/**
 * Which client a request's work belongs to, for the pool's fair share (src/pool/fair-share.ts): the rate-limit key
 * (verified `sub`, `dev-anchor:` for development identities, else the address), kept in an AsyncLocalStorage
 * from the preHandler hook on, so pool.run() can read it without every route passing it along.
 */

const clients = new AsyncLocalStorage<string>();

/** The client of the request whose handler is running, or undefined outside one. */
export function currentClient(): string | undefined {
  return clients.getStore();
}

const clientContextAsync: FastifyPluginAsync = async (app) => {
  // Callback style on purpose: done() runs the handler synchronously, inside the context entered here, and every
  // continuation the handler creates keeps it.
  app.addHook('preHandler', (request, _reply, done) => {
    clients.enterWith(rateLimitKey(request, request.principal));
    done();
  });
};

export const clientContext = fp(clientContextAsync, { name: 'ope-client-context', fastify: '5.x' });
