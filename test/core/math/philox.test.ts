import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { philox4x32, PHILOX_M0, PHILOX_M1, PHILOX_W0, PHILOX_W1 } from '../../../src/core/math/philox.js';

/**
 * Known answers for Philox4x32 with 10 rounds: the `philox4x32 10` lines of the kat_vectors file of the
 * Random123 distribution (D. E. Shaw Research; Salmon et al., SC'11): counter words, key words, output words.
 */
const RANDOM123_KAT_PHILOX4X32_10 = [
  {
    counter: [0x00000000, 0x00000000, 0x00000000, 0x00000000],
    key: [0x00000000, 0x00000000],
    out: [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8],
  },
  {
    counter: [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff],
    key: [0xffffffff, 0xffffffff],
    out: [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd],
  },
  {
    counter: [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344],
    key: [0xa4093822, 0x299f31d0],
    out: [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1],
  },
] as const;

const MASK_32 = 0xffffffffn;

/** A slow, obviously correct Philox4x32-10 on bigints: the test oracle for the int32 implementation. */
function referencePhilox(counter: readonly number[], key: readonly number[]): number[] {
  let [c0, c1, c2, c3] = counter.map(BigInt) as [bigint, bigint, bigint, bigint];
  let [k0, k1] = key.map(BigInt) as [bigint, bigint];
  for (let round = 0; round < 10; round++) {
    const p0 = BigInt(PHILOX_M0) * c0;
    const p1 = BigInt(PHILOX_M1) * c2;
    [c0, c1, c2, c3] = [
      ((p1 >> 32n) ^ c1 ^ k0) & MASK_32,
      p1 & MASK_32,
      ((p0 >> 32n) ^ c3 ^ k1) & MASK_32,
      p0 & MASK_32,
    ];
    k0 = (k0 + BigInt(PHILOX_W0)) & MASK_32;
    k1 = (k1 + BigInt(PHILOX_W1)) & MASK_32;
  }
  return [c0, c1, c2, c3].map(Number);
}

/** Deterministic uint32 test inputs (xorshift32), edge values first. */
function testWords(count: number): number[] {
  const words = [
    0,
    1,
    2,
    0xffff,
    0x10000,
    0x7fffffff,
    0x80000000,
    0x80000001,
    0xfffffffe,
    0xffffffff,
    PHILOX_M0,
    PHILOX_M1,
  ];
  let x = 0x12345678;
  while (words.length < count) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words.push(x >>> 0);
  }
  return words;
}

describe('philox4x32 (Philox4x32-10)', () => {
  it('reproduces the Random123 known-answer vectors', () => {
    const out = new Uint32Array(4);
    for (const { counter, key, out: expected } of RANDOM123_KAT_PHILOX4X32_10) {
      philox4x32(counter[0], counter[1], counter[2], counter[3], key[0], key[1], out);
      assert.deepEqual([...out], [...expected], `counter ${counter.map((w) => w.toString(16)).join(' ')}`);
    }
  });

  // The edge words (0, 0xffff, 2^31, 0xffffffff, the multipliers themselves) come first, so the 16-bit carry
  // logic of the high-word products meets its extremes.
  it('agrees with a bigint reference implementation on 2,000 pseudo-random counters and keys', () => {
    const words = testWords(6 * 2000);
    const out = new Uint32Array(4);
    for (let i = 0; i < 2000; i++) {
      const counter = words.slice(6 * i, 6 * i + 4);
      const key = words.slice(6 * i + 4, 6 * i + 6);
      philox4x32(counter[0]!, counter[1]!, counter[2]!, counter[3]!, key[0]!, key[1]!, out);
      assert.deepEqual([...out], referencePhilox(counter, key), `counter ${counter.join(',')} key ${key.join(',')}`);
    }
  });

  it('agrees with the bigint reference when the multiplied words c0 and c2 take every pair of edge values', () => {
    const edges = testWords(12);
    const out = new Uint32Array(4);
    for (const a of edges) {
      for (const b of edges) {
        philox4x32(a, 0x9e3779b9, b, 0xffffffff, 0, 0xffffffff, out);
        assert.deepEqual([...out], referencePhilox([a, 0x9e3779b9, b, 0xffffffff], [0, 0xffffffff]), `c0=${a} c2=${b}`);
      }
    }
  });

  it('accepts words as int32 or uint32 and writes the same bits into an Int32Array', () => {
    const unsigned = new Uint32Array(4);
    const signed = new Int32Array(4);
    philox4x32(0xffffffff, 0x80000000, 7, 0, 0xdeadbeef, 1, unsigned);
    philox4x32(-1, -0x80000000, 7, 0, 0xdeadbeef | 0, 1, signed);
    assert.deepEqual(
      [...signed].map((w) => w >>> 0),
      [...unsigned],
    );
  });

  it('changes about half of the 128 output bits when one counter or key bit flips', () => {
    const base = new Uint32Array(4);
    const flipped = new Uint32Array(4);
    const words = testWords(6 * 64).slice(12);
    let total = 0;
    let trials = 0;
    for (let t = 0; t + 6 <= words.length; t += 6) {
      const input = words.slice(t, t + 6);
      philox4x32(input[0]!, input[1]!, input[2]!, input[3]!, input[4]!, input[5]!, base);
      const which = trials % 6;
      const changed = [...input];
      changed[which] = (changed[which]! ^ (1 << (trials % 32))) >>> 0;
      philox4x32(changed[0]!, changed[1]!, changed[2]!, changed[3]!, changed[4]!, changed[5]!, flipped);
      for (let w = 0; w < 4; w++) {
        let diff = (base[w]! ^ flipped[w]!) >>> 0;
        while (diff !== 0) {
          total += diff & 1;
          diff >>>= 1;
        }
      }
      trials++;
    }
    const meanFlipped = total / trials;
    // Binomial(128, 1/2) has mean 64 and standard deviation 5.66; the mean of ~60 trials is within 3.
    assert.ok(Math.abs(meanFlipped - 64) < 3, `mean flipped bits ${meanFlipped} over ${trials} trials`);
  });
});
