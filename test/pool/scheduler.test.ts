/**
 * The scheduler on its own: real worker threads driven by the scripted worker (fixtures/scripted-worker.ts), a
 * scripted waiting line instead of admission. Tests synchronise on the workers' `started` announcements.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { PoolError } from '../../src/pool/pool-error.js';
import { PoolMetrics } from '../../src/pool/pool-metrics.js';
import { Scheduler, type Job, type Outcome, type WaitingLine } from '../../src/pool/scheduler.js';
import type { PriceOutcome, PriceTask } from '../../src/pool/tasks.js';
import { splitBySize } from '../../src/pool/placement.js';
import { FixtureChannel } from './fixtures/fixture-channel.js';
import { contract, echoTask, Op, scriptedTask } from './fixtures/scripted-ops.js';

const WORKER = new URL('./fixtures/scripted-worker.ts', import.meta.url);

class ScriptedLine implements WaitingLine {
  readonly jobs: Job[] = [];
  next(): Job | undefined {
    return this.jobs.shift();
  }
  withdraw(job: Job): boolean {
    const index = this.jobs.indexOf(job);
    if (index >= 0) this.jobs.splice(index, 1);
    return index >= 0;
  }
}

interface Setup {
  readonly scheduler: Scheduler;
  readonly line: ScriptedLine;
  readonly channel: FixtureChannel;
  readonly ran: number[];
}

const open: Setup[] = [];

function setUp(threads: number, taskTimeoutMs = 0): Setup {
  const line = new ScriptedLine();
  const ran: number[] = [];
  const scheduler = new Scheduler({
    threads,
    taskTimeoutMs,
    workerFile: WORKER,
    metrics: new PoolMetrics(undefined, threads),
    line,
    retryAfter: () => 7,
    jobRan: (seconds) => ran.push(seconds),
  });
  const setup = { scheduler, line, channel: new FixtureChannel(), ran };
  open.push(setup);
  return setup;
}

afterEach(async () => {
  for (const { scheduler, channel } of open.splice(0)) {
    channel.close();
    await scheduler.shutDown(0, () => new PoolError('ERR_POOL_CLOSED', 'test over', 1));
  }
});

/** A job for `task` in chunks of `size` contracts, with its promise. */
function job(
  scheduler: Scheduler,
  task: PriceTask,
  size: number,
  signal?: AbortSignal,
): { job: Job; result: Promise<Outcome[]> } {
  let made: Job | undefined;
  const result = new Promise<Outcome[]>((resolve, reject) => {
    made = scheduler.newJob(task, splitBySize(task.items.length, size), signal, resolve, reject);
  });
  return { job: made!, result };
}

function values(outcomes: readonly Outcome[]): number[] {
  return (outcomes as readonly PriceOutcome[]).map((o) => (o.ok ? o.result.value : Number.NaN));
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail('expected the promise to reject');
}

describe('Scheduler', () => {
  it('runs a job in chunks on every thread and reassembles them in order, reporting its run time once', async () => {
    const { scheduler, channel, ran } = setUp(2);
    const { job: held, result } = job(
      scheduler,
      scriptedTask(contract(Op.hold, 0), contract(Op.hold, 1), contract(Op.hold, 2)),
      1,
    );
    scheduler.enqueue(held);
    const started = await channel.waitForStarted(2);
    assert.equal(new Set(started.map((e) => e.threadId)).size, 2);
    assert.equal(scheduler.inFlight, 2);
    assert.equal(scheduler.freeThreads(), -1, 'two chunks on threads and one pending claim all threads and one more');
    channel.release(1);
    await channel.waitForStarted(3);
    channel.release(2);
    channel.release(0);
    assert.deepEqual(values(await result), [0, 1, 2]);
    assert.equal(ran.length, 1);
    assert.ok(scheduler.isIdle());
  });

  it('takes the next caller from the waiting line when a thread frees up, before looking again', async () => {
    const { scheduler, line, channel } = setUp(1);
    const first = job(scheduler, scriptedTask(contract(Op.hold, 0)), 1);
    scheduler.enqueue(first.job);
    await channel.waitForStarted(1);
    const second = job(scheduler, echoTask(2), 2);
    line.jobs.push(second.job);
    assert.equal(scheduler.queuedJobs(), 0, 'the caller stays in the line while the thread is busy');
    channel.release(0);
    assert.deepEqual(values(await first.result), [0]);
    assert.deepEqual(values(await second.result), [0, 1]);
    assert.equal(line.jobs.length, 0);
  });

  it('stops a job past its deadline with ERR_POOL_TASK_TIMEOUT and the Retry-After it is given, and replaces the thread', async () => {
    const { scheduler, channel } = setUp(1, 300);
    const spinning = job(scheduler, scriptedTask(contract(Op.spin, 0)), 1);
    scheduler.enqueue(spinning.job);
    const [spin] = await channel.waitForStarted(1);
    const error = await rejection(spinning.result);
    assert.ok(error instanceof PoolError && error.code === 'ERR_POOL_TASK_TIMEOUT' && error.retryAfterSeconds === 7);
    const next = job(scheduler, echoTask(1), 1);
    scheduler.enqueue(next.job);
    const outcomes = await next.result;
    assert.deepEqual(values(outcomes), [0]);
    assert.notEqual((outcomes[0] as unknown as { threadId: number }).threadId, spin?.threadId);
  });

  it('rejects an abandoned running job at once and lets its chunk finish on the same thread', async () => {
    const { scheduler, channel } = setUp(1);
    const controller = new AbortController();
    const held = job(scheduler, scriptedTask(contract(Op.hold, 0)), 1, controller.signal);
    scheduler.enqueue(held.job);
    await channel.waitForStarted(1);
    controller.abort(new Error('client went away'));
    assert.match(String((await rejection(held.result)) as Error), /client went away/);
    assert.equal(scheduler.inFlight, 1);
    channel.release(0);
    const next = job(scheduler, echoTask(1), 1);
    scheduler.enqueue(next.job);
    assert.deepEqual(values(await next.result), [0]);
    assert.equal(scheduler.runningJobs(), 0);
  });

  it('aborting a job still in the waiting line takes it out of the line', async () => {
    const { scheduler, line } = setUp(1);
    const waiting = job(scheduler, echoTask(1), 1);
    line.jobs.push(waiting.job);
    scheduler.abort(waiting.job, new Error('gone'));
    assert.match(String(await rejection(waiting.result)), /gone/);
    assert.equal(line.jobs.length, 0);
  });
});
