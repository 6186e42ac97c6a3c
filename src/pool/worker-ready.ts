/**
 * The one message a pool worker sends on its own: "this thread has loaded its module and can take work". A pool
 * worker module calls announceWorkerReady() at top level. piscina treats its first threads as ready before they
 * have loaded anything, so without this a task's deadline would include a thread's start-up (about half a second
 * under tsx).
 */
import { parentPort, threadId } from 'node:worker_threads';

export const WORKER_READY = 'ope:pool-worker-ready';

export interface WorkerReadyMessage {
  readonly type: typeof WORKER_READY;
  readonly threadId: number;
}

export function announceWorkerReady(): void {
  const message: WorkerReadyMessage = { type: WORKER_READY, threadId };
  parentPort?.postMessage(message);
}

export function isWorkerReadyMessage(value: unknown): value is WorkerReadyMessage {
  return typeof value === 'object' && value !== null && (value as { type?: unknown }).type === WORKER_READY;
}
