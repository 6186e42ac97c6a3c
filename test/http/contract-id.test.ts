import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { contractId, formatFixed } from '../../src/http/contract-id.js';

describe('contractId', () => {
  it('formats SYMBOL_strike(4)_expiry(6)_type as the v1 service did', () => {
    assert.equal(contractId('ABC', 100, 0.5, 'call'), 'ABC_100.0000_0.500000_call');
    assert.equal(contractId('X1', 1e9, 50, 'put'), 'X1_1000000000.0000_50.000000_put');
    assert.equal(contractId('Q', 0.0001, 1 / 3, 'call'), 'Q_0.0001_0.333333_call');
  });

  // Python's format() rounds a tie to even (decimal repr of the exact double); Number#toFixed rounds it up.
  // Expected strings: Python 3.11, f"{x:.4f}" / f"{x:.6f}".
  it('rounds exact decimal ties to even like Python', () => {
    assert.equal(formatFixed(100.03125, 4), '100.0312'); // 3201/32: toFixed gives 100.0313
    assert.equal(formatFixed(100.09375, 4), '100.0938'); // 3203/32: tie, up to the even 8
    assert.equal(formatFixed(0.5078125, 6), '0.507812'); // 65/128
    assert.equal(formatFixed(2.5, 0), '2');
    assert.equal(formatFixed(3.5, 0), '4');
  });

  it('leaves non-ties to toFixed, which rounds the exact binary value', () => {
    assert.equal(formatFixed(1.00005, 4), (1.00005).toFixed(4));
    assert.equal(formatFixed(0.1, 6), '0.100000');
    assert.equal(formatFixed(123.456789, 4), '123.4568');
  });

  it('writes whole numbers as toFixed does, -0 and large values included', () => {
    for (const value of [0, -0, 1, -1, 80, 100, 4096, -250, 123456789, 2 ** 40, 1e14, 999999999999999]) {
      for (const digits of [0, 1, 4, 6, 20]) {
        assert.equal(formatFixed(value, digits), value.toFixed(digits), `${value} with ${digits} digits`);
      }
    }
  });
});
