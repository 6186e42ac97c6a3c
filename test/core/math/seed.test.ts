import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { CoreError } from '../../../src/core/errors.js';
import {
  deriveChildSeed,
  MAX_SEED,
  requireSeed,
  requireStream,
  splitMix64Mix,
  splitWords64,
} from '../../../src/core/math/seed.js';

function assertCoreError(run: () => unknown, param: string): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof CoreError, String(error));
    assert.equal(error.code, 'ERR_CORE_INVALID_INPUT');
    assert.equal(error.param, param);
    return true;
  });
}

describe('seeds and streams', () => {
  it('splits a 64-bit value into its low and high 32-bit words', () => {
    assert.deepEqual(splitWords64(0n), [0, 0]);
    assert.deepEqual(splitWords64(0x0123456789abcdefn), [0x89abcdef, 0x01234567]);
    assert.deepEqual(splitWords64(MAX_SEED), [0xffffffff, 0xffffffff]);
  });

  it('accepts seeds in [0, 2^64 - 1] and refuses anything else, naming the parameter', () => {
    requireSeed(0n);
    requireSeed(MAX_SEED);
    for (const bad of [-1n, MAX_SEED + 1n, 42, '42', null, undefined]) assertCoreError(() => requireSeed(bad), 'seed');
    assertCoreError(() => requireSeed(-5n, 'rootSeed'), 'rootSeed');
  });

  it('accepts a stream as a bigint or a safe non-negative integer, and returns it as a bigint', () => {
    assert.equal(requireStream(0), 0n);
    assert.equal(requireStream(7), 7n);
    assert.equal(requireStream(MAX_SEED), MAX_SEED);
    for (const bad of [-1, 1.5, Number.NaN, 2 ** 53, -1n, MAX_SEED + 1n, '3'])
      assertCoreError(() => requireStream(bad), 'stream');
  });
});

describe('splitMix64Mix', () => {
  it('reproduces the published SplitMix64 outputs for state 0 (Vigna, splitmix64.c)', () => {
    // splitmix64 seeded with 0 returns mix(gamma), mix(2 gamma), ...: the first four outputs are published.
    const gamma = 0x9e3779b97f4a7c15n;
    const published = [0xe220a8397b1dcdafn, 0x6e789e6aa1b965f4n, 0x06c45d188009454fn, 0xf88bb8a8724c81ecn];
    published.forEach((expected, n) => assert.equal(splitMix64Mix((BigInt(n + 1) * gamma) & MAX_SEED), expected));
  });
});

describe('deriveChildSeed', () => {
  it('is a pure function of (root, index)', () => {
    assert.equal(deriveChildSeed(42n, 7), deriveChildSeed(42n, 7));
    assert.notEqual(deriveChildSeed(42n, 7), deriveChildSeed(42n, 8));
    assert.notEqual(deriveChildSeed(42n, 7), deriveChildSeed(43n, 7));
  });

  it('gives every contract of a 20,000-contract batch its own 64-bit child seed, for edge roots too', () => {
    for (const root of [0n, 1n, 42n, (1n << 63n) - 1n, MAX_SEED]) {
      const children = new Set<bigint>();
      for (let index = 0; index < 20_000; index++) {
        const child = deriveChildSeed(root, index);
        assert.ok(child >= 0n && child <= MAX_SEED);
        children.add(child);
      }
      assert.equal(children.size, 20_000, `root ${root}`);
    }
  });

  it("does not hand neighbouring roots shifted copies of each other's children", () => {
    const first = new Set<bigint>();
    for (let index = 0; index < 5000; index++) first.add(deriveChildSeed(1000n, index));
    for (let index = 0; index < 5000; index++) assert.ok(!first.has(deriveChildSeed(1001n, index)));
  });

  it("mixes well: a change of root or index flips about half of the child's 64 bits", () => {
    let flipped = 0;
    let trials = 0;
    const popcount = (x: bigint): number =>
      x
        .toString(2)
        .split('')
        .filter((bit) => bit === '1').length;
    for (let i = 0; i < 500; i++) {
      flipped += popcount(deriveChildSeed(BigInt(i), i) ^ deriveChildSeed(BigInt(i) ^ 1n, i));
      flipped += popcount(deriveChildSeed(BigInt(i), i) ^ deriveChildSeed(BigInt(i), i + 1));
      trials += 2;
    }
    // Binomial(64, 1/2): mean 32, standard deviation 4; the mean of 1,000 trials is within 0.5 of 32.
    assert.ok(Math.abs(flipped / trials - 32) < 0.5, `mean flipped bits ${flipped / trials}`);
  });

  it('refuses a bad root or index, naming the parameter', () => {
    assertCoreError(() => deriveChildSeed(-1n, 0), 'seed');
    assertCoreError(() => deriveChildSeed(MAX_SEED + 1n, 0), 'seed');
    assertCoreError(() => deriveChildSeed(5 as unknown as bigint, 0), 'seed');
    for (const index of [-1, 0.5, Number.NaN, Infinity, 2 ** 53])
      assertCoreError(() => deriveChildSeed(1n, index), 'index');
  });
});
