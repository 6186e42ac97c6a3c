import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { wasmKernels } from '../../../src/core/wasm/wasm-kernels.js';
import { xorshift32 } from '../../../bench/support/xorshift32.js';

const words = new Uint32Array(2);
const asDouble = new Float64Array(words.buffer);

/** A double with uniformly random bits: every exponent, subnormals, infinities and NaNs included. */
function randomBits(random: () => number): number {
  words[0] = Math.floor(random() * 2 ** 32);
  words[1] = Math.floor(random() * 2 ** 32);
  return asDouble[0]!;
}

const SPECIAL = [
  0,
  -0,
  Infinity,
  -Infinity,
  Number.NaN,
  Number.MIN_VALUE,
  -Number.MIN_VALUE,
  2.2250738585072014e-308,
  Number.MAX_VALUE,
  1,
  -1,
  0.5 * Math.LN2,
  1.5 * Math.LN2,
  709.782712893384,
  709.79,
  -745.1332191019411,
  -745.14,
  -708.4,
  2 ** -28,
  2 ** -29,
  2 ** -54,
  0.41421356,
  -0.29289321,
  Math.SQRT2,
  Math.SQRT1_2,
];

describe('fdlibm ports in WebAssembly', () => {
  const k = wasmKernels();
  const functions: Array<[string, (x: number) => number, (x: number) => number, (random: () => number) => number]> = [
    ['exp', Math.exp, (x) => k.fdlibmExp(x), (random) => (random() - 0.5) * 1500],
    ['log', Math.log, (x) => k.fdlibmLog(x), (random) => Math.abs(randomBits(random))],
    [
      'log1p',
      Math.log1p,
      (x) => k.fdlibmLog1p(x),
      (random) => (random() < 0.5 ? -1 + 3 * random() : Math.abs(randomBits(random))),
    ],
    ['expm1', Math.expm1, (x) => k.fdlibmExpm1(x), (random) => (random() - 0.5) * 100],
  ];
  for (const [name, reference, port, draw] of functions) {
    it(`${name} returns V8's Math.${name} bit for bit on special values and 200,000 random arguments`, () => {
      const random = xorshift32(name.length * 7919);
      const args = [
        ...SPECIAL,
        ...SPECIAL.map((x) => -x),
        ...Array.from({ length: 100_000 }, () => draw(random)),
        ...Array.from({ length: 100_000 }, () => randomBits(random)),
      ];
      for (const x of args) {
        const want = reference(x);
        const got = port(x);
        assert.ok(Object.is(got, want), `${name}(${x}): wasm ${got}, V8 ${want}`);
      }
    });
  }
});
