/**
 * The pool's mechanics on real worker threads, driven by a scripted worker (fixtures/scripted-worker.ts).
 * Tests synchronise on the workers' `started` announcements and explicit releases, never on sleeps; the only
 * waits on the clock are the timeouts under test.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { createMetrics, type Metrics } from '../../src/observability/metrics.js';
import { PoolError, PricingPool, type PricingPoolOptions } from '../../src/pool/pricing-pool.js';
import type { PriceOutcome } from '../../src/pool/tasks.js';
import { FixtureChannel } from './fixtures/fixture-channel.js';
import { contract, echoTask, Op, scriptedTask } from './fixtures/scripted-ops.js';

/**
 * The task deadline of the tests that run a job past it. Short, since this file runs alone (scripts/run-tests.mjs,
 * SERIAL) and each such test waits it out; the one that checks other threads finish first needs them to take less.
 */
const DEADLINE_SECONDS = 0.4;

const WORKER = new URL('./fixtures/scripted-worker.ts', import.meta.url);

const open: { pool: PricingPool; channel: FixtureChannel }[] = [];

function setUp(options: Partial<PricingPoolOptions> = {}): {
  pool: PricingPool;
  channel: FixtureChannel;
  metrics: Metrics;
} {
  const metrics = createMetrics({ defaultMetrics: false });
  const channel = new FixtureChannel();
  const pool = new PricingPool({
    threads: 1,
    queueMax: 4,
    queueTimeoutSeconds: 0,
    taskTimeoutSeconds: 0,
    metrics,
    workerFile: WORKER,
    inline: false,
    ...options,
  });
  open.push({ pool, channel });
  return { pool, channel, metrics };
}

afterEach(async () => {
  for (const { pool, channel } of open.splice(0)) {
    channel.close();
    await pool.close({ graceMs: 0 });
  }
});

/** The value of a sample of `metric` (for a histogram, name the sample, e.g. `_count`). */
async function sample(
  metric: { get(): Promise<{ values: { value: number; labels: object; metricName?: string }[] }> },
  labels: Record<string, string>,
  suffix = '',
): Promise<number> {
  const { values } = await metric.get();
  const found = values.find(
    (v) =>
      (suffix === '' || v.metricName?.endsWith(suffix)) &&
      Object.entries(labels).every(([k, want]) => (v.labels as Record<string, unknown>)[k] === want),
  );
  return found?.value ?? 0;
}

const ENGINE = { engine: 'pricing' };
const MODEL = { model: 'black_scholes' };

function values(outcomes: readonly PriceOutcome[]): number[] {
  return outcomes.map((o) => (o.ok ? o.result.value : Number.NaN));
}

function threadOf(outcome: PriceOutcome | undefined): number {
  return (outcome as unknown as { threadId: number }).threadId;
}

/**
 * Runs one held job per thread at once and waits until every thread has announced it: after this, every thread
 * has finished starting up, so a deadline under test measures the task and not a thread's start-up.
 */
async function warmUp(pool: PricingPool, channel: FixtureChannel): Promise<void> {
  const threads = pool.stats.workers;
  const jobs = Array.from({ length: threads }, (_, i) => pool.run(scriptedTask(contract(Op.hold, -1 - i))));
  const started = await channel.waitForStarted(threads);
  assert.equal(new Set(started.map((e) => e.threadId)).size, threads);
  for (let i = 0; i < threads; i++) channel.release(-1 - i);
  await Promise.all(jobs);
  channel.forget();
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail('expected the promise to reject');
}

async function assertPoolError(promise: Promise<unknown>, code: PoolError['code']): Promise<PoolError> {
  const error = await rejection(promise);
  assert.ok(error instanceof PoolError, `expected a PoolError, got ${String(error)}`);
  assert.equal(error.code, code);
  assert.ok(
    Number.isInteger(error.retryAfterSeconds) && error.retryAfterSeconds >= 1,
    `retryAfterSeconds ${error.retryAfterSeconds}`,
  );
  return error;
}

describe('PricingPool', () => {
  it('refuses invalid options with a message naming the option', () => {
    assert.throws(
      () => new PricingPool({ threads: 0, queueMax: 1, queueTimeoutSeconds: 0, taskTimeoutSeconds: 0 }),
      /threads must be an integer >= 1, got 0/,
    );
    assert.throws(
      () => new PricingPool({ threads: 1, queueMax: -1, queueTimeoutSeconds: 0, taskTimeoutSeconds: 0 }),
      /queueMax must be an integer >= 0/,
    );
    assert.throws(
      () => new PricingPool({ threads: 1, queueMax: 1, queueTimeoutSeconds: Number.NaN, taskTimeoutSeconds: 0 }),
      /queueTimeoutSeconds/,
    );
    assert.throws(
      () => new PricingPool({ threads: 1, queueMax: 1, queueTimeoutSeconds: 0, taskTimeoutSeconds: -1 }),
      /taskTimeoutSeconds/,
    );
  });

  it('returns one outcome per contract in request order when a batch is split into chunks', async () => {
    const { pool } = setUp({ threads: 2, chunkItems: 7 });
    const outcomes = await pool.run(echoTask(100));
    assert.deepEqual(
      values(outcomes),
      Array.from({ length: 100 }, (_, i) => i),
    );
  });

  it('runs the chunks of one batch on every thread at once and reassembles them by position, not completion', async () => {
    const { pool, channel, metrics } = setUp({ threads: 2, chunkItems: 1 });
    const result = pool.run(
      scriptedTask(contract(Op.hold, 0), contract(Op.hold, 1), contract(Op.hold, 2), contract(Op.hold, 3)),
    );
    const firstTwo = await channel.waitForStarted(2);
    assert.equal(new Set(firstTwo.map((e) => e.threadId)).size, 2, 'both threads hold a chunk');
    assert.equal(pool.stats.inFlight, 2);
    assert.equal(await sample(metrics.threadpoolTasksInFlight, ENGINE), 2);
    // Finish in reverse order: the result is still in contract order.
    channel.release(1);
    channel.release(0);
    await channel.waitForStarted(4);
    channel.release(3);
    channel.release(2);
    assert.deepEqual(values(await result), [0, 1, 2, 3]);
    assert.equal(pool.stats.inFlight, 0);
  });

  it('queues up to queueMax jobs and refuses the next one at once with ERR_POOL_SATURATED when the queue timeout is 0', async () => {
    const { pool, channel, metrics } = setUp({ threads: 1, queueMax: 1, queueTimeoutSeconds: 0 });
    const running = pool.run(scriptedTask(contract(Op.hold, 0)));
    await channel.waitForStarted(1);
    const queued = pool.run(scriptedTask(contract(Op.hold, 1)));
    assert.deepEqual(
      { inFlight: pool.stats.inFlight, queueDepth: pool.stats.queueDepth },
      { inFlight: 1, queueDepth: 1 },
    );

    await assertPoolError(pool.run(echoTask(1)), 'ERR_POOL_SATURATED');
    assert.equal(await sample(metrics.threadpoolRejectionsTotal, ENGINE), 1);
    assert.equal(await sample(metrics.threadpoolSaturationTotal, ENGINE), 1);
    assert.equal(await sample(metrics.threadpoolQueueDepth, ENGINE), 1);
    assert.equal(await sample(metrics.threadpoolTasksInFlight, ENGINE), 1);
    assert.equal(await sample(metrics.threadpoolWorkers, ENGINE), 1);

    channel.release(0);
    assert.deepEqual(values(await running), [0]);
    await channel.waitForStarted(2);
    assert.equal(await sample(metrics.threadpoolQueueDepth, ENGINE), 0);
    channel.release(1);
    assert.deepEqual(values(await queued), [1]);
    assert.equal(
      await sample(metrics.threadpoolQueueWait, ENGINE, '_count'),
      2,
      'both admitted jobs observed their wait',
    );
  });

  it('lets a caller wait for queue room and refuses with ERR_POOL_QUEUE_TIMEOUT when none appears in time', async () => {
    const { pool, channel, metrics } = setUp({ threads: 1, queueMax: 0, queueTimeoutSeconds: 0.2 });
    const running = pool.run(scriptedTask(contract(Op.hold, 0)));
    await channel.waitForStarted(1);
    const waiting = pool.run(echoTask(1));
    assert.equal(pool.stats.waitingForAdmission, 1);
    await assertPoolError(waiting, 'ERR_POOL_QUEUE_TIMEOUT');
    assert.equal(pool.stats.waitingForAdmission, 0);
    assert.equal(await sample(metrics.threadpoolRejectionsTotal, ENGINE), 1);
    assert.equal(await sample(metrics.threadpoolSaturationTotal, ENGINE), 1);
    channel.release(0);
    assert.deepEqual(values(await running), [0]);
  });

  it('admits a waiting caller as soon as room appears, in arrival order', async () => {
    const { pool, channel, metrics } = setUp({ threads: 1, queueMax: 0, queueTimeoutSeconds: 30 });
    const first = pool.run(scriptedTask(contract(Op.hold, 0)));
    await channel.waitForStarted(1);
    const second = pool.run(scriptedTask(contract(Op.hold, 1)));
    const third = pool.run(scriptedTask(contract(Op.hold, 2)));
    assert.equal(pool.stats.waitingForAdmission, 2);
    channel.release(0);
    const [, startedSecond] = await channel.waitForStarted(2);
    assert.equal(startedSecond?.id, 1);
    channel.release(1);
    await channel.waitForStarted(3);
    channel.release(2);
    assert.deepEqual([values(await first), values(await second), values(await third)], [[0], [1], [2]]);
    assert.equal(await sample(metrics.threadpoolRejectionsTotal, ENGINE), 0);
  });

  it('refuses at once, from the pace the waiting line has shown, a caller it would not let in before the queue timeout', async () => {
    let now = 0;
    const { pool, channel, metrics } = setUp({ threads: 1, queueMax: 0, queueTimeoutSeconds: 1, clock: () => now });
    const first = pool.run(scriptedTask(contract(Op.hold, 0)));
    await channel.waitForStarted(1);
    // Before any caller has gone through the line, nothing is known of its pace: a caller waits.
    const second = pool.run(scriptedTask(contract(Op.hold, 1)));
    assert.equal(pool.stats.waitingForAdmission, 1);
    now = 200;
    channel.release(0);
    await channel.waitForStarted(2);

    // The line moves one place per 200 ms. A caller waits when it is predicted in within half the 1 s timeout (the
    // pace is an average): second and third place are, fourth place (600 ms) is not.
    const third = pool.run(scriptedTask(contract(Op.hold, 2)));
    const fourth = pool.run(scriptedTask(contract(Op.hold, 3)));
    assert.equal(pool.stats.waitingForAdmission, 2);
    await assertPoolError(pool.run(echoTask(9)), 'ERR_POOL_SATURATED');
    assert.equal(pool.stats.waitingForAdmission, 2, 'the refused caller never joined the line');
    assert.equal(await sample(metrics.threadpoolSaturationTotal, ENGINE), 1);

    for (const id of [1, 2, 3]) {
      channel.release(id);
      if (id < 3) await channel.waitForStarted(id + 2);
    }
    assert.deepEqual(
      [values(await first), values(await second), values(await third), values(await fourth)],
      [[0], [1], [2], [3]],
    );
    assert.equal(await sample(metrics.threadpoolRejectionsTotal, ENGINE), 1);
  });

  it('tells, before any work is prepared, whether a task of a given shape would be refused at once, counting the refusal', async () => {
    const { pool, channel, metrics } = setUp({ threads: 1, queueMax: 1, queueTimeoutSeconds: 0, inline: true });
    const heavy = pool.plan({ kind: 'price', model: 'monte_carlo_20k', greeks: true, items: { length: 100 } });
    const cheap = pool.plan({ kind: 'price', model: 'black_scholes', greeks: true, items: { length: 1 } });
    assert.equal(pool.refuseAtOnce(heavy), null, 'an idle pool has room');
    // Scripted tasks are cheap black_scholes tasks, which inline placement would run here: these two go to the thread.
    const onThread = (id: number) => ({ ...scriptedTask(contract(Op.hold, id)), model: 'monte_carlo_20k' as const });
    const running = pool.run(onThread(0));
    await channel.waitForStarted(1);
    assert.equal(pool.refuseAtOnce(heavy), null, 'the queue still has room');
    const queued = pool.run(onThread(1));
    assert.equal(pool.refuseAtOnce(cheap), null, 'work placed inline never needs the pool');
    assert.equal(await sample(metrics.threadpoolRejectionsTotal, ENGINE), 0);
    const refusal = pool.refuseAtOnce(heavy);
    assert.ok(refusal instanceof PoolError && refusal.code === 'ERR_POOL_SATURATED' && refusal.retryAfterSeconds >= 1);
    assert.doesNotMatch(refusal.stack ?? '', /\n\s+at /, 'a refusal is traffic, not a defect: no stack is captured');
    assert.equal(await sample(metrics.threadpoolRejectionsTotal, ENGINE), 1);
    assert.equal(await sample(metrics.threadpoolSaturationTotal, ENGINE), 1);
    channel.release(0);
    await channel.waitForStarted(2);
    channel.release(1);
    assert.deepEqual([values(await running), values(await queued)], [[0], [1]]);
    assert.equal(pool.refuseAtOnce(heavy), null, 'room again once the burst is over');
  });

  it('stops a task past the task timeout with ERR_POOL_TASK_TIMEOUT, replaces its thread, and runs the queued job next', async () => {
    const { pool, channel } = setUp({ threads: 1, queueMax: 2, taskTimeoutSeconds: DEADLINE_SECONDS });
    await warmUp(pool, channel);
    const submitted = performance.now();
    const spinning = assertPoolError(pool.run(scriptedTask(contract(Op.spin, 0))), 'ERR_POOL_TASK_TIMEOUT');
    const [spin] = await channel.waitForStarted(1);
    const queued = pool.run(echoTask(3));
    await spinning;
    const elapsed = performance.now() - submitted;
    assert.ok(
      elapsed >= 1000 * DEADLINE_SECONDS && elapsed < 1000 * DEADLINE_SECONDS + 2_000,
      `answered ${elapsed} ms after submission`,
    );

    const outcomes = await queued;
    assert.deepEqual(values(outcomes), [0, 1, 2]);
    assert.notEqual(threadOf(outcomes[0]), spin?.threadId, 'a replacement thread ran the queued job');
    assert.deepEqual([pool.stats.liveWorkers, pool.stats.readyWorkers], [1, 1], 'the pool is back at full size');
    assert.deepEqual(values(await pool.run(echoTask(1))), [0]);
  });

  it('leaves the jobs on other threads unaffected while one job runs past its deadline', async () => {
    const { pool, channel } = setUp({ threads: 2, taskTimeoutSeconds: DEADLINE_SECONDS });
    await warmUp(pool, channel);
    let spinSettled = false;
    const spinning = assertPoolError(pool.run(scriptedTask(contract(Op.spin, 0))), 'ERR_POOL_TASK_TIMEOUT').finally(
      () => {
        spinSettled = true;
      },
    );
    const [spin] = await channel.waitForStarted(1);
    const outcomes = await pool.run(echoTask(3));
    assert.equal(spinSettled, false, 'the other job finished while the spinning one was still running');
    assert.deepEqual(values(outcomes), [0, 1, 2]);
    assert.notEqual(threadOf(outcomes[0]), spin?.threadId);
    await spinning;
    assert.deepEqual(values(await pool.run(echoTask(1))), [0]);
    assert.equal(pool.stats.liveWorkers, 2);
  });

  it('stops every running chunk of a batch that times out and replaces all their threads', async () => {
    const { pool, channel } = setUp({ threads: 2, chunkItems: 1, taskTimeoutSeconds: DEADLINE_SECONDS });
    await warmUp(pool, channel);
    const batch = assertPoolError(
      pool.run(scriptedTask(contract(Op.spin, 0), contract(Op.spin, 1), contract(Op.echo, 2))),
      'ERR_POOL_TASK_TIMEOUT',
    );
    const spins = await channel.waitForStarted(2);
    await batch;
    const next = pool.run(scriptedTask(contract(Op.hold, 10), contract(Op.hold, 11)));
    const holds = (await channel.waitForStarted(4)).slice(2);
    const spinThreads = new Set(spins.map((e) => e.threadId));
    assert.equal(new Set(holds.map((e) => e.threadId)).size, 2, 'two threads run the next batch at once');
    assert.ok(
      holds.every((e) => !spinThreads.has(e.threadId)),
      'both run on replacement threads',
    );
    channel.release(10);
    channel.release(11);
    assert.deepEqual(values(await next), [10, 11]);
  });

  it('answers a worker that throws with ERR_POOL_WORKER_FAILED, counts a model error, and keeps serving', async () => {
    const { pool, metrics } = setUp({ threads: 1 });
    const error = await assertPoolError(
      pool.run(scriptedTask(contract(Op.echo, 0), contract(Op.throw, 1))),
      'ERR_POOL_WORKER_FAILED',
    );
    assert.match(String((error.cause as Error).message), /scripted failure/);
    assert.equal(await sample(metrics.modelErrorsTotal, MODEL), 1);
    assert.deepEqual(values(await pool.run(echoTask(2))), [0, 1]);
    assert.equal(pool.stats.inFlight, 0);
  });

  it('answers a worker whose thread exits with ERR_POOL_WORKER_FAILED, replaces the thread, and keeps serving', async () => {
    const { pool, metrics } = setUp({ threads: 1 });
    const before = threadOf((await pool.run(echoTask(1)))[0]);
    const error = await assertPoolError(pool.run(scriptedTask(contract(Op.exit, 0))), 'ERR_POOL_WORKER_FAILED');
    assert.match(String((error.cause as Error).message), /exited with code: 3/);
    assert.equal(await sample(metrics.modelErrorsTotal, MODEL), 1);
    const after = await pool.run(echoTask(1));
    assert.deepEqual(values(after), [0]);
    assert.notEqual(threadOf(after[0]), before);
    assert.deepEqual([pool.stats.liveWorkers, pool.stats.readyWorkers], [1, 1]);
  });

  it('reports a contract the core refused as a failed outcome in its place and counts it as a model error', async () => {
    const { pool, metrics } = setUp({ threads: 1 });
    const outcomes = await pool.run(
      scriptedTask(contract(Op.echo, 0), contract(Op.coreError, 1), contract(Op.echo, 2)),
    );
    assert.deepEqual(
      outcomes.map((o) => (o.ok ? o.result.value : o.code)),
      [0, 'ERR_CORE_INVALID_INPUT', 2],
    );
    assert.equal(await sample(metrics.modelErrorsTotal, MODEL), 1);
    assert.equal(await sample(metrics.modelLatency, MODEL, '_count'), 2, 'latency observed per priced contract');
    assert.equal(await sample(metrics.modelLatency, MODEL, '_sum'), 0.002);
  });

  it('removes a queued job when its caller aborts, without touching the running one', async () => {
    const { pool, channel } = setUp({ threads: 1 });
    const running = pool.run(scriptedTask(contract(Op.hold, 0)));
    const [held] = await channel.waitForStarted(1);
    const controller = new AbortController();
    const queued = pool.run(echoTask(1), { signal: controller.signal });
    assert.equal(pool.stats.queueDepth, 1);
    controller.abort(new Error('client went away'));
    assert.match(String(((await rejection(queued)) as Error).message), /client went away/);
    assert.equal(pool.stats.queueDepth, 0);
    channel.release(0);
    const outcomes = await running;
    assert.equal(threadOf(outcomes[0]), held?.threadId);
  });

  it('rejects a running job at once when its caller aborts, but lets the chunk finish on its thread (no thread churn)', async () => {
    const { pool, channel } = setUp({ threads: 1 });
    const controller = new AbortController();
    const held = pool.run(scriptedTask(contract(Op.hold, 0)), { signal: controller.signal });
    const [started] = await channel.waitForStarted(1);
    controller.abort(new Error('client went away'));
    assert.match(String(((await rejection(held)) as Error).message), /client went away/);
    assert.equal(pool.stats.inFlight, 1, 'the chunk is still on its thread');
    channel.release(0);
    const after = await pool.run(echoTask(1));
    assert.equal(threadOf(after[0]), started?.threadId, 'the same thread serves the next job');
    assert.equal(pool.stats.inFlight, 0);
    assert.equal(pool.stats.runningJobs, 0, 'the abandoned job left the active list');
  });

  it('still stops an abandoned job that runs past the deadline, replacing its thread', async () => {
    const { pool, channel } = setUp({ threads: 1, taskTimeoutSeconds: DEADLINE_SECONDS });
    const controller = new AbortController();
    const spinning = pool.run(scriptedTask(contract(Op.spin, 0)), { signal: controller.signal });
    const [spin] = await channel.waitForStarted(1);
    controller.abort(new Error('client went away'));
    assert.match(String(((await rejection(spinning)) as Error).message), /client went away/);
    const after = await pool.run(echoTask(1));
    assert.notEqual(threadOf(after[0]), spin?.threadId);
  });

  it('on close, refuses new work with ERR_POOL_CLOSED and lets admitted work finish', async () => {
    const { pool, channel, metrics } = setUp({ threads: 1, queueMax: 1 });
    const running = pool.run(scriptedTask(contract(Op.hold, 0)));
    await channel.waitForStarted(1);
    const queued = pool.run(echoTask(2));
    let closed = false;
    const closing = pool.close({ graceMs: 30_000 }).then(() => {
      closed = true;
    });
    await assertPoolError(pool.run(echoTask(1)), 'ERR_POOL_CLOSED');
    assert.equal(await sample(metrics.threadpoolRejectionsTotal, ENGINE), 1);
    assert.equal(await sample(metrics.threadpoolSaturationTotal, ENGINE), 0);
    assert.equal(closed, false);
    channel.release(0);
    assert.deepEqual(values(await running), [0]);
    assert.deepEqual(values(await queued), [0, 1]);
    await closing;
    assert.equal(pool.stats.closed, true);
  });

  it('on close, cancels work still running when the grace period ends', async () => {
    const { pool, channel } = setUp({ threads: 1 });
    const spinning = assertPoolError(pool.run(scriptedTask(contract(Op.spin, 0))), 'ERR_POOL_CLOSED');
    await channel.waitForStarted(1);
    await pool.close({ graceMs: 100 });
    await spinning;
  });
});
