import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { CoreError } from '../../../src/core/errors.js';
import {
  bivariateNormalCdf,
  bivariateNormalCdfAtCorrelation,
  plackettIntegralAtCorrelation,
} from '../../../src/core/math/bivariate-normal.js';
import { BS2002_QUADRATURE_POINTS } from '../../../src/core/engines/bjerksund-stensland.js';
import { normCdf } from '../../../src/core/math/normal.js';
import { oracleBivariateNormal } from '../oracles/normal-oracle.js';

interface MpmathTable {
  source: string;
  rows: [number, number, number, number][];
}
const mpmath = JSON.parse(
  readFileSync(new URL('../reference/mpmath-bivariate-normal.json', import.meta.url), 'utf8'),
) as MpmathTable;

/** The contract: 1e-14 absolute everywhere. */
const TOLERANCE = 1e-14;

function assertClose(actual: number, expected: number, tolerance: number, context: string): void {
  const error = Math.abs(actual - expected);
  assert.ok(error <= tolerance, `${context}: got ${actual}, expected ${expected}, |error| ${error} > ${tolerance}`);
}

describe('bivariateNormalCdf', () => {
  it(`agrees with 30-digit mpmath quadrature to 1e-14 at all ${mpmath.rows.length} reference points, including Genz's branch points and |rho| within 1e-6 of 1`, () => {
    let worst = 0;
    for (const [x, y, rho, expected] of mpmath.rows) {
      const actual = bivariateNormalCdf(x, y, rho);
      assertClose(actual, expected, TOLERANCE, `M(x=${x}, y=${y}, rho=${rho}) [${mpmath.source}]`);
      worst = Math.max(worst, Math.abs(actual - expected));
    }
    // The measured worst case is ~1.4e-16; a regression to 1e-15 would still pass the contract but is worth seeing.
    assert.ok(worst < 1e-15, `worst absolute error ${worst}`);
  });

  it('reproduces the Drezner table of Haug (1998) p. 193 to its accuracy (6 decimals, computed with Drezner 1978)', () => {
    // "Option pricing formulas", E.G. Haug, McGraw-Hill 1998, p. 193 (as transcribed in QuantLib's test-suite/distributions.cpp).
    const haug: [number, number, number, number][] = [
      [0.0, 0.0, 0.0, 0.25],
      [0.0, 0.0, -0.5, 0.166667],
      [0.0, 0.0, 0.5, 0.333333],
      [0.0, -0.5, 0.0, 0.154269],
      [0.0, -0.5, -0.5, 0.08166],
      [0.0, -0.5, 0.5, 0.226878],
      [0.0, 0.5, 0.0, 0.345731],
      [0.0, 0.5, -0.5, 0.273122],
      [0.0, 0.5, 0.5, 0.41834],
      [-0.5, 0.0, 0.0, 0.154269],
      [-0.5, 0.0, -0.5, 0.08166],
      [-0.5, 0.0, 0.5, 0.226878],
      [-0.5, -0.5, 0.0, 0.095195],
      [-0.5, -0.5, -0.5, 0.036298],
      [-0.5, -0.5, 0.5, 0.163319],
      [-0.5, 0.5, 0.0, 0.213342],
      [-0.5, 0.5, -0.5, 0.145218],
      [-0.5, 0.5, 0.5, 0.272239],
      [0.5, 0.0, 0.0, 0.345731],
      [0.5, 0.0, -0.5, 0.273122],
      [0.5, 0.0, 0.5, 0.41834],
      [0.5, -0.5, 0.0, 0.213342],
      [0.5, -0.5, -0.5, 0.145218],
      [0.5, -0.5, 0.5, 0.272239],
      [0.5, 0.5, 0.0, 0.47812],
      [0.5, 0.5, -0.5, 0.419223],
      [0.5, 0.5, 0.5, 0.546244],
    ];
    for (const [x, y, rho, printed] of haug) {
      // Haug's numbers come from Drezner's (1978) method, good to about 1e-6, not from exact values rounded:
      // M(-0.5, -0.5, 0.5) is printed 0.163319 where the exact value is 0.16331952... (mpmath). Half a unit in
      // the last place would be 5e-7; the table's own error is up to ~1e-6.
      assertClose(bivariateNormalCdf(x, y, rho), printed, 1e-6, `Haug p. 193, M(${x}, ${y}, ${rho})`);
    }
  });

  it('gives M(0, 0, rho) = 1/4 + asin(rho) / (2 pi) exactly (Sheppard) for rho across [-1, 1], and 3/8 at rho = sqrt(1/2)', () => {
    for (let i = -100; i <= 100; i++) {
      const rho = i / 100;
      assertClose(bivariateNormalCdf(0, 0, rho), 0.25 + Math.asin(rho) / (2 * Math.PI), 2e-16, `M(0, 0, ${rho})`);
    }
    for (const rho of [0.9249999999, 0.925, 0.999999999, -0.999999999, 0.2999999, 0.75]) {
      assertClose(bivariateNormalCdf(0, 0, rho), 0.25 + Math.asin(rho) / (2 * Math.PI), 2e-16, `M(0, 0, ${rho})`);
    }
    assertClose(bivariateNormalCdf(0, 0, Math.SQRT1_2), 3 / 8, 2e-16, 'M(0, 0, sqrt(1/2))');
  });

  it('takes the limits rho = 1 (Phi(min(x, y))), rho = -1 (max(0, Phi(x) + Phi(y) - 1)) and rho = 0 (Phi(x) Phi(y))', () => {
    const xs = [-9, -3, -1, -0.2, 0, 0.4, 1.7, 3, 8];
    for (const x of xs) {
      for (const y of xs) {
        assertClose(bivariateNormalCdf(x, y, 1), normCdf(Math.min(x, y)), 2.3e-16, `M(${x}, ${y}, 1)`);
        assertClose(bivariateNormalCdf(x, y, -1), Math.max(0, normCdf(x) - normCdf(-y)), 2.3e-16, `M(${x}, ${y}, -1)`);
        assertClose(bivariateNormalCdf(x, y, 0), normCdf(x) * normCdf(y), 2.3e-16, `M(${x}, ${y}, 0)`);
        // And it approaches those limits continuously.
        assertClose(bivariateNormalCdf(x, y, 1 - 1e-12), normCdf(Math.min(x, y)), 1e-6, `M(${x}, ${y}, 1 - 1e-12)`);
        assertClose(
          bivariateNormalCdf(x, y, -1 + 1e-12),
          Math.max(0, normCdf(x) - normCdf(-y)),
          1e-6,
          `M(${x}, ${y}, -1 + 1e-12)`,
        );
      }
    }
  });

  it("is continuous across the branch points of Genz's method (|rho| = 0.3, 0.75, 0.925)", () => {
    const xs = [-4, -1.3, -0.2, 0.5, 2.2, 5];
    for (const edge of [0.3, 0.75, 0.925, -0.3, -0.75, -0.925]) {
      for (const x of xs) {
        for (const y of xs) {
          const below = bivariateNormalCdf(x, y, edge - 1e-15);
          const above = bivariateNormalCdf(x, y, edge + 1e-15);
          assertClose(above, below, 1e-14, `M(${x}, ${y}, ${edge} -+ 1e-15)`);
        }
      }
    }
  });

  it('is symmetric in its two arguments and satisfies M(x, y, rho) + M(x, -y, -rho) = Phi(x)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -10, max: 10, noNaN: true }),
        fc.double({ min: -10, max: 10, noNaN: true }),
        fc.double({ min: -1, max: 1, noNaN: true }),
        (x, y, rho) => {
          const m = bivariateNormalCdf(x, y, rho);
          assertClose(bivariateNormalCdf(y, x, rho), m, 1e-15, `M(${y}, ${x}, ${rho}) vs M(${x}, ${y}, ${rho})`);
          assertClose(
            m + bivariateNormalCdf(x, -y, -rho),
            normCdf(x),
            2e-15,
            `M(${x}, ${y}, ${rho}) + M(${x}, ${-y}, ${-rho})`,
          );
        },
      ),
      { numRuns: 2000, seed: 20240229 },
    );
  });

  it('lies within the Frechet bounds and increases in x, in y and in rho', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -8, max: 8, noNaN: true }),
        fc.double({ min: -8, max: 8, noNaN: true }),
        fc.double({ min: -1, max: 1, noNaN: true }),
        fc.double({ min: 1e-3, max: 1, noNaN: true }),
        (x, y, rho, step) => {
          const m = bivariateNormalCdf(x, y, rho);
          const px = normCdf(x);
          const py = normCdf(y);
          const context = `x=${x}, y=${y}, rho=${rho}, step=${step}: M=${m}`;
          assert.ok(
            m >= Math.max(0, px + py - 1) - 1e-15 && m <= Math.min(px, py) + 1e-15,
            `${context} outside the Frechet bounds`,
          );
          assert.ok(bivariateNormalCdf(x + step, y, rho) >= m - 1e-15, `${context}: decreases in x`);
          assert.ok(bivariateNormalCdf(x, y + step, rho) >= m - 1e-15, `${context}: decreases in y`);
          const rhoUp = Math.min(1, rho + step / 10);
          assert.ok(bivariateNormalCdf(x, y, rhoUp) >= m - 1e-15, `${context}: decreases in rho (to ${rhoUp})`);
        },
      ),
      { numRuns: 2000, seed: 1978 },
    );
  });

  it('agrees with the test oracle (adaptive quadrature of the conditioning integral) on random points', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -7, max: 7, noNaN: true }),
        fc.double({ min: -7, max: 7, noNaN: true }),
        fc.double({ min: -0.9999, max: 0.9999, noNaN: true }),
        (x, y, rho) => {
          assertClose(bivariateNormalCdf(x, y, rho), oracleBivariateNormal(x, y, rho), 2e-15, `M(${x}, ${y}, ${rho})`);
        },
      ),
      { numRuns: 60, seed: 2004 },
    );
  });

  it('handles infinite limits, propagates NaN and refuses a correlation outside [-1, 1]', () => {
    assert.equal(bivariateNormalCdf(Number.NEGATIVE_INFINITY, 0.3, 0.5), 0);
    assert.equal(bivariateNormalCdf(0.3, Number.NEGATIVE_INFINITY, -0.95), 0);
    assert.equal(bivariateNormalCdf(Number.POSITIVE_INFINITY, 0.3, 0.5), normCdf(0.3));
    assert.equal(bivariateNormalCdf(-1.2, Number.POSITIVE_INFINITY, 0.99), normCdf(-1.2));
    assert.equal(bivariateNormalCdf(Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY, 0.2), 1);
    assert.ok(Number.isNaN(bivariateNormalCdf(Number.NaN, 0, 0.5)));
    assert.ok(Number.isNaN(bivariateNormalCdf(0, Number.NaN, 0.95)));
    for (const rho of [1.0000001, -1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(
        () => bivariateNormalCdf(0, 0, rho),
        (e: unknown) => e instanceof CoreError && e.code === 'ERR_CORE_INVALID_INPUT' && e.param === 'rho',
        `rho = ${rho}`,
      );
    }
  });
});

describe('bivariateNormalCdfAtCorrelation', () => {
  it("returns the same numbers as bivariateNormalCdf at its fixed correlation, on each of Genz's rules and beyond 0.925", () => {
    const xs = [-6, -2.5, -0.7, 0, 0.35, 1.9, 4.5];
    for (const rho of [0.1, -0.2, 0.5, -0.7, 0.7861513777574233, -0.7861513777574233, 0.95, -0.999]) {
      const m = bivariateNormalCdfAtCorrelation(rho);
      for (const x of xs) {
        for (const y of xs) {
          assertClose(m(x, y), bivariateNormalCdf(x, y, rho), 2e-16, `rho=${rho}, x=${x}, y=${y}`);
        }
      }
      assert.equal(m(Number.NEGATIVE_INFINITY, 1), 0);
      assert.equal(m(Number.POSITIVE_INFINITY, 1), normCdf(1));
    }
  });

  it("at the Bjerksund-Stensland (2002) correlation +-sqrt((sqrt 5 - 1) / 2), its 14-point rule agrees with Genz's 20-point rule to 3e-16 over x, y in [-12, 12]", () => {
    const rho = Math.sqrt((Math.sqrt(5) - 1) / 2);
    for (const r of [rho, -rho]) {
      const m = bivariateNormalCdfAtCorrelation(r, BS2002_QUADRATURE_POINTS);
      for (let x = -12; x <= 12; x += 0.25) {
        for (let y = -12; y <= 12; y += 0.25) {
          assertClose(m(x, y), bivariateNormalCdf(x, y, r), 3e-16, `rho=${r}, x=${x}, y=${y}`);
        }
      }
    }
  });
});

describe('plackettIntegralAtCorrelation', () => {
  it('is M(x, y, rho) - Phi(x) Phi(y) and refuses |rho| >= 0.925, where Genz integrates a different form', () => {
    const p = plackettIntegralAtCorrelation(0.6);
    for (const [x, y] of [
      [0.3, -1.2],
      [-2, -2],
      [4, 0.1],
    ]) {
      assertClose(p(x!, y!) + normCdf(x!) * normCdf(y!), bivariateNormalCdf(x!, y!, 0.6), 2e-16, `x=${x}, y=${y}`);
    }
    assert.throws(
      () => plackettIntegralAtCorrelation(0.95),
      (e: unknown) => e instanceof CoreError && e.param === 'rho',
    );
  });
});
