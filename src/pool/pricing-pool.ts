/**
 * The pricing pool: OPE_THREADS worker threads (piscina) behind our own admission control, a bounded wait queue,
 * per-task deadlines and measured work placement. The HTTP layer codes against this API:
 *
 *   export type PoolErrorCode = 'ERR_POOL_SATURATED' | 'ERR_POOL_QUEUE_TIMEOUT' | 'ERR_POOL_TASK_TIMEOUT'
 *                             | 'ERR_POOL_CLOSED' | 'ERR_POOL_WORKER_FAILED';
 *   export class PoolError extends Error { readonly code: PoolErrorCode; readonly retryAfterSeconds: number }
 *   export interface PricingPoolOptions { threads; queueMax; queueTimeoutSeconds; taskTimeoutSeconds; metrics?; workerFile?;
 *                                         inline?; chunkItems? }
 *   export class PricingPool {
 *     constructor(options: PricingPoolOptions);
 *     plan(task: TaskShape): Placement;
 *     run<T extends PriceTask | ImpliedVolTask>(task: T, options?: { signal?; placement? }): Promise<TaskResult<T>>;
 *     refuseAtOnce(placement: Placement): PoolError | null;
 *     get stats(): PricingPoolStats;
 *     close(options?: { graceMs?: number }): Promise<void>;
 *   }
 *
 * Why our own queue in front of piscina: piscina's queue can only refuse at once (with a code-less Error)
 * and knows nothing of a request split into chunks. Here the unit of admission is a job (one run() call).
 *
 * The pool is a facade over three parts: admission (admission.ts: queue room, the waiting line and its pace,
 * refusals and Retry-After), scheduling (scheduler.ts: chunks on piscina's threads, deadlines, aborts) and metrics
 * (pool-metrics.ts). An optional AdmissionGate (e.g. a per-client fair share) is asked before admission.
 *
 * Life of a job: run() -> [gate] -> [wait for room, at most queueTimeoutSeconds; refused at once when the waiting
 * line's measured pace says room would come too late] -> queue (at most queueMax jobs) -> started (first chunk on
 * a thread; the task deadline starts here) -> chunks run, results reassembled in order -> settled.
 */
import type { Metrics } from '../observability/metrics.js';
import { PoolMetrics } from './pool-metrics.js';
import type { AbortSignalLike } from './abort-handle.js';
import { Admission, type AdmissionGate } from './admission.js';
import { executeTask } from './execute-task.js';
import { placementCovers, planPlacement, type Placement, type TaskShape } from './placement.js';
import { PoolError } from './pool-error.js';
import { abortReason, Scheduler, type AnyTask, type Job, type Outcome } from './scheduler.js';
import type { TaskResult } from './tasks.js';

export { PoolError, isPoolError, type PoolErrorCode } from './pool-error.js';
export { AbortHandle, type AbortSignalLike } from './abort-handle.js';
export type { Placement, TaskShape } from './placement.js';
export type { AdmissionGate } from './admission.js';

export { POOL_ENGINE_LABEL } from './pool-metrics.js';

export interface PricingPoolOptions {
  /** Worker threads (OPE_THREADS), >= 1. */
  readonly threads: number;
  /** Jobs that may wait for a thread (OPE_THREAD_QUEUE_MAX), >= 0. */
  readonly queueMax: number;
  /** How long run() may wait for queue room before ERR_POOL_QUEUE_TIMEOUT; 0 = ERR_POOL_SATURATED at once. */
  readonly queueTimeoutSeconds: number;
  /** A started job past this is cancelled with ERR_POOL_TASK_TIMEOUT and its threads replaced; 0 = no limit. */
  readonly taskTimeoutSeconds: number;
  readonly metrics?: Metrics;
  /** The worker module (tests use scripted fixtures); it must call announceWorkerReady() (worker-ready.ts) when loaded. Default: worker.ts/.js next to this module. */
  readonly workerFile?: string | URL;
  /** Run work cheaper than a thread hop on the calling thread (placement.ts). Default true; false sends everything to a thread. */
  readonly inline?: boolean;
  /** Fixed contracts (or quotes) per chunk, overriding the measured chunking (tests, benchmarks). */
  readonly chunkItems?: number;
  /** Milliseconds on a monotonic clock, for the admission line's pace. Default performance.now (tests inject one). */
  readonly clock?: () => number;
  /** A check in front of admission (admission.ts), e.g. a per-client fair share. */
  readonly gate?: AdmissionGate;
}

export interface RunOptions {
  /**
   * Aborting removes a waiting job; chunks already running finish (or meet the deadline) unobserved. run() rejects
   * with the signal's reason at once. A function is called only when the job goes to the threads: work placed inline
   * cannot be abandoned, so a cheap request never pays for a signal and its listener.
   */
  readonly signal?: AbortSignalLike | (() => AbortSignalLike) | undefined;
  /** The placement plan() gave for this task's shape (planned once per request); planned here when absent or not for this task. */
  readonly placement?: Placement | undefined;
}

export interface PricingPoolStats {
  /** Configured threads. */
  readonly workers: number;
  /** Threads piscina holds right now, including replacements that are still starting. */
  readonly liveWorkers: number;
  /** Threads that have loaded the worker module and can take a chunk. */
  readonly readyWorkers: number;
  /** Chunks on a thread now (ope_threadpool_tasks_in_flight). */
  readonly inFlight: number;
  /** Admitted jobs waiting for their first thread (ope_threadpool_queue_depth). */
  readonly queueDepth: number;
  /** Callers waiting for queue room (not yet admitted). */
  readonly waitingForAdmission: number;
  /** Jobs started and not yet settled. */
  readonly runningJobs: number;
  readonly closed: boolean;
}

const CLOSED = 'the pricing pool is shutting down';

function validate(options: PricingPoolOptions): void {
  const { threads, queueMax, queueTimeoutSeconds, taskTimeoutSeconds, chunkItems } = options;
  if (!Number.isInteger(threads) || threads < 1)
    throw new RangeError(`threads must be an integer >= 1, got ${threads}`);
  if (!Number.isInteger(queueMax) || queueMax < 0)
    throw new RangeError(`queueMax must be an integer >= 0, got ${queueMax}`);
  if (!(queueTimeoutSeconds >= 0) || !Number.isFinite(queueTimeoutSeconds)) {
    throw new RangeError(`queueTimeoutSeconds must be a finite number >= 0, got ${queueTimeoutSeconds}`);
  }
  if (!(taskTimeoutSeconds >= 0) || !Number.isFinite(taskTimeoutSeconds)) {
    throw new RangeError(`taskTimeoutSeconds must be a finite number >= 0, got ${taskTimeoutSeconds}`);
  }
  if (chunkItems !== undefined && (!Number.isInteger(chunkItems) || chunkItems < 1)) {
    throw new RangeError(`chunkItems must be an integer >= 1, got ${chunkItems}`);
  }
}

export class PricingPool {
  readonly #threads: number;
  readonly #metrics: PoolMetrics;
  readonly #inline: boolean;
  readonly #chunkItems: number | undefined;
  readonly #gate: AdmissionGate | undefined;
  readonly #admission: Admission<Job>;
  readonly #scheduler: Scheduler;
  #closed = false;
  #closing: Promise<void> | undefined;

  constructor(options: PricingPoolOptions) {
    validate(options);
    this.#threads = options.threads;
    this.#metrics = new PoolMetrics(options.metrics, options.threads);
    this.#inline = options.inline ?? true;
    this.#chunkItems = options.chunkItems;
    this.#gate = options.gate;
    // Admission reads the scheduler's load, and the scheduler takes callers from admission's line.
    const admission = new Admission<Job>({
      threads: options.threads,
      queueMax: options.queueMax,
      queueTimeoutMs: options.queueTimeoutSeconds * 1000,
      clock: options.clock ?? (() => performance.now()),
      load: {
        queuedJobs: () => this.#scheduler.queuedJobs(),
        runningJobs: () => this.#scheduler.runningJobs(),
        freeThreads: () => this.#scheduler.freeThreads(),
      },
      onRefused: (queueFull) => this.#metrics.refused(queueFull),
      onTimedOut: (job, error) => this.#scheduler.settle(job, error),
    });
    this.#admission = admission;
    this.#scheduler = new Scheduler({
      threads: options.threads,
      taskTimeoutMs: options.taskTimeoutSeconds * 1000,
      workerFile: options.workerFile,
      metrics: this.#metrics,
      line: admission,
      retryAfter: () => admission.retryAfter(),
      jobRan: (seconds) => admission.jobRan(seconds),
    });
  }

  get stats(): PricingPoolStats {
    return {
      workers: this.#threads,
      liveWorkers: this.#scheduler.liveThreads,
      readyWorkers: this.#scheduler.readyThreads(),
      inFlight: this.#scheduler.inFlight,
      queueDepth: this.#scheduler.queuedJobs(),
      waitingForAdmission: this.#admission.waiting,
      runningJobs: this.#scheduler.runningJobs(),
      closed: this.#closed,
    };
  }

  run<T extends AnyTask>(task: T, options: RunOptions = {}): Promise<TaskResult<T>> {
    if (this.#gate === undefined) return this.#run(task, options) as Promise<TaskResult<T>>;
    if (this.#closed) return Promise.reject(this.#admission.refuse('ERR_POOL_CLOSED', CLOSED));
    const refusal = this.#gate.refuse(task);
    if (refusal !== null) return Promise.reject(refusal);
    const leave = this.#gate.enter(task);
    const running = this.#run(task, options);
    running.then(leave, leave);
    return running as Promise<TaskResult<T>>;
  }

  #run(task: AnyTask, options: RunOptions): Promise<Outcome[]> {
    if (this.#closed) return Promise.reject(this.#admission.refuse('ERR_POOL_CLOSED', CLOSED));
    if (typeof options.signal === 'object' && options.signal.aborted)
      return Promise.reject(abortReason(options.signal));

    const planned = options.placement;
    const placement = planned !== undefined && placementCovers(planned, task.items.length) ? planned : this.plan(task);
    if (placement.inline) return Promise.resolve(this.#runInline(task));
    if (placement.chunks.length === 0) return Promise.resolve([]);
    const signal = typeof options.signal === 'function' ? options.signal() : options.signal;
    if (signal?.aborted) return Promise.reject(abortReason(signal));

    return new Promise<Outcome[]>((resolve, reject) => {
      const job = this.#scheduler.newJob(task, placement.chunks, signal, resolve, reject);
      const decision = this.#admission.admit(job);
      if (decision === 'queue') this.#scheduler.enqueue(job);
      else if (decision !== 'wait') this.#scheduler.settle(job, decision);
    });
  }

  /** Where a task of this shape would run (placement.ts): plan once per request, then hand it to refuseAtOnce and run. */
  plan(task: TaskShape): Placement {
    return planPlacement(task, { threads: this.#threads, inline: this.#inline, chunkItems: this.#chunkItems });
  }

  /**
   * The refusal run() would give a task with this placement right now without waiting (counted as one), or null
   * when run() would run it inline, queue it, or let it wait for room. The HTTP layer asks before it validates and
   * prepares a request, so that shedding an overload costs little more than reading the body. With the task's
   * shape, the gate (if any) is asked first.
   */
  refuseAtOnce(placement: Placement, shape?: TaskShape): PoolError | null {
    if (this.#closed) return this.#admission.refuse('ERR_POOL_CLOSED', CLOSED);
    if (shape !== undefined && this.#gate !== undefined) {
      const refusal = this.#gate.refuse(shape);
      if (refusal !== null) return refusal;
    }
    if (placement.inline || placement.chunks.length === 0) return null;
    return this.#admission.refuseAtOnce();
  }

  close(options: { graceMs?: number } = {}): Promise<void> {
    this.#closing ??= this.#shutDown(options.graceMs ?? 10_000);
    return this.#closing;
  }

  async #shutDown(graceMs: number): Promise<void> {
    this.#closed = true;
    for (const job of this.#admission.drain())
      this.#scheduler.settle(job, this.#admission.refuse('ERR_POOL_CLOSED', CLOSED));
    await this.#scheduler.shutDown(
      graceMs,
      () =>
        new PoolError(
          'ERR_POOL_CLOSED',
          'the pricing pool shut down before the task finished',
          this.#admission.retryAfter(),
        ),
    );
  }

  #runInline(task: AnyTask): Outcome[] {
    const outcomes = executeTask(task);
    this.#metrics.outcomes(task, outcomes);
    return outcomes;
  }
}
