/**
 * The pool's side of the metrics contract (docs/RUNBOOK.md): thread and queue gauges, refusals, queue wait, and
 * per-model latency and errors. A no-op without a registry (library use, tests), so the pool never asks.
 */
import { MODEL_NAMES } from '../core/models.js';
import type { Metrics } from '../observability/metrics.js';
import { observeAll } from '../observability/observe-all.js';
import type { ImpliedVolOutcome, PoolTask, PriceOutcome } from './tasks.js';

/** The `engine` label value of the ope_threadpool_* metrics. */
export const POOL_ENGINE_LABEL = 'pricing';

const ENGINE = { engine: POOL_ENGINE_LABEL } as const;

/** The model a task's failures are counted against: the priced model, or the inverted one for American quotes. */
export function modelLabel(task: PoolTask): string {
  if (task.kind === 'price') return task.metricsModel ?? task.model;
  return task.items.some((q) => q.option.exercise === 'american') ? task.americanModel : 'black_scholes';
}

export class PoolMetrics {
  readonly #metrics: Metrics | undefined;

  /**
   * Every series the pool owns exists from the start, at zero: Prometheus' increase() cannot see the first
   * increment of a series that appears out of nothing, so an alert on the first rejection would miss it.
   */
  constructor(metrics: Metrics | undefined, threads: number) {
    this.#metrics = metrics;
    if (metrics === undefined) return;
    metrics.threadpoolWorkers.set(ENGINE, threads);
    metrics.threadpoolRejectionsTotal.inc(ENGINE, 0);
    metrics.threadpoolSaturationTotal.inc(ENGINE, 0);
    metrics.threadpoolQueueWait.zero(ENGINE);
    for (const model of MODEL_NAMES) metrics.modelErrorsTotal.inc({ model }, 0);
  }

  gauges(inFlight: number, queueDepth: number): void {
    const metrics = this.#metrics;
    if (metrics === undefined) return;
    metrics.threadpoolTasksInFlight.set(ENGINE, inFlight);
    metrics.threadpoolQueueDepth.set(ENGINE, queueDepth);
  }

  refused(queueFull: boolean): void {
    this.#metrics?.threadpoolRejectionsTotal.inc(ENGINE);
    if (queueFull) this.#metrics?.threadpoolSaturationTotal.inc(ENGINE);
  }

  queueWait(seconds: number): void {
    this.#metrics?.threadpoolQueueWait.observe(ENGINE, seconds);
  }

  /** A chunk lost to an exception or a dead thread. */
  workerFailed(task: PoolTask): void {
    this.#metrics?.modelErrorsTotal.inc({ model: modelLabel(task) });
  }

  outcomes(task: PoolTask, outcomes: readonly (PriceOutcome | ImpliedVolOutcome)[]): void {
    const metrics = this.#metrics;
    if (metrics === undefined) return;
    if (task.kind === 'price') {
      // Every contract's time is observed, in one pass per task (observeAll), not one observe() per contract.
      const model = task.metricsModel ?? task.model;
      const seconds: number[] = [];
      let failed = 0;
      for (const outcome of outcomes as readonly PriceOutcome[]) {
        if (outcome.ok) seconds.push(outcome.seconds);
        else failed += 1;
      }
      observeAll(metrics.modelLatency, { model }, seconds);
      if (failed > 0) metrics.modelErrorsTotal.inc({ model }, failed);
      return;
    }
    (outcomes as readonly ImpliedVolOutcome[]).forEach((outcome, i) => {
      if (outcome.ok) return;
      metrics.modelErrorsTotal.inc({
        model: task.items[i]?.option.exercise === 'american' ? task.americanModel : 'black_scholes',
      });
    });
  }
}
