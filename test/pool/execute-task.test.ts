import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MODEL_NAMES } from '../../src/core/models.js';
import { executeTask } from '../../src/pool/execute-task.js';
import type { ImpliedVolTask, PriceItem, PriceTask } from '../../src/pool/tasks.js';

const market = { spot: 100, rate: 0.15, dividendYield: 0, volatility: 0.11 };
const put: PriceItem = { option: { type: 'put', strike: 100, expiry: 3, exercise: 'american' }, market };

describe('executeTask', () => {
  it('refuses to serve a number the model does not vouch for: an unconverged result becomes a named per-contract error', () => {
    // Carry below -2 sigma / sqrt(T): outside the Bjerksund-Stensland boundary's domain (docs/numerics.md, known defects).
    for (const model of ['bjerksund_stensland', 'bjerksund_stensland_1993'] as const) {
      const task: PriceTask = {
        kind: 'price',
        model,
        greeks: true,
        items: [put, { ...put, market: { ...market, volatility: 0.3 } }],
      };
      const [outside, inside] = executeTask(task);
      assert.equal(outside!.ok, false, model);
      assert.equal(outside!.ok === false && outside!.code, 'ERR_CORE_NO_CONVERGENCE', model);
      assert.match(outside!.ok === false ? outside!.message : '', /does not cover these inputs/);
      assert.equal(inside!.ok, true, `${model} still prices the neighbouring contract`);
    }
    const tree = executeTask({ kind: 'price', model: 'leisen_reimer', greeks: false, items: [put] });
    assert.equal(tree[0]!.ok, true, 'the tree prices the same contract');
  });

  it('reports a core refusal with its code and parameter and keeps the rest of the batch', () => {
    const task: PriceTask = {
      kind: 'price',
      model: 'monte_carlo_20k',
      greeks: false,
      items: [
        { ...put, seed: 7n },
        { ...put, option: { ...put.option, exercise: 'european' }, seed: 7n },
      ],
    };
    const [american, european] = executeTask(task);
    assert.deepEqual(american!.ok === false && [american!.code, american!.param], [
      'ERR_CORE_UNSUPPORTED_EXERCISE',
      'exercise',
    ]);
    assert.equal(european!.ok, true);
  });

  it('prices a task with monteCarlo options by the tunable model, its full result beside the PriceResult, per item', () => {
    const european = { ...put, option: { ...put.option, exercise: 'european' as const }, seed: 11n };
    const monteCarlo = { paths: 2000, antithetic: true, useControlVariate: true, useQuasiRandom: false };
    const task: PriceTask = {
      kind: 'price',
      model: 'monte_carlo_20k',
      greeks: true,
      monteCarlo,
      items: [european, { ...put, seed: 11n }, { option: european.option, market: european.market }],
    };
    const [eu, american, seedless] = executeTask(task);
    assert.ok(eu!.ok && eu!.monteCarlo !== undefined);
    if (!eu!.ok) return;
    assert.equal(eu!.result.value, eu!.monteCarlo!.value);
    assert.equal(eu!.result.diagnostics.standardError, eu!.monteCarlo!.standardError);
    assert.equal(eu!.monteCarlo!.vrPipeline, 'antithetic+cv');
    assert.ok(eu!.result.greeks !== null && eu!.monteCarlo!.greekStandardErrors !== null);
    // The American item goes to Longstaff-Schwartz, which refuses antithetic pairs (checked first): its own failure, named.
    assert.deepEqual(american!.ok === false && [american!.code, american!.param], [
      'ERR_CORE_INVALID_INPUT',
      'antithetic',
    ]);
    assert.equal(seedless!.ok, false);
  });

  describe('anywhere in the HTTP schemas ranges', () => {
    // The v1 schemas: strike and spot in (0, 1e9], expiry in (0, 50], rate in [-1, 1], dividend yield in [0, 1];
    // the boundaries and the smallest doubles are drawn on purpose. A worker failure is a 500 over HTTP, and a
    // non-finite number would be written as null: neither may happen, whatever the input.
    const positive = (max: number, special: number[]) =>
      fc.oneof(fc.double({ min: Number.MIN_VALUE, max, noNaN: true }), fc.constantFrom(...special));
    const option = fc.record({
      type: fc.constantFrom('call' as const, 'put' as const),
      strike: positive(1e9, [5e-324, 1e-300, 1e-9, 1, 100, 1e9]),
      expiry: positive(50, [5e-324, 1e-300, 1e-9, 1e-7, 0.5, 50]),
      exercise: fc.constantFrom('european' as const, 'american' as const),
    });
    const market = fc.record({
      spot: positive(1e9, [5e-324, 1e-300, 1, 100, 1e9]),
      rate: fc.oneof(fc.double({ min: -1, max: 1, noNaN: true }), fc.constantFrom(-1, 0, 1)),
      dividendYield: fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(0, 1)),
    });
    const closedForm = MODEL_NAMES.filter((m) => m !== 'monte_carlo_20k');

    it('prices every model to finite numbers or refuses with a core code, never a worker failure', () => {
      fc.assert(
        fc.property(
          fc.constantFrom(...closedForm),
          option,
          market,
          positive(20, [5e-324, 1e-300, 1e-7, 0.2, 5, 20]),
          (model, opt, mkt, volatility) => {
            const [outcome] = executeTask({
              kind: 'price',
              model,
              greeks: true,
              items: [{ option: opt, market: { ...mkt, volatility } }],
            });
            if (!outcome!.ok) {
              assert.notEqual(outcome!.code, 'ERR_POOL_WORKER_FAILED', outcome!.message);
              return;
            }
            const { value, greeks } = outcome!.result;
            for (const [name, number] of Object.entries({ value, ...greeks }))
              assert.ok(Number.isFinite(number), `${model}: ${name} = ${number}`);
          },
        ),
        { numRuns: 1500 },
      );
    });

    it('solves implied volatility to a positive finite number or refuses with a core code, for every American model', () => {
      fc.assert(
        fc.property(
          fc.constantFrom(...closedForm.filter((m) => m !== 'black_scholes')),
          option,
          market,
          positive(1e9, [5e-324, 1e-300, 1e-9, 0.01, 1, 10, 1e9]),
          (americanModel, opt, mkt, price) => {
            const task: ImpliedVolTask = {
              kind: 'implied-volatility',
              americanModel,
              items: [{ option: opt, market: mkt, price }],
            };
            const [outcome] = executeTask(task);
            if (!outcome!.ok) {
              assert.notEqual(outcome!.code, 'ERR_POOL_WORKER_FAILED', outcome!.message);
              return;
            }
            assert.ok(Number.isFinite(outcome!.volatility) && outcome!.volatility > 0, String(outcome!.volatility));
          },
        ),
        { numRuns: 800 },
      );
    });
  });
});
