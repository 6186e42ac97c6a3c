/**
 * Admission on its own: a scripted scheduler load and clock, no threads. The queue timeout is the only wait on
 * the real clock, and it is short.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Admission, RETRY_AFTER_MAX_SECONDS, type SchedulerLoad } from '../../src/pool/admission.js';
import { PoolError } from '../../src/pool/pool-error.js';

interface Setup {
  readonly admission: Admission<string>;
  readonly load: { queued: number; running: number; free: number };
  readonly refusals: boolean[];
  readonly timedOut: [string, PoolError][];
  setNow(ms: number): void;
}

function setUp(options: { threads?: number; queueMax?: number; queueTimeoutMs?: number } = {}): Setup {
  const load = { queued: 0, running: 0, free: options.threads ?? 1 };
  const schedulerLoad: SchedulerLoad = {
    queuedJobs: () => load.queued,
    runningJobs: () => load.running,
    freeThreads: () => load.free,
  };
  let now = 0;
  const refusals: boolean[] = [];
  const timedOut: [string, PoolError][] = [];
  const admission = new Admission<string>({
    threads: options.threads ?? 1,
    queueMax: options.queueMax ?? 0,
    queueTimeoutMs: options.queueTimeoutMs ?? 0,
    clock: () => now,
    load: schedulerLoad,
    onRefused: (queueFull) => refusals.push(queueFull),
    onTimedOut: (job, error) => timedOut.push([job, error]),
  });
  return { admission, load, refusals, timedOut, setNow: (ms) => (now = ms) };
}

function assertRefusal(value: unknown, code: PoolError['code']): PoolError {
  assert.ok(value instanceof PoolError, `expected a PoolError, got ${String(value)}`);
  assert.equal(value.code, code);
  return value;
}

describe('Admission', () => {
  it('queues a job while the queue has room or an empty queue has a free thread, and refuses at once without a queue timeout', () => {
    const { admission, load, refusals } = setUp({ queueMax: 1 });
    assert.equal(admission.admit('a'), 'queue', 'an idle pool');
    load.free = 0;
    assert.equal(admission.admit('b'), 'queue', 'one queue place');
    load.queued = 1;
    assert.equal(admission.refuseAtOnce()?.code, 'ERR_POOL_SATURATED');
    assertRefusal(admission.admit('c'), 'ERR_POOL_SATURATED');
    assert.deepEqual(refusals, [true, true], 'each refusal is counted as one for want of room');
    assert.equal(admission.waiting, 0);
  });

  it('lets a caller wait in line, hands callers out in arrival order once there is room, and refuses on the queue timeout', async () => {
    const { admission, load, timedOut } = setUp({ queueMax: 0, queueTimeoutMs: 30 });
    load.free = 0;
    assert.equal(admission.admit('a'), 'wait');
    assert.equal(admission.admit('b'), 'wait');
    assert.equal(admission.refuseAtOnce(), null, 'nothing is known of the pace yet: a caller may wait');
    assert.equal(admission.next(), undefined, 'no room yet');
    load.free = 1;
    assert.equal(admission.next(), 'a');
    load.queued = 1;
    assert.equal(admission.next(), undefined, 'the queue holds one job and queueMax is 0');
    await new Promise((resolve) => setTimeout(resolve, 60));
    assert.equal(timedOut.length, 1);
    assert.equal(timedOut[0]![0], 'b');
    assert.equal(timedOut[0]![1].code, 'ERR_POOL_QUEUE_TIMEOUT');
    assert.equal(admission.waiting, 0);
  });

  it('refuses at once a caller the line, at its measured pace, would not let in within half the queue timeout', () => {
    const { admission, load, setNow } = setUp({ queueMax: 0, queueTimeoutMs: 1000 });
    load.free = 0;
    assert.equal(admission.admit('a'), 'wait');
    setNow(200);
    load.free = 1;
    assert.equal(admission.next(), 'a', 'one place in 200 ms');
    load.free = 0;
    load.queued = 1;
    assert.equal(admission.admit('b'), 'wait', 'first place: in after 200 ms');
    assert.equal(admission.admit('c'), 'wait', 'second place: 400 ms, within half the timeout');
    // Third place would take 600 ms: past half the 1 s timeout, so it is refused now.
    assertRefusal(admission.admit('d'), 'ERR_POOL_SATURATED');
    assert.equal(admission.waiting, 2);
    assert.deepEqual(admission.drain(), ['b', 'c']);
    assert.equal(admission.waiting, 0);
  });

  it('takes a withdrawn caller out of the line and no longer times it out', async () => {
    const { admission, load, timedOut } = setUp({ queueMax: 0, queueTimeoutMs: 20 });
    load.free = 0;
    admission.admit('a');
    assert.equal(admission.withdraw('a'), true);
    assert.equal(admission.withdraw('a'), false);
    await new Promise((resolve) => setTimeout(resolve, 40));
    assert.deepEqual(timedOut, []);
  });

  it('sets Retry-After from the mean job run time and the work ahead, at least 1 s and at most 30 s', () => {
    const { admission, load } = setUp({ threads: 2 });
    assert.equal(admission.retryAfter(), 1, 'nothing measured yet');
    for (let i = 0; i < 40; i++) admission.jobRan(2);
    load.queued = 3;
    load.running = 2;
    // mean ~2 s (moving average converged to 1.9997), 6 jobs ahead on 2 threads: ceil(5.999) = 6 s.
    assert.equal(admission.retryAfter(), 6);
    load.queued = 100;
    assert.equal(admission.retryAfter(), RETRY_AFTER_MAX_SECONDS);
    const refusal = admission.refuse('ERR_POOL_CLOSED', 'closing');
    assert.equal(refusal.retryAfterSeconds, RETRY_AFTER_MAX_SECONDS);
    assert.doesNotMatch(refusal.stack ?? '', /\n\s+at /, 'refusals carry no stack trace');
  });
});
