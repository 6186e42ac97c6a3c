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
 *     run<T extends PriceTask | ImpliedVolTask>(task: T, options?: { signal?: AbortSignalLike | (() => AbortSignalLike) }): Promise<TaskResult<T>>;
 *     refuseAtOnce(task: PriceTaskShape | ImpliedVolTask): PoolError | null;
 *     get stats(): PricingPoolStats;
 *     close(options?: { graceMs?: number }): Promise<void>;
 *   }
 *
 * Why our own queue in front of piscina: piscina's queue can only refuse at once (with a code-less Error, TOOLCHAIN 3b)
 * and knows nothing of a request split into chunks. Here the unit of admission is a job (one run() call); a started
 * job's chunks take free threads before the next job starts, and piscina never holds more tasks than there are
 * threads, so our counters are the truth for the gauges.
 *
 * Life of a job: run() -> [wait for room, at most queueTimeoutSeconds; refused at once when the waiting line's
 * measured pace says room would come too late] -> queue (at most queueMax jobs) -> started
 * (first chunk on a thread; the task deadline starts here) -> chunks run, results reassembled in order -> settled.
 * A deadline or a caller's abort on a running job aborts its chunks: piscina terminates those threads and starts
 * replacements, so the pool returns to full size and the CPU is really freed.
 */
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { MODEL_NAMES } from '../core/models.js';
import { withoutStackTrace } from '../stackless-error.js';
import type { Metrics } from '../observability/metrics.js';
import { AbortHandle, type AbortSignalLike } from './abort-handle.js';
import { executeTask } from './execute-task.js';
import { planPlacement, type ItemRange, type PriceTaskShape } from './placement.js';
import { PoolError, type PoolErrorCode } from './pool-error.js';
import { isWorkerReadyMessage } from './worker-ready.js';
import type { ContractOutcome, ImpliedVolOutcome, ImpliedVolTask, PriceTask, TaskResult } from './tasks.js';

export { PoolError, isPoolError, type PoolErrorCode } from './pool-error.js';
export { AbortHandle, type AbortSignalLike } from './abort-handle.js';

/** The `engine` label value of the ope_threadpool_* metrics. */
export const POOL_ENGINE_LABEL = 'pricing';

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
}

export interface RunOptions {
  /**
   * Aborting removes a waiting job; chunks already running finish (or meet the deadline) unobserved. run() rejects
   * with the signal's reason at once. A function is called only when the job goes to the threads: work placed inline
   * cannot be abandoned, so a cheap request never pays for a signal and its listener.
   */
  readonly signal?: AbortSignalLike | (() => AbortSignalLike);
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

type AnyTask = PriceTask | ImpliedVolTask;
type Outcome = ContractOutcome | ImpliedVolOutcome;

interface Job {
  readonly task: AnyTask;
  readonly calledAt: number;
  /** Undispatched chunks, in order, with their position in the result. */
  readonly pending: { readonly index: number; readonly range: ItemRange }[];
  readonly parts: Outcome[][];
  readonly running: Set<AbortHandle>;
  remaining: number;
  settled: boolean;
  timer: NodeJS.Timeout | undefined;
  startedAt: number;
  readonly resolve: (outcomes: Outcome[]) => void;
  readonly reject: (error: unknown) => void;
  detachSignal: () => void;
}

interface AdmissionWaiter {
  readonly job: Job;
  readonly timer: NodeJS.Timeout | undefined;
  /** When it joined the line (the pool's clock), and how many callers were in the line then, itself included. */
  readonly joinedAt: number;
  readonly position: number;
}

const RETRY_AFTER_MAX_SECONDS = 30;
/**
 * Pricing threads run at a lower scheduling priority than the event loop (nice +5, through piscina and
 * @napi-rs/nice; lowering one's own priority needs no privilege). With as many threads as cores, the event loop
 * otherwise waits for a core behind busy pricing threads, and with it every probe, refusal and inline price. The
 * threads still get every cycle the event loop leaves. Measured (single monte_carlo_20k, 2 cores, OPE_THREADS=2):
 * 954-973 requests/s at +5 against 861-919 at 0.
 */
const WORKER_NICE_INCREMENT = 5;
/** Weight of the newest gap in the moving average of the time between two admissions from the waiting line. */
const ADMISSION_PACE_SMOOTHING = 0.2;
const WAIT_IN_VAIN = 'the pricing queue is full and the waiting line would not reach it within the queue timeout';
/**
 * Share of the queue timeout a caller's predicted wait may fill before it is refused at once. The pace is an
 * average: a caller predicted to get in just before the timeout often does not, and is then refused after the
 * whole wait. Measured with `npm run bench:http` (BENCHMARKS.md): at 1.0 most 503s under a 2x overload still
 * took the full 0.5 s.
 */
const ADMISSION_PACE_TRUST = 0.5;
/** Weight of the newest job in the moving average of job run time behind Retry-After. */
const RUN_TIME_SMOOTHING = 0.2;

function defaultWorkerFile(): string {
  // Same extension as this module: worker.ts under tsx (tests, npm start), worker.js in dist/.
  const self = new URL(import.meta.url);
  return fileURLToPath(new URL(`./worker${extname(self.pathname)}`, self));
}

function modelLabel(task: AnyTask): string {
  if (task.kind === 'price') return task.metricsModel ?? task.model;
  return task.quotes.some((q) => q.exercise === 'american') ? task.americanModel : 'black_scholes';
}

function sliceTask(task: AnyTask, range: ItemRange): AnyTask {
  const [start, end] = range;
  if (task.kind === 'price') return { ...task, contracts: task.contracts.slice(start, end) };
  return { ...task, quotes: task.quotes.slice(start, end) };
}

function abortReason(signal: AbortSignalLike): unknown {
  return signal.reason ?? new DOMException('The operation was aborted', 'AbortError');
}

function validate(options: PricingPoolOptions): void {
  const { threads, queueMax, queueTimeoutSeconds, taskTimeoutSeconds, chunkItems } = options;
  if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`threads must be an integer >= 1, got ${threads}`);
  if (!Number.isInteger(queueMax) || queueMax < 0) throw new RangeError(`queueMax must be an integer >= 0, got ${queueMax}`);
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
  readonly #queueMax: number;
  readonly #queueTimeoutMs: number;
  readonly #taskTimeoutMs: number;
  readonly #metrics: Metrics | undefined;
  readonly #inline: boolean;
  readonly #chunkItems: number | undefined;
  readonly #piscina: Piscina<AnyTask, Outcome[]>;

  readonly #queue: Job[] = [];
  /** Started, unsettled jobs in start order: their pending chunks come before the next queued job. */
  readonly #active: Job[] = [];
  readonly #waiters: AdmissionWaiter[] = [];
  /** Ids of the threads that have announced they loaded the worker module (worker-ready.ts); pruned in #pump. */
  readonly #readyThreads = new Set<number>();
  #inFlight = 0;
  #closed = false;
  #closing: Promise<void> | undefined;
  #onDrained: (() => void) | undefined;
  /** Moving average of a job's run time in seconds, for Retry-After. */
  #meanJobSeconds = 0;
  readonly #clock: () => number;
  /** Moving average of the time the waiting line takes to move one place; undefined until a caller went through it. */
  #admissionGapMs: number | undefined;

  constructor(options: PricingPoolOptions) {
    validate(options);
    this.#threads = options.threads;
    this.#queueMax = options.queueMax;
    this.#queueTimeoutMs = options.queueTimeoutSeconds * 1000;
    this.#taskTimeoutMs = options.taskTimeoutSeconds * 1000;
    this.#metrics = options.metrics;
    this.#inline = options.inline ?? true;
    this.#chunkItems = options.chunkItems;
    this.#clock = options.clock ?? (() => performance.now());
    const file = options.workerFile ?? defaultWorkerFile();
    this.#piscina = new Piscina({
      filename: file instanceof URL ? fileURLToPath(file) : file,
      minThreads: options.threads,
      maxThreads: options.threads,
      // We never hand piscina more tasks than threads (it only queues while a replacement thread starts).
      idleTimeout: Number.POSITIVE_INFINITY,
      concurrentTasksPerWorker: 1,
      niceIncrement: WORKER_NICE_INCREMENT,
    });
    // A chunk goes to piscina only when a thread is ready for it, so that a thread's start-up is spent in our queue
    // (visible as queue depth) and not on the deadline of the task that would wait for it.
    this.#piscina.on('message', (message: unknown) => {
      if (!isWorkerReadyMessage(message)) return;
      this.#readyThreads.add(message.threadId);
      this.#pump();
    });
    this.#initMetrics(options.threads);
  }

  get stats(): PricingPoolStats {
    return {
      workers: this.#threads,
      liveWorkers: this.#piscina.threads.length,
      readyWorkers: this.#readyCount(),
      inFlight: this.#inFlight,
      queueDepth: this.#queue.length,
      waitingForAdmission: this.#waiters.length,
      runningJobs: this.#active.length,
      closed: this.#closed,
    };
  }

  #readyCount(): number {
    this.#forgetGoneThreads();
    return this.#readyThreads.size;
  }

  run<T extends AnyTask>(task: T, options: RunOptions = {}): Promise<TaskResult<T>> {
    return this.#run(task, options) as Promise<TaskResult<T>>;
  }

  #run(task: AnyTask, options: RunOptions): Promise<Outcome[]> {
    if (this.#closed) return Promise.reject(this.#refuse('ERR_POOL_CLOSED', 'the pricing pool is shutting down'));
    if (typeof options.signal === 'object' && options.signal.aborted) return Promise.reject(abortReason(options.signal));

    const placement = planPlacement(task, { threads: this.#threads, inline: this.#inline, chunkItems: this.#chunkItems });
    if (placement.inline) return Promise.resolve(this.#runInline(task));
    if (placement.chunks.length === 0) return Promise.resolve([]);
    const signal = typeof options.signal === 'function' ? options.signal() : options.signal;
    if (signal?.aborted) return Promise.reject(abortReason(signal));

    return new Promise<Outcome[]>((resolve, reject) => {
      const job: Job = {
        task,
        calledAt: performance.now(),
        pending: placement.chunks.map((range, index) => ({ index, range })),
        parts: placement.chunks.map(() => []),
        running: new Set(),
        remaining: placement.chunks.length,
        settled: false,
        timer: undefined,
        startedAt: 0,
        resolve,
        reject,
        detachSignal: () => {},
      };
      if (signal) {
        const onAbort = (): void => this.#abandonJob(job, abortReason(signal));
        signal.addEventListener('abort', onAbort, { once: true });
        job.detachSignal = () => signal.removeEventListener('abort', onAbort);
      }
      this.#admit(job);
    });
  }

  /**
   * The refusal run() would give a task of this shape right now without waiting (counted as one), or null when
   * run() would run it inline, queue it, or let it wait for room. The HTTP layer asks before it validates and
   * prepares a request, so that shedding an overload costs little more than reading the body.
   */
  refuseAtOnce(task: PriceTaskShape | ImpliedVolTask): PoolError | null {
    if (this.#closed) return this.#refuse('ERR_POOL_CLOSED', 'the pricing pool is shutting down');
    const placement = planPlacement(task, { threads: this.#threads, inline: this.#inline, chunkItems: this.#chunkItems });
    if (placement.inline || placement.chunks.length === 0) return null;
    if (this.#waiters.length === 0 && this.#hasRoom()) return null;
    if (this.#queueTimeoutMs === 0) return this.#refuse('ERR_POOL_SATURATED', 'the pricing queue is full', true);
    if (this.#wouldWaitInVain()) return this.#refuse('ERR_POOL_SATURATED', WAIT_IN_VAIN, true);
    return null;
  }

  close(options: { graceMs?: number } = {}): Promise<void> {
    this.#closing ??= this.#shutDown(options.graceMs ?? 10_000);
    return this.#closing;
  }

  async #shutDown(graceMs: number): Promise<void> {
    this.#closed = true;
    for (const waiter of this.#waiters.splice(0)) {
      clearTimeout(waiter.timer);
      this.#settle(waiter.job, this.#refuse('ERR_POOL_CLOSED', 'the pricing pool is shutting down'));
    }
    // Admitted work gets the grace period to finish: in-flight requests complete during a graceful shutdown.
    if (!this.#isIdle()) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, graceMs);
        this.#onDrained = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#onDrained = undefined;
    }
    for (const job of [...this.#queue, ...this.#active]) {
      this.#abortJob(job, new PoolError('ERR_POOL_CLOSED', 'the pricing pool shut down before the task finished', this.#retryAfter()));
    }
    await this.#piscina.destroy();
    this.#publishGauges();
  }

  #isIdle(): boolean {
    return this.#queue.length === 0 && this.#active.length === 0 && this.#inFlight === 0;
  }

  #runInline(task: AnyTask): Outcome[] {
    const outcomes = executeTask(task);
    this.#recordOutcomes(task, outcomes);
    return outcomes;
  }

  /** Threads that no started job is going to claim for one of its pending chunks. */
  #freeThreads(): number {
    let claimed = this.#inFlight;
    for (const job of this.#active) claimed += job.pending.length;
    return this.#threads - claimed;
  }

  #hasRoom(): boolean {
    return this.#queue.length < this.#queueMax || (this.#queue.length === 0 && this.#freeThreads() > 0);
  }

  #admit(job: Job): void {
    // Earlier callers that are already waiting for room go first.
    if (this.#waiters.length === 0 && this.#hasRoom()) {
      this.#queue.push(job);
      this.#pump();
      return;
    }
    if (this.#queueTimeoutMs === 0) {
      this.#settle(job, this.#refuse('ERR_POOL_SATURATED', 'the pricing queue is full', true));
      return;
    }
    if (this.#wouldWaitInVain()) {
      this.#settle(job, this.#refuse('ERR_POOL_SATURATED', WAIT_IN_VAIN, true));
      return;
    }
    const timer = setTimeout(() => {
      const index = this.#waiters.findIndex((w) => w.job === job);
      if (index < 0) return;
      this.#waiters.splice(index, 1);
      this.#settle(job, this.#refuse('ERR_POOL_QUEUE_TIMEOUT', `the pricing queue stayed full for ${this.#queueTimeoutMs / 1000} s`, true));
    }, this.#queueTimeoutMs);
    this.#waiters.push({ job, timer, joinedAt: this.#clock(), position: this.#waiters.length + 1 });
  }

  /**
   * A caller joining the waiting line would be let in after everyone already in it, one per measured gap between
   * admissions. When that comes after the queue timeout it would wait only to be refused: refuse it now instead, so
   * an overload is answered with fast 503s rather than with half-second ones that also hold its connection.
   */
  #wouldWaitInVain(): boolean {
    if (this.#admissionGapMs === undefined) return false;
    return (this.#waiters.length + 1) * this.#admissionGapMs > ADMISSION_PACE_TRUST * this.#queueTimeoutMs;
  }

  /** Measures the line's pace from each caller let through: its wait over the places it had to move. */
  #admittedFromLine(waiter: AdmissionWaiter): void {
    const gap = (this.#clock() - waiter.joinedAt) / waiter.position;
    this.#admissionGapMs = this.#admissionGapMs === undefined ? gap : this.#admissionGapMs + ADMISSION_PACE_SMOOTHING * (gap - this.#admissionGapMs);
  }

  #refuse(code: PoolErrorCode, message: string, queueFull = false): PoolError {
    this.#metrics?.threadpoolRejectionsTotal.inc({ engine: POOL_ENGINE_LABEL });
    if (queueFull) this.#metrics?.threadpoolSaturationTotal.inc({ engine: POOL_ENGINE_LABEL });
    const retryAfter = this.#retryAfter();
    return withoutStackTrace(() => new PoolError(code, message, retryAfter));
  }

  /** Time until the work ahead of a new job has drained, from the recent mean job run time. */
  #retryAfter(): number {
    const ahead = this.#queue.length + this.#active.length + 1;
    const estimate = (this.#meanJobSeconds * ahead) / this.#threads;
    return Math.min(RETRY_AFTER_MAX_SECONDS, Math.max(1, Math.ceil(estimate)));
  }

  /** Fills free threads (pending chunks of started jobs first, then the next queued job), then lets waiters in. */
  #pump(): void {
    this.#forgetGoneThreads();
    for (;;) {
      while (this.#inFlight < Math.min(this.#threads, this.#readyThreads.size)) {
        let job = this.#active.find((j) => j.pending.length > 0);
        if (job === undefined) {
          job = this.#queue.shift();
          if (job === undefined) break;
          this.#start(job);
        }
        const { index, range } = job.pending.shift()!;
        this.#dispatch(job, index, range);
      }
      if (this.#closed || this.#waiters.length === 0 || !this.#hasRoom()) break;
      const waiter = this.#waiters.shift()!;
      clearTimeout(waiter.timer);
      this.#queue.push(waiter.job);
      this.#admittedFromLine(waiter);
    }
    this.#publishGauges();
    if (this.#onDrained && this.#isIdle()) this.#onDrained();
  }

  /**
   * Drops the ids of threads piscina no longer holds (terminated, exited). Its workerDestroy event cannot be used
   * for this: by then an exited thread's id already reads -1.
   */
  #forgetGoneThreads(): void {
    if (this.#readyThreads.size === 0) return;
    const live = new Set(this.#piscina.threads.map((worker) => worker.threadId));
    for (const id of this.#readyThreads) if (!live.has(id)) this.#readyThreads.delete(id);
  }

  #start(job: Job): void {
    job.startedAt = performance.now();
    this.#active.push(job);
    this.#metrics?.threadpoolQueueWait.observe({ engine: POOL_ENGINE_LABEL }, (job.startedAt - job.calledAt) / 1000);
    if (this.#taskTimeoutMs > 0) {
      job.timer = setTimeout(() => {
        const error = new PoolError('ERR_POOL_TASK_TIMEOUT', `the pricing task ran past ${this.#taskTimeoutMs / 1000} s`, this.#retryAfter());
        this.#abortJob(job, error);
      }, this.#taskTimeoutMs);
    }
  }

  #dispatch(job: Job, index: number, range: ItemRange): void {
    const chunk = new AbortHandle();
    job.running.add(chunk);
    this.#inFlight += 1;
    this.#piscina.run(sliceTask(job.task, range), { signal: chunk }).then(
      (outcomes) => this.#chunkDone(job, chunk, index, outcomes),
      (error: unknown) => this.#chunkFailed(job, chunk, error),
    );
  }

  #chunkDone(job: Job, chunk: AbortHandle, index: number, outcomes: Outcome[]): void {
    this.#release(job, chunk);
    // Work that was done is measured even when its job already failed for another reason.
    this.#recordOutcomes(job.task, outcomes);
    if (!job.settled) {
      job.parts[index] = outcomes;
      job.remaining -= 1;
      if (job.remaining === 0) {
        const seconds = (performance.now() - job.startedAt) / 1000;
        this.#meanJobSeconds += RUN_TIME_SMOOTHING * (seconds - this.#meanJobSeconds);
        this.#settle(job, job.parts.flat());
      }
    }
    this.#pump();
  }

  #chunkFailed(job: Job, chunk: AbortHandle, error: unknown): void {
    const abortedByUs = chunk.aborted;
    this.#release(job, chunk);
    if (!abortedByUs) {
      // A thrown exception or a dead thread; piscina replaces a dead thread, and the job's other chunks finish unharmed.
      this.#metrics?.modelErrorsTotal.inc({ model: modelLabel(job.task) });
      if (!job.settled) {
        this.#settle(job, new PoolError('ERR_POOL_WORKER_FAILED', 'a pricing worker failed', this.#retryAfter(), { cause: error }));
      }
    }
    this.#pump();
  }

  #release(job: Job, chunk: AbortHandle): void {
    job.running.delete(chunk);
    this.#inFlight -= 1;
  }

  /**
   * The caller went away (client disconnected): its promise rejects at once and its waiting chunks are dropped,
   * but chunks already on a thread run to their end or to the deadline. Stopping them would terminate and
   * restart the thread (about 0.5 s under tsx), which costs more than the chunk, and would let clients churn
   * threads simply by disconnecting.
   */
  #abandonJob(job: Job, reason: unknown): void {
    if (job.settled) return;
    if (job.running.size === 0) {
      this.#abortJob(job, reason);
      return;
    }
    job.pending.length = 0;
    job.remaining = job.running.size;
    job.detachSignal();
    job.reject(reason);
    this.#pump();
  }

  /** Settles a job early: dequeues it or stops its running chunks (piscina terminates and replaces those threads). */
  #abortJob(job: Job, error: unknown): void {
    if (job.settled) return;
    const waiting = this.#waiters.findIndex((w) => w.job === job);
    if (waiting >= 0) clearTimeout(this.#waiters.splice(waiting, 1)[0]!.timer);
    this.#settle(job, error);
    for (const chunk of [...job.running]) chunk.abort(error);
    this.#pump();
  }

  #settle(job: Job, result: Outcome[] | unknown): void {
    if (job.settled) return;
    job.settled = true;
    clearTimeout(job.timer);
    job.detachSignal();
    job.pending.length = 0;
    const queued = this.#queue.indexOf(job);
    if (queued >= 0) this.#queue.splice(queued, 1);
    const active = this.#active.indexOf(job);
    if (active >= 0) this.#active.splice(active, 1);
    if (Array.isArray(result)) job.resolve(result as Outcome[]);
    else job.reject(result);
  }

  #recordOutcomes(task: AnyTask, outcomes: readonly Outcome[]): void {
    const metrics = this.#metrics;
    if (metrics === undefined) return;
    if (task.kind === 'price') {
      for (const outcome of outcomes as readonly ContractOutcome[]) {
        if (outcome.ok) metrics.modelLatency.observe({ model: task.metricsModel ?? task.model }, outcome.seconds);
        else metrics.modelErrorsTotal.inc({ model: task.metricsModel ?? task.model });
      }
      return;
    }
    (outcomes as readonly ImpliedVolOutcome[]).forEach((outcome, i) => {
      if (outcome.code === null) return;
      metrics.modelErrorsTotal.inc({ model: task.quotes[i]?.exercise === 'american' ? task.americanModel : 'black_scholes' });
    });
  }

  /**
   * Every series the pool owns exists from the start, at zero: Prometheus' increase() cannot see the first
   * increment of a series that appears out of nothing, so an alert on the first rejection would miss it.
   */
  #initMetrics(threads: number): void {
    const metrics = this.#metrics;
    if (metrics === undefined) return;
    const engine = { engine: POOL_ENGINE_LABEL };
    metrics.threadpoolWorkers.set(engine, threads);
    metrics.threadpoolRejectionsTotal.inc(engine, 0);
    metrics.threadpoolSaturationTotal.inc(engine, 0);
    metrics.threadpoolQueueWait.zero(engine);
    for (const model of MODEL_NAMES) metrics.modelErrorsTotal.inc({ model }, 0);
    this.#publishGauges();
  }

  #publishGauges(): void {
    const metrics = this.#metrics;
    if (metrics === undefined) return;
    metrics.threadpoolTasksInFlight.set({ engine: POOL_ENGINE_LABEL }, this.#inFlight);
    metrics.threadpoolQueueDepth.set({ engine: POOL_ENGINE_LABEL }, this.#queue.length);
  }
}
