/**
 * Scheduling: the admitted jobs' chunks on piscina's threads. A started job's chunks take free threads before the
 * next queued job starts, and piscina never holds more tasks than there are ready threads, so the counters here
 * are the truth for the gauges. A job's deadline starts with its first chunk; a deadline, or a shutdown, stops its
 * running chunks (piscina terminates those threads and starts replacements, so the CPU is really freed), and the
 * results of its chunks are reassembled in order.
 *
 * Who may enter the queue is admission's business (admission.ts): the scheduler asks its line for the next caller
 * whenever it has filled the threads it can.
 */
import { extname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Piscina } from 'piscina';
import { AbortHandle, type AbortSignalLike } from './abort-handle.js';
import type { SchedulerLoad } from './admission.js';
import type { ItemRange } from './placement.js';
import { PoolError } from './pool-error.js';
import type { PoolMetrics } from './pool-metrics.js';
import { isWorkerReadyMessage } from './worker-ready.js';
import type { ImpliedVolOutcome, ImpliedVolTask, PriceOutcome, PriceTask } from './tasks.js';

export type AnyTask = PriceTask | ImpliedVolTask;
export type Outcome = PriceOutcome | ImpliedVolOutcome;

export interface Job {
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

/** Admission's waiting line, as the scheduler sees it. */
export interface WaitingLine {
  /** The next caller to queue now that there may be room, or undefined. */
  next(): Job | undefined;
  /** Takes a job out of the line; false when it was not in it. */
  withdraw(job: Job): boolean;
}

export interface SchedulerOptions {
  readonly threads: number;
  /** 0 = no limit. */
  readonly taskTimeoutMs: number;
  readonly workerFile: string | URL | undefined;
  readonly metrics: PoolMetrics;
  readonly line: WaitingLine;
  /** Retry-After for a job lost to a deadline or a shutdown. */
  readonly retryAfter: () => number;
  /** A job's chunks all finished, `seconds` after it started. */
  readonly jobRan: (seconds: number) => void;
}

/**
 * Pricing threads run at a lower scheduling priority than the event loop (nice +5, through piscina and
 * @napi-rs/nice; lowering one's own priority needs no privilege). With as many threads as cores, the event loop
 * otherwise waits for a core behind busy pricing threads, and with it every probe, refusal and inline price. The
 * threads still get every cycle the event loop leaves (measurements: docs/pool.md, "Priority").
 */
const WORKER_NICE_INCREMENT = 5;

function defaultWorkerFile(): string {
  // Same extension as this module: worker.ts under tsx (tests, npm run dev), worker.js in dist/.
  const self = new URL(import.meta.url);
  return fileURLToPath(new URL(`./worker${extname(self.pathname)}`, self));
}

/**
 * piscina's filename and workerData for a worker module: a TypeScript module is loaded through
 * ts-worker-loader.cjs, which import()s it, because piscina's first attempt, require(), transpiles the module and
 * its imports to CommonJS in every thread under tsx (about 0.2 s more CPU per thread start).
 */
function workerEntry(file: string): { filename: string; workerData?: { workerModule: string } } {
  if (!/\.[cm]?ts$/.test(file)) return { filename: file };
  return {
    filename: fileURLToPath(new URL('./ts-worker-loader.cjs', import.meta.url)),
    workerData: { workerModule: pathToFileURL(file).href },
  };
}

function sliceTask(task: AnyTask, range: ItemRange): AnyTask {
  const [start, end] = range;
  if (start === 0 && end === task.items.length) return task;
  if (task.kind === 'price') return { ...task, items: task.items.slice(start, end) };
  return { ...task, items: task.items.slice(start, end) };
}

export function abortReason(signal: AbortSignalLike): unknown {
  return signal.reason ?? new DOMException('The operation was aborted', 'AbortError');
}

export class Scheduler implements SchedulerLoad {
  readonly #threads: number;
  readonly #taskTimeoutMs: number;
  readonly #metrics: PoolMetrics;
  readonly #line: WaitingLine;
  readonly #retryAfter: () => number;
  readonly #jobRan: (seconds: number) => void;
  readonly #piscina: Piscina<AnyTask, Outcome[]>;
  readonly #queue: Job[] = [];
  /** Started, unsettled jobs in start order: their pending chunks come before the next queued job. */
  readonly #active: Job[] = [];
  /** Ids of the threads that have announced they loaded the worker module (worker-ready.ts); pruned in pump(). */
  readonly #readyThreads = new Set<number>();
  #inFlight = 0;
  #lineOpen = true;
  #onDrained: (() => void) | undefined;

  constructor(options: SchedulerOptions) {
    this.#threads = options.threads;
    this.#taskTimeoutMs = options.taskTimeoutMs;
    this.#metrics = options.metrics;
    this.#line = options.line;
    this.#retryAfter = options.retryAfter;
    this.#jobRan = options.jobRan;
    const file = options.workerFile ?? defaultWorkerFile();
    this.#piscina = new Piscina({
      ...workerEntry(file instanceof URL ? fileURLToPath(file) : file),
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
      this.pump();
    });
    this.#publishGauges();
  }

  queuedJobs(): number {
    return this.#queue.length;
  }

  runningJobs(): number {
    return this.#active.length;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  /** Threads piscina holds right now, including replacements that are still starting. */
  get liveThreads(): number {
    return this.#piscina.threads.length;
  }

  /** Threads that have loaded the worker module and can take a chunk. */
  readyThreads(): number {
    this.#forgetGoneThreads();
    return this.#readyThreads.size;
  }

  freeThreads(): number {
    let claimed = this.#inFlight;
    for (const job of this.#active) claimed += job.pending.length;
    return this.#threads - claimed;
  }

  isIdle(): boolean {
    return this.#queue.length === 0 && this.#active.length === 0 && this.#inFlight === 0;
  }

  /** A job for `chunks` of `task`, settled through resolve/reject; a signal's abort abandons it (abandon()). */
  newJob(
    task: AnyTask,
    chunks: readonly ItemRange[],
    signal: AbortSignalLike | undefined,
    resolve: (outcomes: Outcome[]) => void,
    reject: (error: unknown) => void,
  ): Job {
    const job: Job = {
      task,
      calledAt: performance.now(),
      pending: chunks.map((range, index) => ({ index, range })),
      parts: chunks.map(() => []),
      running: new Set(),
      remaining: chunks.length,
      settled: false,
      timer: undefined,
      startedAt: 0,
      resolve,
      reject,
      detachSignal: () => {},
    };
    if (signal) {
      const onAbort = (): void => this.abandon(job, abortReason(signal));
      signal.addEventListener('abort', onAbort, { once: true });
      job.detachSignal = () => signal.removeEventListener('abort', onAbort);
    }
    return job;
  }

  /** Queues an admitted job and fills the threads. */
  enqueue(job: Job): void {
    this.#queue.push(job);
    this.pump();
  }

  /** Fills free threads (pending chunks of started jobs first, then the next queued job), then lets waiters in. */
  pump(): void {
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
      const next = this.#lineOpen ? this.#line.next() : undefined;
      if (next === undefined) break;
      this.#queue.push(next);
    }
    this.#publishGauges();
    if (this.#onDrained && this.isIdle()) this.#onDrained();
  }

  /**
   * Stops taking callers from the line, waits up to graceMs for admitted work to finish, then stops what still
   * runs with `error()` and terminates the threads.
   */
  async shutDown(graceMs: number, error: () => PoolError): Promise<void> {
    this.#lineOpen = false;
    // Admitted work gets the grace period to finish: in-flight requests complete during a graceful shutdown.
    if (!this.isIdle()) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, graceMs);
        this.#onDrained = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#onDrained = undefined;
    }
    for (const job of [...this.#queue, ...this.#active]) this.abort(job, error());
    await this.#piscina.destroy();
    this.#publishGauges();
  }

  /**
   * The caller went away (client disconnected): its promise rejects at once and its waiting chunks are dropped,
   * but chunks already on a thread run to their end or to the deadline. Stopping them would terminate and
   * restart the thread (about 0.5 s under tsx), which costs more than the chunk, and would let clients churn
   * threads simply by disconnecting.
   */
  abandon(job: Job, reason: unknown): void {
    if (job.settled) return;
    if (job.running.size === 0) {
      this.abort(job, reason);
      return;
    }
    job.pending.length = 0;
    job.remaining = job.running.size;
    job.detachSignal();
    job.reject(reason);
    this.pump();
  }

  /** Settles a job early: takes it out of the line or the queue, or stops its running chunks. */
  abort(job: Job, error: unknown): void {
    if (job.settled) return;
    this.#line.withdraw(job);
    this.settle(job, error);
    for (const chunk of [...job.running]) chunk.abort(error);
    this.pump();
  }

  settle(job: Job, result: Outcome[] | unknown): void {
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
    this.#metrics.queueWait((job.startedAt - job.calledAt) / 1000);
    if (this.#taskTimeoutMs > 0) {
      job.timer = setTimeout(() => {
        this.abort(
          job,
          new PoolError(
            'ERR_POOL_TASK_TIMEOUT',
            `the pricing task ran past ${this.#taskTimeoutMs / 1000} s`,
            this.#retryAfter(),
          ),
        );
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
    this.#metrics.outcomes(job.task, outcomes);
    if (!job.settled) {
      job.parts[index] = outcomes;
      job.remaining -= 1;
      if (job.remaining === 0) {
        this.#jobRan((performance.now() - job.startedAt) / 1000);
        this.settle(job, job.parts.flat());
      }
    }
    this.pump();
  }

  #chunkFailed(job: Job, chunk: AbortHandle, error: unknown): void {
    const abortedByUs = chunk.aborted;
    this.#release(job, chunk);
    if (!abortedByUs) {
      // A thrown exception or a dead thread; piscina replaces a dead thread, and the job's other chunks finish unharmed.
      this.#metrics.workerFailed(job.task);
      if (!job.settled) {
        this.settle(
          job,
          new PoolError('ERR_POOL_WORKER_FAILED', 'a pricing worker failed', this.#retryAfter(), { cause: error }),
        );
      }
    }
    this.pump();
  }

  #release(job: Job, chunk: AbortHandle): void {
    job.running.delete(chunk);
    this.#inFlight -= 1;
  }

  #publishGauges(): void {
    this.#metrics.gauges(this.#inFlight, this.#queue.length);
  }
}
