import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  combineMoments,
  sampleMoments,
  sampleVariance,
  standardErrorOfMean,
} from '../../../src/core/math/summary-stats.js';

describe('sample moments', () => {
  it('computes count, mean and M2 of a small sample exactly', () => {
    const m = sampleMoments(Float64Array.of(2, 4, 4, 4, 5, 5, 7, 9));
    assert.deepEqual(m, { count: 8, mean: 5, m2: 32 });
    assert.equal(sampleVariance(m), 32 / 7);
    assert.equal(standardErrorOfMean(m), Math.sqrt(32 / 7 / 8));
  });

  it('uses only the first count values', () => {
    assert.deepEqual(sampleMoments(Float64Array.of(1, 3, 1000), 2), { count: 2, mean: 2, m2: 2 });
  });

  it('keeps the variance of values near 1e9 that differ by 1e-3 (where sum(x^2) - n mean^2 cancels to noise)', () => {
    const values = Float64Array.from({ length: 1000 }, (_, i) => 1e9 + (i % 2 === 0 ? 1e-3 : -1e-3));
    const m = sampleMoments(values);
    assert.ok(Math.abs(m.m2 / 1000 - 1e-6) < 1e-9, `population variance ${m.m2 / 1000}`);
  });

  it('merges two samples into exactly the moments of the pooled sample, up to rounding', () => {
    const a = Float64Array.from({ length: 300 }, (_, i) => Math.sin(i) * 10 + 3);
    const b = Float64Array.from({ length: 700 }, (_, i) => Math.cos(i) * 2 - 1);
    const pooled = sampleMoments(Float64Array.from([...a, ...b]));
    const merged = combineMoments(sampleMoments(a), sampleMoments(b));
    assert.equal(merged.count, 1000);
    assert.ok(Math.abs(merged.mean - pooled.mean) <= 1e-14 * Math.abs(pooled.mean), `${merged.mean} vs ${pooled.mean}`);
    assert.ok(Math.abs(merged.m2 - pooled.m2) <= 1e-12 * pooled.m2, `${merged.m2} vs ${pooled.m2}`);
  });

  it('treats an empty sample as the identity of the merge, and reports 0 spread below two values', () => {
    const some = sampleMoments(Float64Array.of(1, 2, 3));
    const empty = sampleMoments(new Float64Array(0));
    assert.deepEqual(empty, { count: 0, mean: 0, m2: 0 });
    assert.equal(combineMoments(empty, some), some);
    assert.equal(combineMoments(some, empty), some);
    const single = sampleMoments(Float64Array.of(42));
    assert.equal(sampleVariance(single), 0);
    assert.equal(standardErrorOfMean(single), 0);
  });
});
