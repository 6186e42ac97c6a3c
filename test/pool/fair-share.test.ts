import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FairShare } from '../../src/pool/fair-share.js';
import { isPoolError } from '../../src/pool/pricing-pool.js';
import type { PricingPool } from '../../src/pool/pricing-pool.js';
import type { PriceTask } from '../../src/pool/tasks.js';

/** The fair-share gate against a scripted pool whose jobs finish when the test says so. */
function scriptedPool() {
  const pending: (() => void)[] = [];
  return {
    pending,
    run: (() => new Promise((resolve) => pending.push(() => resolve([])))) as unknown as PricingPool['run'],
  };
}

/** n monte_carlo_20k contracts with greeks: 800 us each by the measured cost table. */
function task(n: number): PriceTask {
  const item = {
    option: { type: 'call', strike: 100, expiry: 1, exercise: 'european' },
    market: { spot: 100, rate: 0, dividendYield: 0, volatility: 0.2 },
    seed: 1n,
  } as const;
  return { kind: 'price', model: 'monte_carlo_20k', greeks: true, items: Array.from({ length: n }, () => item) };
}

describe('fair share of the pricing pool', () => {
  it('admits a client up to its share, refuses the rest with a Retry-After of its own queued work, and admits others meanwhile', async () => {
    let client = 'hog';
    const inner = scriptedPool();
    // 1 thread, 0.5 s share = 500,000 us: five tasks of 100 contracts (80,000 us each) fit, the seventh does not.
    const gate = new FairShare({ shareSeconds: 0.5, threads: 1, clientOf: () => client });
    const pool = gate.wrap(inner);
    const admitted: Promise<unknown>[] = [];
    for (let i = 0; i < 6; i += 1) admitted.push(pool.run(task(100)));
    assert.equal(gate.outstandingMicros('hog'), 480_000);
    await assert.rejects(
      pool.run(task(100)),
      (error: unknown) => isPoolError(error) && error.code === 'ERR_POOL_SATURATED' && error.retryAfterSeconds === 1,
    );
    assert.equal(inner.pending.length, 6, 'the refused task never reached the pool');

    client = 'victim';
    const victim = pool.run(task(100));
    assert.equal(inner.pending.length, 7, 'another client is admitted at once');

    for (const finish of inner.pending.splice(0)) finish();
    await Promise.all([...admitted, victim]);
    assert.equal(gate.outstandingMicros('hog'), 0);
    client = 'hog';
    void pool.run(task(100));
    assert.equal(inner.pending.length, 1, 'admitted again once its work drained');
  });

  it('always admits a client with nothing in the pool, however large its task; cheap tasks and calls outside a request are not counted', async () => {
    let client: string | undefined = 'big';
    const inner = scriptedPool();
    const gate = new FairShare({ shareSeconds: 0.1, threads: 2, clientOf: () => client });
    const pool = gate.wrap(inner);
    void pool.run(task(1000));
    assert.equal(inner.pending.length, 1);
    await assert.rejects(pool.run(task(1000)), (error: unknown) => isPoolError(error) && error.retryAfterSeconds === 1);
    void pool.run(task(2));
    assert.equal(inner.pending.length, 2, 'a task cheap enough to run inline passes');
    client = undefined;
    void pool.run(task(1000));
    assert.equal(inner.pending.length, 3, 'work outside a request passes');
  });

  it("reports a Retry-After that grows with the client's queued work", async () => {
    const inner = scriptedPool();
    const gate = new FairShare({ shareSeconds: 1, threads: 1, clientOf: () => 'hog' });
    const pool = gate.wrap(inner);
    void pool.run(task(5000)); // 4 s of estimated work, admitted alone
    await assert.rejects(pool.run(task(100)), (error: unknown) => isPoolError(error) && error.retryAfterSeconds === 4);
  });

  it('is off at OPE_FAIR_SHARE_SECONDS=0', () => {
    const inner = scriptedPool();
    assert.equal(new FairShare({ shareSeconds: 0, threads: 1, clientOf: () => 'x' }).wrap(inner), inner);
  });
});
