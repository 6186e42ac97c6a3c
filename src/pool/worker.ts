/**
 * The worker-thread entry piscina loads (by default export). It runs one chunk of a job; the pool slices,
 * schedules and reassembles. Resolved next to pricing-pool.ts with that module's extension (.ts under tsx, .js in dist/).
 */
import { executeTask } from './execute-task.js';
import type { ImpliedVolTask, PriceTask, TaskResult } from './tasks.js';
import { announceWorkerReady } from './worker-ready.js';

announceWorkerReady();

export default function runWorkerTask<T extends PriceTask | ImpliedVolTask>(task: T): TaskResult<T> {
  return executeTask(task);
}
