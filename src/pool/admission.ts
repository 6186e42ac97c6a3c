/**
 * Admission: whether a job may join the pool's queue now, wait in line for room, or be refused at once, and the
 * Retry-After a refusal carries. It knows nothing of threads or chunks: the scheduler (scheduler.ts) tells it how
 * full the queue is through SchedulerLoad, and takes the callers it lets through from next().
 *
 * Room: fewer than queueMax jobs queued, or an empty queue and a thread that no started job is going to claim.
 * Without room a caller joins the waiting line for at most the queue timeout (0: refused at once), unless the
 * line's measured pace says it would get in only after that timeout: then it is refused now, so an overload is
 * answered with fast 503s rather than with slow ones that also hold their connections (docs/pool.md, "Admission").
 */
import { withoutStackTrace } from './stackless-error.js';
import { PoolError, type PoolErrorCode } from './pool-error.js';
import type { TaskShape } from './placement.js';

/** What admission reads of the scheduler's state. */
export interface SchedulerLoad {
  /** Admitted jobs waiting for their first thread. */
  queuedJobs(): number;
  /** Started jobs not yet settled. */
  runningJobs(): number;
  /** Threads that no started job is going to claim for one of its pending chunks. */
  freeThreads(): number;
}

/**
 * A check in front of the pool's own admission, e.g. a per-client fair share: it may refuse a task before the pool
 * looks at its queue, and it is told when a task it let through was accepted and when that task settled. Work the
 * pool runs inline passes the gate too (the gate decides whether such work counts).
 */
export interface AdmissionGate {
  /** A refusal for this task now, or null to let the pool decide. */
  refuse(task: TaskShape): PoolError | null;
  /** The task was accepted; the returned function is called once, when it has settled (resolved or rejected). */
  enter(task: TaskShape): () => void;
}

export interface AdmissionOptions<J> {
  readonly threads: number;
  /** Jobs that may be queued for a thread, >= 0. */
  readonly queueMax: number;
  /** How long a caller may wait in line for room; 0 refuses at once. */
  readonly queueTimeoutMs: number;
  /** Milliseconds on a monotonic clock, for the line's pace. */
  readonly clock: () => number;
  readonly load: SchedulerLoad;
  /** Called for every refusal (metrics); queueFull when it was for want of room. */
  readonly onRefused: (queueFull: boolean) => void;
  /** Settles a waiting job that the queue timeout has refused. */
  readonly onTimedOut: (job: J, error: PoolError) => void;
}

interface Waiter<J> {
  readonly job: J;
  readonly timer: NodeJS.Timeout | undefined;
  /** When it joined the line, and how many callers were in the line then, itself included. */
  readonly joinedAt: number;
  readonly position: number;
}

export const RETRY_AFTER_MAX_SECONDS = 30;
/** Weight of the newest gap in the moving average of the time between two admissions from the waiting line. */
const ADMISSION_PACE_SMOOTHING = 0.2;
/**
 * Share of the queue timeout a caller's predicted wait may fill before it is refused at once. The pace is an
 * average: a caller predicted to get in just before the timeout often does not, and is then refused after the
 * whole wait (measurements: docs/pool.md, "Admission").
 */
const ADMISSION_PACE_TRUST = 0.5;
/** Weight of the newest job in the moving average of job run time behind Retry-After. */
const RUN_TIME_SMOOTHING = 0.2;
const QUEUE_FULL = 'the pricing queue is full';
const WAIT_IN_VAIN = 'the pricing queue is full and the waiting line would not reach it within the queue timeout';

/** What admit() did with a job. */
export type AdmitDecision = 'queue' | 'wait' | PoolError;

export class Admission<J> {
  readonly #threads: number;
  readonly #queueMax: number;
  readonly #queueTimeoutMs: number;
  readonly #clock: () => number;
  readonly #load: SchedulerLoad;
  readonly #onRefused: (queueFull: boolean) => void;
  readonly #onTimedOut: (job: J, error: PoolError) => void;
  readonly #waiters: Waiter<J>[] = [];
  /** Moving average of the time the waiting line takes to move one place; undefined until a caller went through it. */
  #gapMs: number | undefined;
  /** Moving average of a job's run time in seconds, for Retry-After. */
  #meanJobSeconds = 0;

  constructor(options: AdmissionOptions<J>) {
    this.#threads = options.threads;
    this.#queueMax = options.queueMax;
    this.#queueTimeoutMs = options.queueTimeoutMs;
    this.#clock = options.clock;
    this.#load = options.load;
    this.#onRefused = options.onRefused;
    this.#onTimedOut = options.onTimedOut;
  }

  /** Callers waiting for queue room. */
  get waiting(): number {
    return this.#waiters.length;
  }

  hasRoom(): boolean {
    const queued = this.#load.queuedJobs();
    return queued < this.#queueMax || (queued === 0 && this.#load.freeThreads() > 0);
  }

  /** The refusal admit() would give a job right now, or null when it would queue it or let it wait. */
  refuseAtOnce(): PoolError | null {
    if (this.#waiters.length === 0 && this.hasRoom()) return null;
    if (this.#queueTimeoutMs === 0) return this.refuse('ERR_POOL_SATURATED', QUEUE_FULL, true);
    if (this.#wouldWaitInVain()) return this.refuse('ERR_POOL_SATURATED', WAIT_IN_VAIN, true);
    return null;
  }

  /**
   * 'queue': the caller may join the queue now (earlier callers already in line go first); 'wait': it joined the
   * line and comes back through next() or onTimedOut; a PoolError: refused, counted.
   */
  admit(job: J): AdmitDecision {
    const refusal = this.refuseAtOnce();
    if (refusal !== null) return refusal;
    if (this.#waiters.length === 0 && this.hasRoom()) return 'queue';
    const timer = setTimeout(() => {
      if (!this.withdraw(job)) return;
      this.#onTimedOut(
        job,
        this.refuse(
          'ERR_POOL_QUEUE_TIMEOUT',
          `the pricing queue stayed full for ${this.#queueTimeoutMs / 1000} s`,
          true,
        ),
      );
    }, this.#queueTimeoutMs);
    this.#waiters.push({ job, timer, joinedAt: this.#clock(), position: this.#waiters.length + 1 });
    return 'wait';
  }

  /** The first caller in line, when there is room for it now; it is out of the line and must be queued. */
  next(): J | undefined {
    if (this.#waiters.length === 0 || !this.hasRoom()) return undefined;
    const waiter = this.#waiters.shift()!;
    clearTimeout(waiter.timer);
    // The line's pace: this caller's wait over the places it had to move.
    const gap = (this.#clock() - waiter.joinedAt) / waiter.position;
    this.#gapMs = this.#gapMs === undefined ? gap : this.#gapMs + ADMISSION_PACE_SMOOTHING * (gap - this.#gapMs);
    return waiter.job;
  }

  /** Takes a job out of the line (its caller left); false when it was not waiting. */
  withdraw(job: J): boolean {
    const index = this.#waiters.findIndex((w) => w.job === job);
    if (index < 0) return false;
    clearTimeout(this.#waiters.splice(index, 1)[0]!.timer);
    return true;
  }

  /** Empties the line (shutdown), returning its jobs in order. */
  drain(): J[] {
    return this.#waiters.splice(0).map((waiter) => {
      clearTimeout(waiter.timer);
      return waiter.job;
    });
  }

  /** A job ran to completion in `seconds`: feeds the Retry-After estimate. */
  jobRan(seconds: number): void {
    this.#meanJobSeconds += RUN_TIME_SMOOTHING * (seconds - this.#meanJobSeconds);
  }

  /** Time until the work ahead of a new job has drained, from the recent mean job run time. */
  retryAfter(): number {
    const ahead = this.#load.queuedJobs() + this.#load.runningJobs() + 1;
    const estimate = (this.#meanJobSeconds * ahead) / this.#threads;
    return Math.min(RETRY_AFTER_MAX_SECONDS, Math.max(1, Math.ceil(estimate)));
  }

  /** A counted refusal with the current Retry-After and no stack trace (refusals are traffic, not defects). */
  refuse(code: PoolErrorCode, message: string, queueFull = false): PoolError {
    this.#onRefused(queueFull);
    const retryAfter = this.retryAfter();
    return withoutStackTrace(() => new PoolError(code, message, retryAfter));
  }

  /**
   * A caller joining the line would be let in after everyone already in it, one per measured gap between
   * admissions; when that comes later than the trusted share of the queue timeout, it would wait only to be refused.
   */
  #wouldWaitInVain(): boolean {
    if (this.#gapMs === undefined) return false;
    return (this.#waiters.length + 1) * this.#gapMs > ADMISSION_PACE_TRUST * this.#queueTimeoutMs;
  }
}
