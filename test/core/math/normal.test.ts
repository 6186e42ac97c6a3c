import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { erf, erfc, erfcx, millsRatio, millsRatioDerivative, normCdf, normPdf } from '../../../src/core/math/normal.js';

/** mpmath at 50 digits, rounded to doubles: see test/core/reference/generate-mpmath-normal.py. */
interface NormalReference {
  source: string;
  normal: [x: number, cdf: number, pdf: number][];
  erfc: [x: number, value: number][];
  erfcx: [x: number, value: number][];
  mills: [x: number, ratio: number, derivative: number][];
}
const reference = JSON.parse(
  readFileSync(new URL('../reference/mpmath-normal.json', import.meta.url), 'utf8'),
) as NormalReference;

const EPS = 2 ** -52;
/** Below this the reference itself is subnormal and carries fewer significant bits. */
const MIN_NORMAL = 2.2250738585072014e-308;

/** Relative error in units of 2^-52; where the reference is subnormal, a few units of the smallest subnormal. */
function check(name: string, x: number, got: number, want: number, ulps: number): void {
  if (Math.abs(want) < MIN_NORMAL) {
    assert.ok(
      Math.abs(got - want) <= 8 * Number.MIN_VALUE,
      `${name}(${x}) = ${got}, mpmath ${want} (subnormal: absolute error ${Math.abs(got - want)})`,
    );
    return;
  }
  const err = Math.abs(got - want) / Math.abs(want) / EPS;
  assert.ok(
    err <= ulps,
    `${name}(${x}) = ${got}, mpmath ${want}: ${err.toFixed(2)} ulps > ${ulps} (${reference.source})`,
  );
}

describe('normCdf and normPdf', () => {
  it('match mpmath to 3 ulps from x = -38.5 to 8.5, including the whole representable lower tail', () => {
    for (const [x, cdf, pdf] of reference.normal) {
      check('normCdf', x, normCdf(x), cdf, 3);
      check('normPdf', x, normPdf(x), pdf, 3);
    }
  });

  it('keeps full relative accuracy deep in the lower tail instead of rounding to 0', () => {
    assert.ok(Math.abs(normCdf(-10) / 7.619853024160527e-24 - 1) < 1e-15, String(normCdf(-10)));
    // mpmath: Phi(-38) = 2.8854e-316, a subnormal double with ~9 significant bits fewer than normal.
    assert.ok(normCdf(-38) > 2.88e-316 && normCdf(-38) < 2.89e-316, String(normCdf(-38)));
    assert.equal(normCdf(-39), 0);
    assert.equal(normCdf(-Infinity), 0);
    assert.equal(normCdf(Infinity), 1);
    assert.equal(normPdf(Infinity), 0);
  });

  it('satisfies Phi(x) + Phi(-x) = 1 to an ulp of 1', () => {
    for (let x = 0; x <= 12; x += 1 / 64) {
      assert.ok(Math.abs(normCdf(x) + normCdf(-x) - 1) <= 2 * EPS, `x = ${x}: ${normCdf(x)} + ${normCdf(-x)}`);
    }
  });

  it('is monotone and the density is symmetric', () => {
    let previous = 0;
    for (let x = -38; x <= 9; x += 1 / 128) {
      const p = normCdf(x);
      assert.ok(p >= previous, `Phi decreases at ${x}`);
      previous = p;
      assert.equal(normPdf(x), normPdf(-x));
    }
  });

  it('returns NaN for NaN', () => {
    assert.ok(Number.isNaN(normCdf(NaN)));
    assert.ok(Number.isNaN(normPdf(NaN)));
    assert.ok(Number.isNaN(erfc(NaN)));
    assert.ok(Number.isNaN(erfcx(NaN)));
    assert.ok(Number.isNaN(erf(NaN)));
  });
});

describe('erfc, erfcx and erf', () => {
  it("erfc matches mpmath to 3 ulps on [-6, 27.5], across the boundaries of Cody's intervals", () => {
    for (const [x, value] of reference.erfc) check('erfc', x, erfc(x), value, 3);
  });

  it('erfcx matches mpmath to 3 ulps on [0, 50] and for huge arguments', () => {
    for (const [x, value] of reference.erfcx) check('erfcx', x, erfcx(x), value, 3);
  });

  it('erf is the complement of erfc and odd', () => {
    for (const [x, value] of reference.erfc) {
      if (Math.abs(x) > 6) continue;
      assert.ok(Math.abs(erf(x) - (1 - value)) <= 2 * EPS, `erf(${x}) = ${erf(x)}, 1 - erfc = ${1 - value}`);
      assert.equal(erf(-x), -erf(x));
    }
  });

  it('erfcx for negative arguments is 2 exp(x^2) - erfcx(-x)', () => {
    for (const x of [-0.3, -1, -2.5, -5]) {
      const want = 2 * Math.exp(x * x) - erfcx(-x);
      assert.ok(Math.abs(erfcx(x) / want - 1) < 1e-15, `erfcx(${x})`);
    }
    assert.equal(erfcx(-30), Infinity);
  });
});

describe('millsRatio and millsRatioDerivative', () => {
  it('R(x) = (1 - Phi(x))/phi(x) matches mpmath to 4 ulps on [-0.625, 40]', () => {
    for (const [x, ratio] of reference.mills) check('millsRatio', x, millsRatio(x), ratio, 4);
  });

  it("R'(x) = x R(x) - 1 matches mpmath to 64 ulps, 6 ulps in the far tail where it is formed without cancellation", () => {
    for (const [x, , derivative] of reference.mills) {
      const ulps = x * Math.SQRT1_2 > 4 ? 6 : 64;
      check('millsRatioDerivative', x, millsRatioDerivative(x), derivative, ulps);
    }
  });
});
