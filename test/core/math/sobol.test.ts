import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

import {
  fillSobolUniforms,
  scrambleSobolDimension,
  sobolDirectionNumbers,
  sobolPoints,
  sobolWord,
} from '../../../src/core/math/sobol.js';

/** scipy's unscrambled Joe-Kuo points (generator: test/core/reference/generate-scipy-sobol.py). */
const reference = JSON.parse(
  readFileSync(new URL('../reference/scipy-sobol-10000x10.json', import.meta.url), 'utf8'),
) as {
  points: number;
  dimensions: number;
  sha256: string;
  first32: number[][];
  columnSums: number[];
};

describe('Sobol points (Joe-Kuo new-joe-kuo-6.21201)', () => {
  it('the first 10,000 points of dimensions 1..10 equal scipy.stats.qmc.Sobol(scramble=False)', () => {
    const { points, dimensions } = reference;
    const words = new Uint32Array(points * dimensions);
    const x = sobolPoints(dimensions, 0, points);
    for (let i = 0; i < words.length; i++) words[i] = x[i]! * 2 ** 32;
    assert.deepEqual(Array.from(words.subarray(0, 32 * dimensions)), reference.first32.flat());
    const sums = new Array<number>(dimensions).fill(0);
    for (let i = 0; i < words.length; i++) sums[i % dimensions]! += words[i]!;
    assert.deepEqual(sums, reference.columnSums);
    const digest = createHash('sha256').update(new Uint8Array(words.buffer)).digest('hex');
    assert.equal(digest, reference.sha256);
  });

  it('fillSobolUniforms walks the Gray code from any starting index like direct evaluation', () => {
    const v = sobolDirectionNumbers(7);
    const out = new Float64Array(300);
    for (const first of [0, 1, 5, 1023, 4096, 2 ** 31 - 7, 2 ** 32 - 300]) {
      fillSobolUniforms(v, 0x1234abcd, first, out, out.length);
      for (let i = 0; i < out.length; i++) {
        assert.equal(out[i], (sobolWord(v, 0x1234abcd, first + i) + 0.5) * 2 ** -32, `first ${first} i ${i}`);
      }
    }
  });

  it('a scrambled copy keeps the net property: every dyadic interval of 2^-m holds one of 2^m points', () => {
    for (const dimension of [1, 2, 10]) {
      for (let replicate = 0; replicate < 3; replicate++) {
        const { directions, shift } = scrambleSobolDimension(99n, replicate, dimension);
        const m = 10;
        const seen = new Uint8Array(2 ** m);
        for (let n = 0; n < 2 ** m; n++) seen[sobolWord(directions, shift, n) >>> (32 - m)]! += 1;
        assert.ok(
          seen.every((c) => c === 1),
          `dimension ${dimension} replicate ${replicate}`,
        );
      }
    }
  });

  it('independent scramblings differ and are a pure function of (key, replicate, dimension)', () => {
    const a = scrambleSobolDimension(7n, 0, 1);
    const b = scrambleSobolDimension(7n, 1, 1);
    const again = scrambleSobolDimension(7n, 0, 1);
    assert.notDeepEqual(Array.from(a.directions), Array.from(b.directions));
    assert.deepEqual(Array.from(a.directions), Array.from(again.directions));
    assert.equal(a.shift, again.shift);
  });
});
