/**
 * The pool's AdmissionGate (admission.ts): a check in front of admission, as a per-client fair share plugs in.
 * Real worker threads running the scripted worker; a scripted gate that records what it is asked.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { AdmissionGate } from '../../src/pool/admission.js';
import { PoolError, PricingPool } from '../../src/pool/pricing-pool.js';
import type { PriceOutcome } from '../../src/pool/tasks.js';
import { FixtureChannel } from './fixtures/fixture-channel.js';
import { contract, echoTask, Op, scriptedTask } from './fixtures/scripted-ops.js';

const WORKER = new URL('./fixtures/scripted-worker.ts', import.meta.url);

class ScriptedGate implements AdmissionGate {
  refuseNext = false;
  entered = 0;
  left = 0;
  refuse(): PoolError | null {
    if (!this.refuseNext) return null;
    this.refuseNext = false;
    return new PoolError('ERR_POOL_SATURATED', "this client's share is in use", 3);
  }
  enter(): () => void {
    this.entered += 1;
    return () => {
      this.left += 1;
    };
  }
}

const open: { pool: PricingPool; channel: FixtureChannel }[] = [];

function setUp(gate: AdmissionGate): { pool: PricingPool; channel: FixtureChannel } {
  const channel = new FixtureChannel();
  const pool = new PricingPool({
    threads: 1,
    queueMax: 1,
    queueTimeoutSeconds: 0,
    taskTimeoutSeconds: 0,
    workerFile: WORKER,
    inline: false,
    gate,
  });
  open.push({ pool, channel });
  return { pool, channel };
}

afterEach(async () => {
  for (const { pool, channel } of open.splice(0)) {
    channel.close();
    await pool.close({ graceMs: 0 });
  }
});

function values(outcomes: readonly PriceOutcome[]): number[] {
  return outcomes.map((o) => (o.ok ? o.result.value : Number.NaN));
}

describe('PricingPool with an AdmissionGate', () => {
  it('refuses what the gate refuses before the pool looks at its queue, in run() and in refuseAtOnce(placement, shape)', async () => {
    const gate = new ScriptedGate();
    const { pool } = setUp(gate);
    gate.refuseNext = true;
    await assert.rejects(
      pool.run(echoTask(1)),
      (error: unknown) => error instanceof PoolError && error.retryAfterSeconds === 3,
    );
    assert.equal(gate.entered, 0, 'a refused task never entered');
    const task = echoTask(1);
    const placement = pool.plan(task);
    gate.refuseNext = true;
    assert.equal(pool.refuseAtOnce(placement, task)?.retryAfterSeconds, 3);
    assert.equal(pool.refuseAtOnce(placement, task), null);
    assert.equal(pool.refuseAtOnce(placement), null, 'without a shape the gate is not asked');
    assert.deepEqual(values(await pool.run(task)), [0]);
  });

  it('tells the gate when an accepted task settles, whether it succeeded or was refused by the pool', async () => {
    const gate = new ScriptedGate();
    const { pool, channel } = setUp(gate);
    const held = pool.run(scriptedTask(contract(Op.hold, 0)));
    await channel.waitForStarted(1);
    const queued = pool.run(echoTask(1));
    await assert.rejects(
      pool.run(echoTask(1)),
      (error: unknown) => error instanceof PoolError && error.code === 'ERR_POOL_SATURATED',
    );
    assert.equal(gate.entered, 3);
    // The pool's refusal settled its task: the gate has been told (on the next microtask turn).
    await Promise.resolve();
    assert.equal(gate.left, 1);
    channel.release(0);
    assert.deepEqual([values(await held), values(await queued)], [[0], [0]]);
    await Promise.resolve();
    assert.equal(gate.left, 3);
  });
});
