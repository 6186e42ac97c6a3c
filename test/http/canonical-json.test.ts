import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NonCanonicalValueError, canonicalJson } from '../../src/http/canonical-json.js';

// The one canonical JSON writer: capsule and request hashes of the quote API, and surface ids. More of its rules
// (key order by UTF-16 code units, refusals naming the path) in test/http/quote/canonical-and-records.test.ts.

describe('canonicalJson', () => {
  it('sorts keys at every depth, drops undefined members, keeps array order, prints no whitespace', () => {
    assert.equal(
      canonicalJson({ b: 1, a: [3, { y: null, x: 'é' }], c: undefined, A: true }),
      '{"A":true,"a":[3,{"x":"é","y":null}],"b":1}',
    );
  });

  it('prints numbers as their shortest round-trip text, the same for equal values', () => {
    assert.equal(canonicalJson([0.1 + 0.2, 1e21, -0, 5e-324, 100]), '[0.30000000000000004,1e+21,0,5e-324,100]');
    assert.equal(canonicalJson({ x: 1.0 }), canonicalJson({ x: 1 }));
  });

  it('refuses what JSON cannot say', () => {
    assert.throws(() => canonicalJson({ x: Number.NaN }), NonCanonicalValueError);
    assert.throws(() => canonicalJson({ x: Infinity }), NonCanonicalValueError);
    assert.throws(() => canonicalJson({ f: () => 1 }), NonCanonicalValueError);
  });
});
