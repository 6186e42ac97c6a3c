/**
 * Where a task runs, decided from measured costs (bench/pool.bench.ts prints the numbers below; docs/pool.md
 * records a run): on the calling thread when the work costs the event loop less than dispatching it would
 * (and stays under a small cap), otherwise on the pool, split into contiguous chunks large enough that the
 * round trip is noise, and numerous enough that every thread gets a share. Results never depend on the split:
 * every contract carries its own seed (tasks.ts), and the pool reassembles chunks in order.
 */
import { MODEL_REGISTRY, isModelName, type ModelName } from '../core/models.js';
import type { ImpliedVolTask, PriceTask } from './tasks.js';

/**
 * Measured cost of one contract in microseconds through executeTask, without and with greeks: the cost row of
 * each model's registry entry (src/core/models.ts), indexed by model name.
 */
export const CONTRACT_MICROS: Readonly<Record<ModelName, { readonly price: number; readonly greeks: number }>> =
  Object.fromEntries(Object.values(MODEL_REGISTRY).map((entry) => [entry.name, entry.cost])) as Record<
    ModelName,
    { readonly price: number; readonly greeks: number }
  >;

/** Measured cost of one European implied volatility in microseconds (section 2). */
export const EUROPEAN_IMPLIED_VOL_MICROS = 0.9;
/**
 * Model prices one American implied volatility costs: the root finder reports 4.5 to 5.3 pricer evaluations per
 * quote on the benchmark's quotes (section 2), plus the European guess.
 */
export const AMERICAN_IMPLIED_VOL_EVALUATIONS = 6;

/**
 * Measured event-loop cost of sending a task to a thread and taking its result back (structured clone both ways,
 * message handling, promise settlement): a fixed part and a part per contract. Work cheaper than this costs the
 * event loop less when done inline than when dispatched, so it is done inline.
 */
export const DISPATCH_FIXED_MICROS = 110;
export const DISPATCH_PER_ITEM_MICROS = 3.1;
/** Measured round trip of a small task through an idle pool (section 3): the unit a chunk must dwarf. */
export const ROUND_TRIP_MICROS = 200;
/** Policy, not measurement: inline work never holds the event loop longer than this per request. */
export const INLINE_MAX_MICROS = 2_000;
/** A chunk should cost this many round trips or more, so that splitting adds at most ~5 % overhead. */
const MIN_CHUNK_ROUND_TRIPS = 20;
/** Chunks per thread for a large task: more than one, so a thread that finishes early takes another share. */
const CHUNKS_PER_THREAD = 2;

/** [start, end) indices into a task's contracts or quotes. */
export type ItemRange = readonly [start: number, end: number];

export interface Placement {
  /** Run on the calling thread; `chunks` is then empty. */
  readonly inline: boolean;
  readonly chunks: readonly ItemRange[];
  /** The task's estimated cost (estimateTaskMicros), which the fair share counts against its client. */
  readonly estimatedMicros: number;
}

/** Whether `placement` was planned for a task of `items` items (a placement planned once per request is reused). */
export function placementCovers(placement: Placement, items: number): boolean {
  if (placement.inline) return items > 0;
  const last = placement.chunks[placement.chunks.length - 1];
  return last === undefined ? items === 0 : last[1] === items;
}

export interface PlacementOptions {
  readonly threads: number;
  /** Whether inline placement is allowed at all. */
  readonly inline: boolean;
  /** Fixed chunk size, overriding the cost model (tests, benchmarks). */
  readonly chunkItems?: number | undefined;
}

/** What placement reads of a pricing task: its model, whether it wants greeks, and how many contracts. */
export type PriceTaskShape = Pick<PriceTask, 'kind' | 'model' | 'greeks'> &
  Partial<Pick<PriceTask, 'steps' | 'pairs' | 'monteCarlo'>> & { readonly items: ArrayLike<unknown> };

/**
 * How much dearer than the measured default a task's model parameters make each contract: a tree costs steps^2
 * (the registry's cost holds 200 steps), Monte Carlo costs its pairs (10,000 measured).
 */
function parameterCostFactor(task: PriceTaskShape): number {
  if (task.steps !== undefined) return (task.steps / 200) ** 2;
  if (task.pairs !== undefined) return task.pairs / 10_000;
  return 1;
}
/**
 * Measured cost of one tunable Monte Carlo contract (tasks with monteCarlo) over monte_carlo_20k's with greeks, both
 * at 20,000 paths: `node --import tsx bench/tunable-monte-carlo-cost.bench.ts`, three runs on 2026-12-07 at 13:42 UTC
 * on the shared 2-core machine, load average 4.6 (ratios taken in one process, alternating; raw output in
 * bench/results/2026-12-07-tunable-monte-carlo-cost.txt): European with antithetic pairs 2.3-3.1x, with control
 * variates 2.8-3.5x, with Sobol 4.3-5.6x; Longstaff-Schwartz with 64 exercise dates 68-86x. Rounded up.
 */
export const TUNABLE_MONTE_CARLO_COST_RATIO = { pseudoRandom: 4, sobol: 5.5, longstaffSchwartz64Dates: 90 } as const;

/** The most paths a tunable Monte Carlo run may simulate: its precision ceiling when it has a target. */
function monteCarloPathBudget(params: NonNullable<PriceTask['monteCarlo']>): number {
  return params.targetCiBps === undefined ? params.paths : Math.max(params.paths, params.maxPaths ?? params.paths);
}

function isAmericanItem(item: unknown): boolean {
  return (item as { option?: { exercise?: unknown } } | undefined)?.option?.exercise === 'american';
}

/** A tunable Monte Carlo task: each contract's path budget, priced by its estimator (American: Longstaff-Schwartz). */
function tunableMonteCarloMicros(task: PriceTaskShape, params: NonNullable<PriceTask['monteCarlo']>): number {
  const perTwentyThousandPaths = CONTRACT_MICROS.monte_carlo_20k.greeks * (monteCarloPathBudget(params) / 20_000);
  const european =
    perTwentyThousandPaths *
    (params.useQuasiRandom ? TUNABLE_MONTE_CARLO_COST_RATIO.sobol : TUNABLE_MONTE_CARLO_COST_RATIO.pseudoRandom);
  const american =
    perTwentyThousandPaths * TUNABLE_MONTE_CARLO_COST_RATIO.longstaffSchwartz64Dates * ((params.steps ?? 64) / 64);
  let total = 0;
  for (let i = 0; i < task.items.length; i++) total += isAmericanItem(task.items[i]) ? american : european;
  return total;
}

/** What placement reads of an implied-volatility task: its American model and each quote's exercise style. */
export type ImpliedVolTaskShape = Pick<ImpliedVolTask, 'kind' | 'americanModel'> & {
  readonly items: ArrayLike<{ readonly option: { readonly exercise: string } }>;
};
export type TaskShape = PriceTaskShape | ImpliedVolTaskShape;

function contractMicros(model: ModelName, greeks: boolean): number {
  // The shape may come from an unvalidated body: an unknown model costs "too much to run inline".
  if (!isModelName(model)) return Number.POSITIVE_INFINITY;
  const cost = MODEL_REGISTRY[model].cost;
  return greeks ? cost.greeks : cost.price;
}

/** Estimated single-thread cost of a whole task, in microseconds. */
export function estimateTaskMicros(task: TaskShape): number {
  if (task.kind === 'price' && task.monteCarlo !== undefined) return tunableMonteCarloMicros(task, task.monteCarlo);
  if (task.kind === 'price')
    return task.items.length * parameterCostFactor(task) * contractMicros(task.model, task.greeks);
  const american = contractMicros(task.americanModel, false);
  let total = 0;
  for (let i = 0; i < task.items.length; i++) {
    total +=
      task.items[i]?.option.exercise === 'american'
        ? AMERICAN_IMPLIED_VOL_EVALUATIONS * american
        : EUROPEAN_IMPLIED_VOL_MICROS;
  }
  return total;
}

export function planPlacement(task: TaskShape, options: PlacementOptions): Placement {
  const items = task.items.length;
  if (items === 0) return { inline: false, chunks: [], estimatedMicros: 0 };
  const micros = estimateTaskMicros(task);
  if (options.chunkItems !== undefined)
    return { inline: false, chunks: splitBySize(items, options.chunkItems), estimatedMicros: micros };

  // Policy: the tunable Monte Carlo (TypeScript estimators, Longstaff-Schwartz regressions, a precision loop that
  // may double its paths) never runs on the event loop, whatever its path count or estimated cost.
  const tunableMonteCarlo = task.kind === 'price' && task.monteCarlo !== undefined;
  if (
    options.inline &&
    !tunableMonteCarlo &&
    micros <= Math.min(INLINE_MAX_MICROS, DISPATCH_FIXED_MICROS + items * DISPATCH_PER_ITEM_MICROS)
  ) {
    return { inline: true, chunks: [], estimatedMicros: micros };
  }
  const byCost = Math.floor(micros / (MIN_CHUNK_ROUND_TRIPS * ROUND_TRIP_MICROS));
  const count = Math.max(1, Math.min(items, options.threads * CHUNKS_PER_THREAD, byCost));
  return { inline: false, chunks: splitEvenly(items, count), estimatedMicros: micros };
}

/** `count` contiguous ranges covering [0, items) whose sizes differ by at most one. */
export function splitEvenly(items: number, count: number): ItemRange[] {
  const ranges: ItemRange[] = [];
  const base = Math.floor(items / count);
  const extra = items % count;
  let start = 0;
  for (let i = 0; i < count; i++) {
    const end = start + base + (i < extra ? 1 : 0);
    ranges.push([start, end]);
    start = end;
  }
  return ranges;
}

/** Ranges of exactly `size` items (the last may be shorter). */
export function splitBySize(items: number, size: number): ItemRange[] {
  const ranges: ItemRange[] = [];
  for (let start = 0; start < items; start += size) ranges.push([start, Math.min(items, start + size)]);
  return ranges;
}
