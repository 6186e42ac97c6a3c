/**
 * Every way the pricing pool can refuse or lose a task. The HTTP layer switches on `code`:
 * the first four are capacity problems (503 + Retry-After), ERR_POOL_WORKER_FAILED is a defect (500).
 */
export type PoolErrorCode =
  /** The wait queue was full and OPE_THREAD_QUEUE_TIMEOUT_SECONDS is 0: refused at once. */
  | 'ERR_POOL_SATURATED'
  /** The wait queue stayed full for OPE_THREAD_QUEUE_TIMEOUT_SECONDS. */
  | 'ERR_POOL_QUEUE_TIMEOUT'
  /** The task ran past OPE_THREAD_TASK_TIMEOUT_SECONDS; its threads were terminated and replaced. */
  | 'ERR_POOL_TASK_TIMEOUT'
  /** The pool is shutting down (or its shutdown grace ran out while the task waited or ran). */
  | 'ERR_POOL_CLOSED'
  /** The worker threw outside the per-contract error handling, or its thread died. */
  | 'ERR_POOL_WORKER_FAILED';

export class PoolError extends Error {
  override readonly name = 'PoolError';
  readonly code: PoolErrorCode;
  /** A whole number of seconds (>= 1) after which a retry has a fair chance: the value for a Retry-After header. */
  readonly retryAfterSeconds: number;

  constructor(code: PoolErrorCode, message: string, retryAfterSeconds: number, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.retryAfterSeconds = Math.max(1, Math.ceil(retryAfterSeconds));
  }
}

export function isPoolError(value: unknown): value is PoolError {
  return value instanceof PoolError;
}
