import { withoutStackTrace } from './stackless-error.js';
import type { Metrics } from '../observability/metrics.js';
import { estimateTaskMicros, INLINE_MAX_MICROS, type Placement } from './placement.js';
import { PoolError } from './pool-error.js';
import type { PricingPool, RunOptions } from './pricing-pool.js';

/**
 * Fairness across clients in front of the pricing pool (docs/SECURITY.md, "Pricing capacity"): each client (the
 * rate-limit key: verified `sub`, or the address) may have at most `shareSeconds` of estimated work per thread
 * admitted to the pool at once, the cost of each task estimated from the measured per-contract costs of
 * placement.ts. A client past its share is refused at once with ERR_POOL_SATURATED (503) and a Retry-After of the
 * time its own admitted work needs to drain; a client with nothing admitted always gets its task in (however
 * large), so any request the pool accepts can run. Without this the pool's first-come queue lets one client
 * fill it within its rate limit, and everyone else waits behind that client's work or is refused.
 *
 * A decorator of the pool's run(), so the pool itself stays client-agnostic: the client is read from `clientOf`
 * when run() is called (the HTTP layer keeps it in an AsyncLocalStorage for the request). Work cheap enough to be
 * done inline, and calls outside any request, are not counted.
 */

export interface FairShareOptions {
  /** OPE_FAIR_SHARE_SECONDS: estimated seconds of work per thread one client may have admitted; 0 disables. */
  readonly shareSeconds: number;
  readonly threads: number;
  /** The client of the current call, or undefined outside a request. */
  readonly clientOf: () => string | undefined;
  readonly metrics?: Pick<Metrics, 'threadpoolRejectionsTotal'>;
}

type Pool = Pick<PricingPool, 'run'> & Partial<Pick<PricingPool, 'refuseAtOnce' | 'plan'>>;
type AnyTask = Parameters<PricingPool['run']>[0];

const RETRY_AFTER_MAX_SECONDS = 30;

export class FairShare {
  readonly #shareMicros: number;
  readonly #threads: number;
  readonly #clientOf: () => string | undefined;
  readonly #metrics: FairShareOptions['metrics'];
  /** Estimated microseconds of admitted, unsettled work, per client. */
  readonly #outstanding = new Map<string, number>();

  constructor(options: FairShareOptions) {
    this.#shareMicros = options.shareSeconds * options.threads * 1e6;
    this.#threads = options.threads;
    this.#clientOf = options.clientOf;
    this.#metrics = options.metrics;
  }

  /** Estimated microseconds this client has admitted now (tests, diagnostics). */
  outstandingMicros(client: string): number {
    return this.#outstanding.get(client) ?? 0;
  }

  /**
   * The pool, with run() gated by each client's share. plan() passes through and refuseAtOnce() adds the client's
   * share (bound: the pool keeps its state in private fields); a placement carries its task's estimated cost, so
   * shedding before validation already applies the share.
   */
  wrap<P extends Pool>(pool: P): P {
    if (this.#shareMicros <= 0) return pool;
    const run = <T extends AnyTask>(task: T, options?: RunOptions) => this.#run(pool, task, options);
    const wrapped: Pool = { run: run as PricingPool['run'] };
    const { plan, refuseAtOnce } = pool;
    if (plan !== undefined) wrapped.plan = plan.bind(pool);
    if (refuseAtOnce !== undefined) {
      wrapped.refuseAtOnce = (placement: Placement): PoolError | null =>
        this.#refusal(this.#clientOf(), placement.estimatedMicros) ?? refuseAtOnce.call(pool, placement);
    }
    return wrapped as P;
  }

  #refusal(client: string | undefined, micros: number): PoolError | null {
    if (client === undefined || micros <= INLINE_MAX_MICROS) return null;
    const held = this.#outstanding.get(client) ?? 0;
    if (held === 0 || held + micros <= this.#shareMicros) return null;
    this.#metrics?.threadpoolRejectionsTotal.inc({ engine: 'pricing' });
    // Its own admitted work must drain before a retry can be admitted: that is what the client waits for.
    const drainSeconds = Math.min(RETRY_AFTER_MAX_SECONDS, held / (this.#threads * 1e6));
    return withoutStackTrace(
      () =>
        new PoolError(
          'ERR_POOL_SATURATED',
          `this client's share of the pricing pool is in use (${Math.round(held / 1000)} ms of estimated work admitted)`,
          drainSeconds,
        ),
    );
  }

  #run<T extends AnyTask>(pool: Pool, task: T, options?: RunOptions): ReturnType<PricingPool['run']> {
    const client = this.#clientOf();
    const micros = estimateTaskMicros(task);
    const refusal = this.#refusal(client, micros);
    if (refusal !== null) return Promise.reject(refusal);
    // Work that is not counted goes straight through: no async frame around the pool's own promise.
    if (client === undefined || micros <= INLINE_MAX_MICROS) {
      try {
        return pool.run(task, options);
      } catch (error) {
        return Promise.reject(error as Error);
      }
    }
    return this.#runCounted(pool, task, options, client, micros);
  }

  async #runCounted<T extends AnyTask>(
    pool: Pool,
    task: T,
    options: RunOptions | undefined,
    client: string,
    micros: number,
  ): ReturnType<PricingPool['run']> {
    this.#outstanding.set(client, (this.#outstanding.get(client) ?? 0) + micros);
    try {
      return (await pool.run(task, options)) as Awaited<ReturnType<PricingPool['run']>>;
    } finally {
      const left = (this.#outstanding.get(client) ?? 0) - micros;
      if (left <= 0.5) this.#outstanding.delete(client);
      else this.#outstanding.set(client, left);
    }
  }
}
