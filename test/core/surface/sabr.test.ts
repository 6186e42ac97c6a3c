import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { sabrVolatility } from '../../../src/core/surface/sabr.js';

interface Case {
  forward: number;
  strike: number;
  expiry: number;
  alpha: number;
  beta: number;
  rho: number;
  nu: number;
  volatility: number;
}

// QuantLib 1.29's ql.sabrVolatility; generator: ../reference/generate-quantlib-sabr.py.
const QUANTLIB = JSON.parse(readFileSync(new URL('../reference/quantlib-1.29-sabr.json', import.meta.url), 'utf8')) as {
  cases: Case[];
};

describe('sabrVolatility (Hagan 2002 lognormal expansion)', () => {
  it('agrees with QuantLib 1.29 to 1e-12 relative on every reference case', () => {
    assert.ok(QUANTLIB.cases.length > 250);
    for (const c of QUANTLIB.cases) {
      const v = sabrVolatility(c.forward, c.strike, c.expiry, c);
      assert.ok(Math.abs(v - c.volatility) <= 1e-12 * Math.abs(c.volatility), `${JSON.stringify(c)}: got ${v}`);
    }
  });

  it('is continuous through the money (series and closed form meet)', () => {
    const p = { alpha: 2, beta: 0.5, rho: -0.4, nu: 0.7 };
    const atm = sabrVolatility(100, 100, 1, p);
    for (const rel of [1e-12, 1e-9, 1e-7, 1e-6, 1e-5]) {
      for (const sign of [-1, 1]) {
        const v = sabrVolatility(100, 100 * (1 + sign * rel), 1, p);
        // The smile's slope is of order 0.1 per unit of ln K, so the change must be about 0.1 * rel.
        assert.ok(Math.abs(v - atm) <= 0.5 * rel + 1e-15, `rel ${sign * rel}: ${v} vs ${atm}`);
      }
    }
  });

  it('reduces to the ATM formula of the paper at K = F', () => {
    const p = { alpha: 0.3, beta: 1, rho: 0.2, nu: 0.5 };
    const expected = 0.3 * (1 + (0.25 * 0.2 * 1 * 0.5 * 0.3 + ((2 - 3 * 0.04) * 0.25) / 24) * 2);
    assert.ok(Math.abs(sabrVolatility(80, 80, 2, p) - expected) <= 1e-15);
  });
});
