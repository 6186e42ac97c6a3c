import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { executeTask } from '../../src/pool/execute-task.js';
import type { PriceItem, PriceTask } from '../../src/pool/tasks.js';

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
});
