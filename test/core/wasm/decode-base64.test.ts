import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeBase64 } from '../../../src/core/wasm/decode-base64.js';

describe('decodeBase64', () => {
  it('decodes what Node encodes, for every length modulo 3 and every byte value', () => {
    for (let length = 0; length < 300; length++) {
      const bytes = Uint8Array.from({ length }, (_, i) => (i * 131 + length * 17) & 0xff);
      assert.deepEqual(decodeBase64(Buffer.from(bytes).toString('base64')), bytes);
    }
  });

  it('refuses a length that is not a multiple of 4 and characters outside the alphabet', () => {
    assert.throws(() => decodeBase64('QUJD='), /multiple of 4/);
    assert.throws(() => decodeBase64('QU*D'), /invalid base64 character at 2/);
    assert.throws(() => decodeBase64('Q=JD'), /invalid base64 character at 1/);
  });
});
