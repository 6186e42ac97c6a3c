import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { Compile } from 'typebox/compile';
import type {
  BatchItemResult,
  BatchRequest,
  QuoteRequest,
  QuoteResponse,
  ReplayRequest,
} from '../../core/quote-api.js';
import type { Metrics } from '../../observability/metrics.js';
import type { DocumentStore } from '../../store/document-store.js';
import { sendError } from '../error-handler.js';
import { abortOnDisconnect } from '../request-checks.js';
import { toValidationIssues, type AjvErrorLike } from '../validation.js';
import { canonicalJson } from '../canonical-json.js';
import { canonicalResponseText } from './canonical-shapes.js';
import { MAX_BATCH_ITEMS, MAX_BATCH_PATHS, MAX_PATHS_PER_QUOTE, costGuardRefusal } from './cost-guards.js';
import { idempotencyRecordId } from './hashing.js';
import { planMonteCarlo, plannedPathBudget } from './monte-carlo-adapter.js';
import { normaliseQuote, type NormalisedQuote } from './normalise.js';
import { createQuoteEngine, identifyQuote, quoteRefusal, type QuoteIdentity } from './quote-engine.js';
import { QuoteApiError, isQuoteApiError } from './quote-error.js';
import type { QuotePool } from './quote-pool.js';
import { capsuleText, createQuoteRecords, type QuoteRecords } from './records.js';
import {
  BatchRequestSchema,
  BatchResponseSchema,
  GreeksResponseSchema,
  QUOTE_ERROR_RESPONSES,
  QUOTE_SCHEMAS,
  QuoteRequestSchema,
  QuoteResponseSchema,
  ReplayRequestSchema,
  ReplayResponseSchema,
  VersionResponseSchema,
} from './schemas.js';
import { createSweeper } from './sweeper.js';
import { versionInfo } from './version-info.js';

/**
 * The quote API (docs/api.md, "Quote API"): POST /quote, /batch, /greeks, /replay/{capsule_id} and GET /version,
 * beside v1 in the same app, so they share its auth, rate limit (routes opt in with config.rateLimited), body
 * limit, JSON reader, request logging and metrics. Bodies are canonical JSON, written here, not by Fastify's
 * serializer, so an idempotent repeat can be answered with the stored bytes.
 */

export interface QuoteRoutesOptions {
  readonly pool: QuotePool;
  readonly store: DocumentStore;
  readonly metrics: Metrics;
  /** OPE_BUILD_ID. */
  readonly buildId: string;
  /** OPE_CAPSULE_RETENTION_DAYS. */
  readonly capsuleRetentionDays: number;
  /** The service version, for /version. */
  readonly version: string;
  /** Default: the system clock. */
  readonly now?: () => Date;
  /** Default 60 s; 0 turns the periodic sweep off. */
  readonly sweepIntervalMs?: number;
}

const SWEEP_BATCH = 200;
const SWEEP_MAX_BATCHES = 50;
/** Batch items priced at once: enough to keep the pool's threads busy, few enough not to crowd its queue. */
const BATCH_CONCURRENCY = 4;
const JSON_TYPE = 'application/json; charset=utf-8';
const PROTECTED = { rateLimited: true } as const;

const checkQuoteRequest = Compile(QuoteRequestSchema);

function sendCanonical(reply: FastifyReply, text: string, status = 200): FastifyReply {
  return reply.code(status).type(JSON_TYPE).send(text);
}

function sendQuoteError(error: QuoteApiError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  request.log.debug(
    { event: 'request.rejected', code: error.detail, status_code: error.statusCode },
    'quote request rejected',
  );
  for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
  return sendCanonical(
    reply,
    canonicalJson({ detail: error.detail, ...error.extra, request_id: request.id }),
    error.statusCode,
  );
}

/**
 * An issue's `input` echoes what was sent, and a number too large for a double was read as Infinity, which canonical
 * JSON refuses: such values are written as null, as JSON.stringify (and so the v1 routes) writes them.
 */
function jsonSafe(value: unknown): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (Array.isArray(value)) return value.map(jsonSafe);
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonSafe(v)]));
  return value;
}

function withJsonSafeInput<T extends { readonly input?: unknown }>(issue: T): T {
  return 'input' in issue ? { ...issue, input: jsonSafe(issue.input) } : issue;
}

function itemIssues(body: unknown, index: number, item: unknown) {
  const errors = [...checkQuoteRequest.Errors(item)].map((e) => ({
    ...e,
    instancePath: `/items/${index}${e.instancePath}`,
  })) as AjvErrorLike[];
  return toValidationIssues(errors, body).map(withJsonSafeInput);
}

/** Runs `work` over `items` with at most `limit` at once, results in order. */
async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  async function lane(): Promise<void> {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!, i);
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

const quoteRoutesInner: FastifyPluginAsync<QuoteRoutesOptions> = async (app, options) => {
  const { metrics, buildId } = options;
  const engine = createQuoteEngine({ pool: options.pool, buildId, metrics });
  const records: QuoteRecords = createQuoteRecords({
    store: options.store,
    capsuleRetentionDays: options.capsuleRetentionDays,
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  const version = versionInfo(buildId, options.version);

  app.setErrorHandler((error, request, reply) =>
    isQuoteApiError(error) ? sendQuoteError(error, request, reply) : sendError(error, request, reply, { metrics }),
  );

  const sweepIntervalMs = options.sweepIntervalMs ?? 60_000;
  if (sweepIntervalMs > 0) {
    const sweeper = createSweeper({
      store: options.store,
      intervalMs: sweepIntervalMs,
      batchSize: SWEEP_BATCH,
      maxBatches: SWEEP_MAX_BATCHES,
      logger: app.log,
      swept: metrics.quoteRecordsSweptTotal,
      ...(options.now === undefined ? {} : { now: options.now }),
    });
    app.addHook('onReady', async () => sweeper.start());
    app.addHook('onClose', async () => sweeper.stop());
  }

  function refuseMaxPaths(quote: NormalisedQuote): void {
    if ((quote.precision?.max_paths ?? 0) > MAX_PATHS_PER_QUOTE)
      throw costGuardRefusal(metrics, 'max_paths', MAX_PATHS_PER_QUOTE);
  }

  /** Prices a quote and stores its capsule; the response's canonical text comes back with it, written once. */
  async function priceAndKeep(
    quote: NormalisedQuote,
    index: number,
    reply: FastifyReply,
    identity?: QuoteIdentity,
  ): Promise<{ readonly response: QuoteResponse; readonly responseText: string }> {
    const priced = await engine.price(quote, index, abortOnDisconnect(reply), identity);
    const { response, requestText, lineage } = priced;
    const responseText = canonicalResponseText(response);
    await records.saveCapsule(response.capsule_id, capsuleText({ requestText, responseText, index, lineage, buildId }));
    return { response, responseText };
  }

  /** The body /quote (shape null) or /greeks answers for a quote. */
  async function answerText(
    quote: NormalisedQuote,
    reply: FastifyReply,
    shape: ((response: QuoteResponse) => object) | null,
    identity?: QuoteIdentity,
  ): Promise<string> {
    const priced = await priceAndKeep(quote, 0, reply, identity);
    return shape === null ? priced.responseText : canonicalJson(shape(priced.response));
  }

  /**
   * Answers a /quote or /greeks body, honouring idempotency_key: the same client, key, route and request get the
   * stored bytes for 600 s; the same key with anything else is refused with 409.
   */
  async function answer(
    route: string,
    request: FastifyRequest,
    reply: FastifyReply,
    shape: ((response: QuoteResponse) => object) | null,
  ): Promise<FastifyReply> {
    const body = request.body as QuoteRequest;
    const quote = normaliseQuote(body);
    refuseMaxPaths(quote);
    const key = body.idempotency_key;
    if (key === undefined) return sendCanonical(reply, await answerText(quote, reply, shape));

    const id = idempotencyRecordId(request.principal?.sub ?? 'anonymous', key);
    // The request's canonical text is written once: hashed here, and stored in the capsule by the engine.
    const identity = identifyQuote(quote);
    const hash = identity.requestHash;
    const reused = new QuoteApiError(409, 'idempotency_key_reused');
    const existing = await records.findIdempotent(id);
    if (existing !== null) {
      if (existing.route !== route || existing.request_hash !== hash) throw reused;
      return sendCanonical(reply.header('Idempotent-Replayed', 'true'), existing.body);
    }
    const held = await records.rememberIdempotent(id, {
      route,
      request_hash: hash,
      body: await answerText(quote, reply, shape, identity),
    });
    if (held.route !== route || held.request_hash !== hash) throw reused;
    return sendCanonical(reply, held.body);
  }

  app.post(
    '/quote',
    {
      config: PROTECTED,
      onRequest: app.requireScope('pricing:read'),
      schema: {
        tags: ['quote'],
        summary: 'Price one contract',
        security: [{ bearerAuth: [] }],
        body: QuoteRequestSchema,
        response: { 200: QuoteResponseSchema, ...QUOTE_ERROR_RESPONSES },
      },
    },
    async (request, reply) => answer('/quote', request, reply, null),
  );

  app.post(
    '/greeks',
    {
      config: PROTECTED,
      onRequest: app.requireScope('pricing:read'),
      schema: {
        tags: ['quote'],
        summary: 'Greeks of one contract',
        security: [{ bearerAuth: [] }],
        body: QuoteRequestSchema,
        response: { 200: GreeksResponseSchema, ...QUOTE_ERROR_RESPONSES },
      },
    },
    async (request, reply) =>
      answer('/greeks', request, reply, (r) => ({
        greeks: r.greeks,
        capsule_id: r.capsule_id,
        model_used: r.model_used,
      })),
  );

  app.post(
    '/batch',
    {
      config: PROTECTED,
      onRequest: app.requireScope('pricing:read'),
      // Before the schema: a list over the limit is refused without validating (or answering for) each item.
      preValidation: (request, _reply, done) => {
        const items = (request.body as { items?: unknown } | undefined)?.items;
        if (Array.isArray(items) && items.length > MAX_BATCH_ITEMS)
          done(costGuardRefusal(metrics, 'batch_items', MAX_BATCH_ITEMS));
        else done();
      },
      schema: {
        tags: ['quote'],
        summary: `Price up to ${MAX_BATCH_ITEMS} QuoteRequests; item i uses lineage index i`,
        security: [{ bearerAuth: [] }],
        body: BatchRequestSchema,
        response: { 200: BatchResponseSchema, ...QUOTE_ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const body = request.body as BatchRequest;
      const prepared = body.items.map((item, index): { quote: NormalisedQuote } | { failure: BatchItemResult } => {
        if (!checkQuoteRequest.Check(item))
          return {
            failure: { index, ok: false, error: { detail: 'invalid_request', issues: itemIssues(body, index, item) } },
          };
        const quote = normaliseQuote(item as QuoteRequest, body.greeks_default);
        const refusal = quoteRefusal(quote);
        if (isQuoteApiError(refusal)) return { failure: failureOf(index, refusal) };
        if (refusal !== null) throw refusal;
        return { quote };
      });
      let paths = 0;
      for (const p of prepared) {
        if (!('quote' in p)) continue;
        refuseMaxPaths(p.quote);
        if (p.quote.model.family === 'monte_carlo') paths += plannedPathBudget(planMonteCarlo(p.quote));
      }
      if (paths > MAX_BATCH_PATHS) throw costGuardRefusal(metrics, 'batch_paths', MAX_BATCH_PATHS);

      const results = await mapLimited(prepared, BATCH_CONCURRENCY, async (p, index): Promise<BatchItemResult> => {
        if (!('quote' in p)) return p.failure;
        try {
          return { index, ok: true, value: (await priceAndKeep(p.quote, index, reply)).response };
        } catch (error) {
          if (isQuoteApiError(error) && error.statusCode === 400) return failureOf(index, error);
          throw error;
        }
      });
      const capsuleIds = results.flatMap((r) => (r.value === undefined ? [] : [r.value.capsule_id]));
      return sendCanonical(reply, canonicalJson({ results, capsule_ids: capsuleIds }));
    },
  );

  app.post(
    '/replay/:capsule_id',
    {
      config: PROTECTED,
      onRequest: app.requireScope('pricing:read'),
      // The body is optional: none means {"strict_build": false}.
      preValidation: (request, _reply, done) => {
        if (request.body === undefined || request.body === null) request.body = {};
        done();
      },
      schema: {
        tags: ['quote'],
        summary:
          'Price a stored quote again from its inputs and seeds; verified says whether the numbers are bit-identical',
        security: [{ bearerAuth: [] }],
        params: {
          type: 'object',
          properties: { capsule_id: { type: 'string', maxLength: 128 } },
          required: ['capsule_id'],
        },
        body: ReplayRequestSchema,
        response: { 200: ReplayResponseSchema, ...QUOTE_ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const { capsule_id: id } = request.params as { capsule_id: string };
      const strict = (request.body as ReplayRequest | undefined)?.strict_build === true;
      const capsule = await records.loadCapsule(id);
      if (capsule === null) throw new QuoteApiError(404, 'capsule_not_found');
      if (strict && capsule.build_id !== buildId)
        throw new QuoteApiError(409, 'build_conflict', {
          extra: { capsule_build_id: capsule.build_id, build_id: buildId },
        });
      let verified = false;
      try {
        const again = await engine.price(capsule.request, capsule.index, abortOnDisconnect(reply));
        verified =
          again.lineage === capsule.lineage &&
          canonicalJson(numbersOf(again.response)) === canonicalJson(numbersOf(capsule.response));
      } catch (error) {
        if (!isQuoteApiError(error)) throw error;
      }
      if (!verified)
        request.log.warn(
          { event: 'quote.replay_unverified', capsule_id: id, capsule_build_id: capsule.build_id },
          'replayed quote differs from its capsule',
        );
      return sendCanonical(
        reply,
        canonicalJson({ ...capsule.response, replayed: true, verified, build_id: capsule.build_id }),
      );
    },
  );

  app.get(
    '/version',
    {
      schema: {
        tags: ['quote'],
        summary: 'Build and library versions, and what this build can do',
        response: { 200: VersionResponseSchema },
      },
    },
    async (_request, reply) => sendCanonical(reply, canonicalJson(version)),
  );
};

function failureOf(index: number, error: QuoteApiError): BatchItemResult {
  const issues =
    typeof error.detail === 'string'
      ? [{ loc: ['body', 'items', index], msg: error.detail, type: 'invalid_request' }]
      : error.detail.map((issue) =>
          withJsonSafeInput({ ...issue, loc: ['body', 'items', index, ...issue.loc.slice(1)] }),
        );
  return { index, ok: false, error: { detail: 'invalid_request', issues } };
}

/** What replay compares: every number and how it was obtained, not the capsule id (it names the build). */
function numbersOf(response: QuoteResponse): object {
  return {
    theoretical_price: response.theoretical_price,
    greeks: response.greeks,
    ci: response.ci,
    ci_greeks: response.ci_greeks,
    greeks_meta: response.greeks_meta,
    model_used: response.model_used,
    seed_lineage: response.seed_lineage,
  };
}

/**
 * Registered once on the app: the named schemas go to the root (so /docs lists them as components), the routes into
 * their own context (so their error handler sees only their errors).
 */
async function quoteApi(app: FastifyInstance, options: QuoteRoutesOptions): Promise<void> {
  for (const schema of QUOTE_SCHEMAS) app.addSchema(schema);
  await app.register(quoteRoutesInner, options);
}

export const quoteRoutes = fp(quoteApi, { name: 'ope-quote-api', fastify: '5.x' });
