import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Histogram, Registry } from 'prom-client';
import { MODEL_LATENCY_BUCKETS } from '../../src/observability/metrics.js';
import { observeAll } from '../../src/observability/observe-all.js';

/** Two registries, each with the same histogram: one fed by observe() per value, the other by observeAll(). */
function pair(): { one: Histogram<'model'>; all: Histogram<'model'>; text: () => Promise<[string, string]> } {
  const make = (registry: Registry): Histogram<'model'> =>
    new Histogram({
      name: 'ope_model_latency_seconds',
      help: 'Pricing model compute time per contract',
      labelNames: ['model'],
      buckets: MODEL_LATENCY_BUCKETS,
      registers: [registry],
    });
  const r1 = new Registry();
  const r2 = new Registry();
  const one = make(r1);
  const all = make(r2);
  return { one, all, text: async () => [await r1.metrics(), await r2.metrics()] };
}

// Values on, between, below and above the bucket bounds, with sums that round differently in another order.
const VALUES = [0.0005, 0.0001, 0.1 + 0.2, 3, 2.5, 1e-9, 0.0123456789, 0.3, 0.7, 0.01, 0.02, 7.5, 0.00049999];

describe('observeAll', () => {
  it('leaves the exposition exactly as one observe() per value does, for new and existing series', async () => {
    const { one, all, text } = pair();
    for (const v of VALUES) one.observe({ model: 'black_scholes' }, v);
    observeAll(all, { model: 'black_scholes' }, VALUES);
    // A second model, then more values on an existing series.
    for (const v of VALUES.slice(3)) one.observe({ model: 'binomial_200' }, v);
    observeAll(all, { model: 'binomial_200' }, VALUES.slice(3));
    for (const v of VALUES.slice(0, 5)) one.observe({ model: 'black_scholes' }, v);
    observeAll(all, { model: 'black_scholes' }, VALUES.slice(0, 5));
    const [a, b] = await text();
    assert.equal(b, a);
    assert.match(a, /ope_model_latency_seconds_count\{model="black_scholes"\} 18/);
  });

  it('observes into a series that a reset emptied, and does nothing for no values', async () => {
    const { one, all, text } = pair();
    one.observe({ model: 'black_scholes' }, 1);
    observeAll(all, { model: 'black_scholes' }, [1]);
    one.reset();
    all.reset();
    observeAll(all, { model: 'black_scholes' }, []);
    for (const v of VALUES) one.observe({ model: 'black_scholes' }, v);
    observeAll(all, { model: 'black_scholes' }, VALUES);
    const [a, b] = await text();
    assert.equal(b, a);
  });

  it('refuses a value that is not a finite number as observe() does', () => {
    const { all } = pair();
    assert.throws(() => observeAll(all, { model: 'black_scholes' }, [0.1, Number.NaN]), TypeError);
    assert.throws(() => observeAll(all, { model: 'black_scholes' }, [Number.POSITIVE_INFINITY]), TypeError);
  });
});
