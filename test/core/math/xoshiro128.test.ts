import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { nextXoshiro128, seedXoshiro128 } from '../../../src/core/math/xoshiro128.js';

describe('xoshiro128** (Blackman and Vigna)', () => {
  it('reproduces the reference C implementation from the state (1, 2, 3, 4)', () => {
    // The authors' xoshiro128starstar.c compiled with gcc -O2, next() printed as uint32.
    const state = Int32Array.of(1, 2, 3, 4);
    const words = Array.from({ length: 8 }, () => nextXoshiro128(state, 0) >>> 0);
    assert.deepEqual(words, [11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034, 3734860849]);
  });

  it('seeds a generator from (seed, stream) only, at any offset of the state array', () => {
    const a = new Int32Array(8);
    seedXoshiro128(a, 0, 42n, 7, 0);
    seedXoshiro128(a, 4, 42n, 7, 0);
    assert.deepEqual([...a.subarray(0, 4)], [...a.subarray(4, 8)]);
    const other = new Int32Array(4);
    seedXoshiro128(other, 0, 42n, 8, 0);
    assert.notDeepEqual([...other], [...a.subarray(0, 4)]);
    seedXoshiro128(other, 0, 43n, 7, 0);
    assert.notDeepEqual([...other], [...a.subarray(0, 4)]);
    const first = nextXoshiro128(a, 0);
    assert.equal(nextXoshiro128(a, 4), first);
  });
});
