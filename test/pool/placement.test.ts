/** The placement rule of src/pool/placement.ts, over its measured cost table. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MODEL_NAMES, type ModelName } from '../../src/core/models.js';
import {
  CONTRACT_MICROS,
  DISPATCH_FIXED_MICROS,
  DISPATCH_PER_ITEM_MICROS,
  INLINE_MAX_MICROS,
  estimateTaskMicros,
  planPlacement,
  splitBySize,
  splitEvenly,
  type ItemRange,
} from '../../src/pool/placement.js';
import type { ImpliedVolTask, PriceItem, PriceTask } from '../../src/pool/tasks.js';

const MARKET = { spot: 100, rate: 0.01, dividendYield: 0 };
const CONTRACT: PriceItem = {
  option: { type: 'call', strike: 100, expiry: 1, exercise: 'european' },
  market: { ...MARKET, volatility: 0.2 },
  seed: 1n,
};

function priceTask(model: ModelName, n: number, greeks = true): PriceTask {
  return { kind: 'price', model, greeks, items: Array.from({ length: n }, () => CONTRACT) };
}

/** Where a plan puts the task (its estimated cost is tested on its own). */
function where(...args: Parameters<typeof planPlacement>): Pick<ReturnType<typeof planPlacement>, 'inline' | 'chunks'> {
  const { inline, chunks } = planPlacement(...args);
  return { inline, chunks };
}

function covered(ranges: readonly ItemRange[]): number[] {
  return ranges.flatMap(([start, end]) => Array.from({ length: end - start }, (_, k) => start + k));
}

function indices(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

describe('planPlacement', () => {
  it('runs work inline exactly when it costs less than dispatching it and stays under the inline cap', () => {
    for (const model of MODEL_NAMES) {
      for (const n of [1, 2, 10, 100, 1000]) {
        const task = priceTask(model, n);
        const work = n * CONTRACT_MICROS[model].greeks;
        const expected = work <= Math.min(INLINE_MAX_MICROS, DISPATCH_FIXED_MICROS + n * DISPATCH_PER_ITEM_MICROS);
        assert.equal(planPlacement(task, { threads: 2, inline: true }).inline, expected, `${model} x ${n}`);
      }
    }
  });

  it('prices a single black_scholes or tree contract inline (cheaper than a thread hop) and a Monte Carlo contract or a few trees on a thread', () => {
    for (const model of ['black_scholes', 'binomial_200', 'leisen_reimer'] as const) {
      assert.equal(planPlacement(priceTask(model, 1), { threads: 2, inline: true }).inline, true, model);
    }
    assert.deepEqual(where(priceTask('monte_carlo_20k', 1), { threads: 2, inline: true }), {
      inline: false,
      chunks: [[0, 1]],
    });
    for (const model of ['binomial_200', 'leisen_reimer'] as const) {
      assert.equal(planPlacement(priceTask(model, 2), { threads: 2, inline: true }).inline, false, model);
    }
  });

  it('never runs the tunable Monte Carlo inline, however few its paths, and costs a precision target at its ceiling', () => {
    const smallest: PriceTask = {
      ...priceTask('monte_carlo_20k', 1, false),
      monteCarlo: { paths: 1000, useControlVariate: false, useQuasiRandom: false },
    };
    assert.deepEqual(where(smallest, { threads: 2, inline: true }), { inline: false, chunks: [[0, 1]] });
    const targeted: PriceTask = {
      ...smallest,
      monteCarlo: { ...smallest.monteCarlo!, targetCiBps: 5, maxPaths: 64_000 },
    };
    assert.equal(estimateTaskMicros(targeted), 64 * estimateTaskMicros(smallest));
    // Longstaff-Schwartz costs tens of times the European estimator per path (bench/tunable-monte-carlo-cost.bench.ts).
    const american: PriceTask = {
      ...smallest,
      items: [{ ...CONTRACT, option: { ...CONTRACT.option, exercise: 'american' } }],
    };
    assert.ok(estimateTaskMicros(american) > 20 * estimateTaskMicros(smallest));
  });

  it('never runs inline when inline placement is off', () => {
    assert.deepEqual(where(priceTask('black_scholes', 1), { threads: 2, inline: false }), {
      inline: false,
      chunks: [[0, 1]],
    });
  });

  it('sends a batch too long for the event loop to the pool even when each contract is cheap', () => {
    const n = Math.ceil(INLINE_MAX_MICROS / CONTRACT_MICROS.black_scholes.greeks) + 1;
    assert.equal(planPlacement(priceTask('black_scholes', n), { threads: 2, inline: true }).inline, false);
  });

  it('splits a 1,000-contract monte_carlo_20k batch into two contiguous chunks per thread covering every contract once', () => {
    for (const threads of [1, 2, 3, 8]) {
      const plan = planPlacement(priceTask('monte_carlo_20k', 1000), { threads, inline: true });
      assert.equal(plan.chunks.length, 2 * threads);
      assert.deepEqual(covered(plan.chunks), indices(1000));
    }
  });

  it('keeps a cheap pooled task in one chunk rather than paying several round trips', () => {
    const plan = planPlacement(priceTask('binomial_200', 10), { threads: 4, inline: true });
    assert.deepEqual({ inline: plan.inline, chunks: plan.chunks.length }, { inline: false, chunks: 1 });
  });

  it('uses exactly the fixed chunk size when one is given', () => {
    assert.deepEqual(where(priceTask('black_scholes', 23), { threads: 2, inline: true, chunkItems: 5 }), {
      inline: false,
      chunks: [
        [0, 5],
        [5, 10],
        [10, 15],
        [15, 20],
        [20, 23],
      ],
    });
  });

  it("carries the task's estimated cost, for the fair share to count", () => {
    for (const task of [
      priceTask('black_scholes', 1),
      priceTask('monte_carlo_20k', 300),
      priceTask('binomial_200', 7),
    ]) {
      for (const options of [
        { threads: 2, inline: true },
        { threads: 2, inline: false, chunkItems: 3 },
      ]) {
        assert.equal(planPlacement(task, options).estimatedMicros, estimateTaskMicros(task), task.model);
      }
    }
    assert.equal(planPlacement(priceTask('black_scholes', 0), { threads: 2, inline: true }).estimatedMicros, 0);
  });

  it('plans nothing for an empty task', () => {
    assert.deepEqual(where(priceTask('black_scholes', 0), { threads: 2, inline: true }), {
      inline: false,
      chunks: [],
    });
  });

  it('costs American implied volatilities by the pricer evaluations of their model and European ones by the closed-form inversion', () => {
    const option = { type: 'put' as const, strike: 100, expiry: 1 };
    const quote = (exercise: 'european' | 'american') => ({
      option: { ...option, exercise },
      market: MARKET,
      price: 7,
    });
    const task: ImpliedVolTask = {
      kind: 'implied-volatility',
      americanModel: 'binomial_200',
      items: [quote('european'), quote('american'), quote('american')],
    };
    assert.ok(estimateTaskMicros(task) > CONTRACT_MICROS.binomial_200.price);
    assert.equal(planPlacement(task, { threads: 2, inline: true }).inline, false);
    const european: ImpliedVolTask = { ...task, items: [quote('european')] };
    assert.equal(planPlacement(european, { threads: 2, inline: true }).inline, true);
  });
});

describe('splitEvenly and splitBySize', () => {
  it('cover [0, n) with contiguous ranges, even ones differing in size by at most one', () => {
    for (const [n, count] of [
      [10, 3],
      [7, 7],
      [1000, 4],
      [5, 1],
    ] as const) {
      const ranges = splitEvenly(n, count);
      assert.equal(ranges.length, count);
      assert.deepEqual(covered(ranges), indices(n));
      const sizes = ranges.map(([s, e]) => e - s);
      assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1);
    }
    assert.deepEqual(covered(splitBySize(11, 4)), indices(11));
    assert.deepEqual(splitBySize(8, 4), [
      [0, 4],
      [4, 8],
    ]);
  });
});
