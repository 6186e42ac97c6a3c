/**
 * Where a task runs, decided from measured costs (bench/pool.bench.ts prints the numbers below; docs/pool.md
 * records a run): on the calling thread when the work costs the event loop less than dispatching it would
 * (and stays under a small cap), otherwise on the pool, split into contiguous chunks large enough that the
 * round trip is noise, and numerous enough that every thread gets a share. Results never depend on the split:
 * every contract carries its own seed (tasks.ts), and the pool reassembles chunks in order.
 */
import type { ModelName } from '../core/models.js';
import type { ImpliedVolTask, PriceTask } from './tasks.js';

/**
 * Measured cost of one contract in microseconds through executeTask (single thread, steady state; bench/pool.bench.ts
 * section 1, a quiet run on the 2-CPU development machine, 2026-11-29, trees and Monte Carlo on the WebAssembly
 * kernels), without and with greeks, rounded up.
 */
export const CONTRACT_MICROS: Readonly<Record<ModelName, { readonly price: number; readonly greeks: number }>> = {
  black_scholes: { price: 0.6, greeks: 0.6 },
  binomial_200: { price: 15, greeks: 72 },
  monte_carlo_20k: { price: 380, greeks: 800 },
  leisen_reimer: { price: 15, greeks: 72 },
  barone_adesi_whaley: { price: 1.9, greeks: 17 },
  bjerksund_stensland: { price: 11, greeks: 110 },
  bjerksund_stensland_1993: { price: 1.8, greeks: 14 },
};

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
}

export interface PlacementOptions {
  readonly threads: number;
  /** Whether inline placement is allowed at all. */
  readonly inline: boolean;
  /** Fixed chunk size, overriding the cost model (tests, benchmarks). */
  readonly chunkItems?: number | undefined;
}

/** What placement reads of a pricing task: its model, whether it wants greeks, and how many contracts. */
export type PriceTaskShape = Pick<PriceTask, 'kind' | 'model' | 'greeks'> & Partial<Pick<PriceTask, 'steps' | 'pairs'>> & { readonly contracts: ArrayLike<unknown> };

/**
 * How much dearer than the measured default a task's model parameters make each contract: a tree costs steps^2
 * (CONTRACT_MICROS holds 200 steps), Monte Carlo costs its pairs (10,000 measured).
 */
function parameterCostFactor(task: PriceTaskShape): number {
  if (task.steps !== undefined) return (task.steps / 200) ** 2;
  if (task.pairs !== undefined) return task.pairs / 10_000;
  return 1;
}

/** Estimated single-thread cost of a whole task, in microseconds. */
export function estimateTaskMicros(task: PriceTaskShape | ImpliedVolTask): number {
  if (task.kind === 'price') {
    const cost = CONTRACT_MICROS[task.model];
    return task.contracts.length * parameterCostFactor(task) * (cost === undefined ? Number.POSITIVE_INFINITY : task.greeks ? cost.greeks : cost.price);
  }
  const american = CONTRACT_MICROS[task.americanModel]?.price ?? Number.POSITIVE_INFINITY;
  let total = 0;
  for (const quote of task.quotes) {
    total += quote.exercise === 'american' ? AMERICAN_IMPLIED_VOL_EVALUATIONS * american : EUROPEAN_IMPLIED_VOL_MICROS;
  }
  return total;
}

export function planPlacement(task: PriceTaskShape | ImpliedVolTask, options: PlacementOptions): Placement {
  const items = task.kind === 'price' ? task.contracts.length : task.quotes.length;
  if (items === 0) return { inline: false, chunks: [] };
  if (options.chunkItems !== undefined) return { inline: false, chunks: splitBySize(items, options.chunkItems) };

  const micros = estimateTaskMicros(task);
  if (options.inline && micros <= Math.min(INLINE_MAX_MICROS, DISPATCH_FIXED_MICROS + items * DISPATCH_PER_ITEM_MICROS)) {
    return { inline: true, chunks: [] };
  }
  const byCost = Math.floor(micros / (MIN_CHUNK_ROUND_TRIPS * ROUND_TRIP_MICROS));
  const count = Math.max(1, Math.min(items, options.threads * CHUNKS_PER_THREAD, byCost));
  return { inline: false, chunks: splitEvenly(items, count) };
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
