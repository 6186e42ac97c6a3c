import type { FastifyReply, FastifyRequest, preValidationHookHandler } from 'fastify';
import { AppError } from './errors.js';
import { AbortHandle, type AbortSignalLike, type Placement } from '../pool/pricing-pool.js';

/**
 * Route checks on a request's list length. The limit is checked before the schema so that a huge list of bad
 * items cannot make the validator produce (and the client receive) one error per item; the rest of the route
 * checks (empty list, exactly one) come after the schema, as docs/api.md orders them.
 */

export function tooManyContracts(limit: number): AppError {
  return new AppError('ERR_HTTP_TOO_MANY_CONTRACTS', { detail: `Too many contracts; limit is ${limit}` });
}

export function tooManyQuotes(limit: number): AppError {
  return new AppError('ERR_HTTP_TOO_MANY_QUOTES', { detail: `Too many quotes; limit is ${limit}` });
}

/** A preValidation hook refusing a body whose `field` array is longer than `limit`. */
export function limitListLength(
  field: string,
  limit: number,
  refuse: (limit: number) => AppError,
): preValidationHookHandler {
  // Callback style, not async: nothing here waits, and an async hook costs every request a promise and a microtask.
  return function checkListLength(request: FastifyRequest, _reply: FastifyReply, done: (error?: Error) => void) {
    const body = request.body;
    const list = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[field] : undefined;
    if (Array.isArray(list) && list.length > limit) done(refuse(limit));
    else done();
  };
}

/**
 * A signal that fires when the client goes away before its response is written, so queued or running pricing work
 * for it is dropped instead of computed for nobody. Made on demand (the pool asks only for work it sends to a
 * thread), hence a function; an AbortHandle, not an AbortController: the pool is its only listener.
 */
export function abortOnDisconnect(reply: FastifyReply): () => AbortSignalLike {
  return () => disconnectSignal(reply);
}

function disconnectSignal(reply: FastifyReply): AbortSignalLike {
  const handle = new AbortHandle();
  const onClose = (): void => {
    if (!reply.raw.writableFinished) handle.abort(new Error('client disconnected'));
  };
  // The client may have gone before the signal was asked for: its close event is then already past.
  if (reply.raw.closed) onClose();
  else reply.raw.once('close', onClose);
  return handle;
}

/** What admission planned for a request before validation: where its work runs, and whether it is refused now. */
export interface Admission {
  readonly placement: Placement | undefined;
  readonly refusal: Error | null;
}

/** The admission of a body whose work could not be planned yet (validation will answer it). */
export const NOT_PLANNED: Admission = { placement: undefined, refusal: null };

/** Placements planned in preValidation, read back by the handler of the same request (placed once per request). */
const placements = new WeakMap<FastifyRequest, Placement>();

/**
 * A preValidation hook answering 503 at once (via the error handler: Retry-After, the pool's counters) when the
 * pool would refuse the request's work anyway, before the body is validated and prepared. The placement it
 * planned is kept for the handler (plannedPlacement).
 */
export function shedWhenPoolFull(admit: (body: unknown) => Admission): preValidationHookHandler {
  return function shedEarly(request: FastifyRequest, _reply: FastifyReply, done: (error?: Error) => void) {
    const { placement, refusal } = admit(request.body);
    if (refusal !== null) {
      done(refusal);
      return;
    }
    if (placement !== undefined) placements.set(request, placement);
    done();
  };
}

/** The placement shedWhenPoolFull planned for this request, if it planned one. */
export function plannedPlacement(request: FastifyRequest): Placement | undefined {
  return placements.get(request);
}
