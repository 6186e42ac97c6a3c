/**
 * The pool with its real worker (src/pool/worker.ts, loaded under tsx as in `npm start`) and the real core:
 * results do not depend on the thread count, the chunking or the placement, and work is placed as measured.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { createMetrics } from '../../src/observability/metrics.js';
import { executeTask } from '../../src/pool/execute-task.js';
import { planPlacement } from '../../src/pool/placement.js';
import { PricingPool, type PricingPoolOptions } from '../../src/pool/pricing-pool.js';
import type { ImpliedVolTask, PriceItem, PriceOutcome, PriceTask } from '../../src/pool/tasks.js';

const pools: PricingPool[] = [];
after(async () => {
  await Promise.all(pools.map((p) => p.close({ graceMs: 0 })));
});

function pool(options: Partial<PricingPoolOptions>): PricingPool {
  const p = new PricingPool({ threads: 2, queueMax: 8, queueTimeoutSeconds: 0, taskTimeoutSeconds: 0, ...options });
  pools.push(p);
  return p;
}

/** Outcomes without the per-contract wall time, which is the one field allowed to differ between runs. */
function numbers(outcomes: readonly PriceOutcome[]): unknown[] {
  return outcomes.map(({ seconds: _seconds, ...rest }) => rest);
}

const MARKET = { spot: 100, rate: 0.03, dividendYield: 0.01 };

function monteCarloBatch(n: number): PriceTask {
  const items: PriceItem[] = Array.from({ length: n }, (_, i) => ({
    option: { type: i % 3 === 0 ? 'put' : 'call', strike: 80 + 2 * i, expiry: 0.25 + 0.05 * i, exercise: 'european' },
    market: { ...MARKET, volatility: 0.15 + 0.01 * (i % 7) },
    // Per-contract seeds as the HTTP layer derives them; two identical contracts still get different streams.
    seed: 0x9e3779b97f4a7c15n + BigInt(i),
  }));
  return { kind: 'price', model: 'monte_carlo_20k', greeks: true, items };
}

describe('PricingPool with the real worker', () => {
  it('prices a seeded monte_carlo_20k batch bit-identically on 1 or 2 threads, in any chunking, and in process', async () => {
    const task = monteCarloBatch(12);
    const reference = numbers(executeTask(task));
    assert.ok(
      reference.every((o) => (o as { ok: boolean }).ok),
      'every contract priced',
    );
    const runs = await Promise.all([
      pool({ threads: 1, chunkItems: 12 }).run(task),
      pool({ threads: 2, chunkItems: 5 }).run(task),
      pool({ threads: 2, chunkItems: 1 }).run(task),
      pool({ threads: 2 }).run(task),
    ]);
    for (const outcomes of runs) assert.deepEqual(numbers(outcomes), reference);
  });

  it('returns a failed outcome in place for a contract the core refuses and prices the rest', async () => {
    const task: PriceTask = {
      kind: 'price',
      model: 'black_scholes',
      greeks: true,
      items: [
        {
          option: { type: 'call', strike: 100, expiry: 1, exercise: 'european' },
          market: { ...MARKET, volatility: 0.2 },
        },
        {
          option: { type: 'put', strike: 100, expiry: 1, exercise: 'american' },
          market: { ...MARKET, volatility: 0.2 },
        },
        {
          option: { type: 'put', strike: 100, expiry: 1, exercise: 'european' },
          market: { ...MARKET, volatility: 0.2 },
        },
      ],
    };
    const metrics = createMetrics({ defaultMetrics: false });
    const outcomes = await pool({ threads: 1, inline: false, metrics }).run(task);
    assert.deepEqual(
      outcomes.map((o) => o.ok),
      [true, false, true],
    );
    const failed = outcomes[1]!;
    assert.ok(!failed.ok && failed.code.startsWith('ERR_CORE_'), JSON.stringify(failed));
    assert.deepEqual(numbers(outcomes), numbers(executeTask(task)));
    const errors = (await metrics.modelErrorsTotal.get()).values.find((v) => v.labels.model === 'black_scholes');
    assert.equal(errors?.value, 1);
  });

  it('prices a single closed-form contract on the calling thread without queueing for a worker', async () => {
    const task: PriceTask = {
      kind: 'price',
      model: 'black_scholes',
      greeks: true,
      items: [
        {
          option: { type: 'call', strike: 100, expiry: 1, exercise: 'european' },
          market: { ...MARKET, volatility: 0.2 },
        },
      ],
    };
    assert.equal(planPlacement(task, { threads: 2, inline: true }).inline, true);
    const metrics = createMetrics({ defaultMetrics: false });
    const outcomes = await pool({ threads: 1, metrics }).run(task);
    assert.deepEqual(numbers(outcomes), numbers(executeTask(task)));
    const waits = (await metrics.threadpoolQueueWait.get()).values.find((v) => v.metricName?.endsWith('_count'));
    assert.equal(waits?.value ?? 0, 0, 'no job went to a thread');
    const latency = (await metrics.modelLatency.get()).values.find(
      (v) => v.metricName?.endsWith('_count') && v.labels.model === 'black_scholes',
    );
    assert.equal(latency?.value, 1);
  });

  it('inverts European and American quotes on a worker thread, with an error naming the bound for an impossible price', async () => {
    const task: ImpliedVolTask = {
      kind: 'implied-volatility',
      americanModel: 'binomial_200',
      items: [
        { option: { type: 'call', strike: 100, expiry: 1, exercise: 'european' }, market: MARKET, price: 9.5 },
        { option: { type: 'put', strike: 100, expiry: 1, exercise: 'american' }, market: MARKET, price: 8.0 },
        { option: { type: 'call', strike: 100, expiry: 1, exercise: 'european' }, market: MARKET, price: 150 },
      ],
    };
    const outcomes = await pool({ threads: 1, inline: false }).run(task);
    assert.deepEqual(outcomes, executeTask(task));
    const [european, american, impossible] = outcomes;
    assert.ok(european?.ok === true && european.volatility > 0);
    assert.ok(american?.ok === true && american.volatility > 0);
    assert.ok(impossible?.ok === false);
    assert.equal(impossible.code, 'ERR_CORE_PRICE_ABOVE_MAXIMUM');
    assert.match(impossible.message, /upper no-arbitrage bound/);
  });
});

describe('PricingPool thread priority', () => {
  /** The nice value of each thread of this process (Linux /proc: field 19 of a task's stat line). */
  function niceByThread(): Map<number, number> {
    const nice = new Map<number, number>();
    for (const tid of readdirSync('/proc/self/task')) {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      nice.set(Number(tid), Number(fields[16]));
    }
    return nice;
  }

  it(
    'runs its pricing threads below the event loop (nice +5), so probes and refusals are not queued behind pricing',
    { skip: process.platform !== 'linux' },
    async () => {
      const before = [...niceByThread().values()].filter((n) => n === 5).length;
      const p = pool({ threads: 2, inline: false });
      await p.run(monteCarloBatch(4));
      const nice = niceByThread();
      assert.equal(nice.get(process.pid), 0, 'the event loop keeps its priority');
      assert.ok(
        [...nice.values()].filter((n) => n === 5).length >= before + 2,
        `thread nice values: ${[...nice.values()].join(' ')}`,
      );
    },
  );
});
