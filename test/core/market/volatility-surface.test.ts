import { describe, it } from 'node:test';
import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { VolatilitySurface, type VolatilityPoint } from '../../../src/core/market/volatility-surface.js';
import { CoreError } from '../../../src/core/errors.js';

const point = (strike: number, maturity: number, volatility: number): VolatilityPoint => ({
  strike,
  maturity,
  volatility,
  timestamp: 0,
  source: 'test',
});

function build(points: VolatilityPoint[]): VolatilitySurface {
  return points.reduce((s, p) => s.upsert(p), new VolatilitySurface());
}

/** A plane in (strike, maturity): bilinear and triangulated linear interpolation both reproduce it exactly. */
const plane = (k: number, t: number): number => 0.1 + 0.001 * k + 0.05 * t;

describe('VolatilitySurface', () => {
  it('answers 0.20 with fewer than 4 points', () => {
    const s = build([point(90, 1, 0.3), point(100, 1, 0.25), point(110, 1, 0.22)]);
    assert.deepEqual(s.estimate(100, 1), { volatility: 0.2, method: 'default' });
  });

  it('replaces the point at the same strike and maturity (within 1e-9)', () => {
    const s = build([point(100, 1, 0.3), point(100 + 5e-10, 1, 0.25)]);
    assert.equal(s.points.length, 1);
    assert.equal(s.points[0]!.volatility, 0.25);
    assert.equal(build([point(100, 1, 0.3), point(100 + 1e-6, 1, 0.25)]).points.length, 2);
  });

  it('refuses volatilities outside [0.01, 5.0] naming the field', () => {
    const s = new VolatilitySurface();
    for (const bad of [0.009, 5.01, Number.NaN, Infinity]) {
      assert.throws(
        () => s.upsert(point(100, 1, bad)),
        (e: unknown) => e instanceof CoreError && e.param === 'volatility',
      );
    }
    assert.equal(s.upsert(point(100, 1, 0.01)).points.length, 1);
    assert.equal(s.upsert(point(100, 1, 5)).points.length, 1);
  });

  it('interpolates bilinearly on a full grid', () => {
    const grid: VolatilityPoint[] = [];
    for (const k of [80, 100, 120]) for (const t of [0.25, 1, 2]) grid.push(point(k, t, plane(k, t)));
    const s = build(grid);
    const e = s.estimate(95, 0.6);
    assert.equal(e.method, 'bilinear');
    assert.ok(Math.abs(e.volatility - plane(95, 0.6)) < 1e-15);
    // Bilinear is not a plane in general: a saddle checks the cross term.
    const saddle = build([point(0.5, 1, 0.2), point(1.5, 1, 0.4), point(0.5, 2, 0.4), point(1.5, 2, 0.2)]);
    assert.ok(Math.abs(saddle.estimate(1, 1.5).volatility - 0.3) < 1e-15);
    assert.ok(
      Math.abs(saddle.estimate(0.75, 1.25).volatility - (0.2 * 0.5625 + 0.4 * 0.1875 + 0.4 * 0.1875 + 0.2 * 0.0625)) <
        1e-15,
    );
  });

  it('uses triangulated linear interpolation when the grid has holes, exact on a plane', () => {
    const pts = [
      point(80, 0.25, plane(80, 0.25)),
      point(120, 0.25, plane(120, 0.25)),
      point(80, 2, plane(80, 2)),
      point(120, 2, plane(120, 2)),
      point(100, 1, plane(100, 1)),
      point(90, 1.5, plane(90, 1.5)),
    ];
    const s = build(pts);
    fc.assert(
      fc.property(
        fc.double({ min: 80, max: 120, noNaN: true }),
        fc.double({ min: 0.25, max: 2, noNaN: true }),
        (k, t) => {
          const e = s.estimate(k, t);
          assert.equal(e.method, 'triangulated', `k=${k} t=${t}`);
          assert.ok(
            Math.abs(e.volatility - plane(k, t)) < 1e-12,
            `k=${k} t=${t} got ${e.volatility} want ${plane(k, t)}`,
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('takes the nearest point outside the grid or the hull', () => {
    const grid = build([point(80, 1, 0.3), point(120, 1, 0.2), point(80, 2, 0.28), point(120, 2, 0.18)]);
    assert.deepEqual(grid.estimate(200, 1.1), { volatility: 0.2, method: 'nearest' });
    const scattered = build([point(80, 1, 0.3), point(120, 1, 0.2), point(100, 2, 0.25), point(100, 1.5, 0.26)]);
    assert.deepEqual(scattered.estimate(60, 1), { volatility: 0.3, method: 'nearest' });
  });

  it('falls back to inverse-distance weighting of the 5 nearest points when interpolation leaves [0.01, 3.0]', () => {
    // Bilinear between 4.9 and 0.01 gives > 3.0 near the 4.9 corner, which the fallback replaces.
    const s = build([
      point(100, 1, 4.9),
      point(110, 1, 4.9),
      point(100, 2, 0.01),
      point(110, 2, 0.01),
      point(130, 3, 0.5),
      point(140, 3, 0.5),
    ]);
    const e = s.estimate(101, 1.1, 120);
    assert.equal(e.method, 'inverse-distance');
    // Recompute the weighting independently: strike distance over max(K, spot), maturity distance over T,
    // weight 1 / (d^2 + 1e-6) (docs/api.md, "Volatility surface").
    const pts = s.points
      .map((p) => ({ v: p.volatility, d2: ((p.strike - 101) / 120) ** 2 + ((p.maturity - 1.1) / 1.1) ** 2 }))
      .sort((a, b) => a.d2 - b.d2)
      .slice(0, 5);
    const want =
      pts.reduce((acc, p) => acc + p.v / (p.d2 + 1e-6), 0) / pts.reduce((acc, p) => acc + 1 / (p.d2 + 1e-6), 0);
    assert.ok(Math.abs(e.volatility - want) < 1e-15, `${e.volatility} vs ${want}`);
  });

  it('weights the fallback as the Python service did: 3.968 on the 2 x 2 grid of vols 3.5-5.0 at (100, 1)', () => {
    const s = build([point(80, 0.5, 4.0), point(120, 0.5, 3.5), point(80, 2, 4.5), point(120, 2, 5.0)]);
    const e = s.estimate(100, 1, 100);
    assert.equal(e.method, 'inverse-distance');
    assert.equal(e.volatility.toFixed(3), '3.968');
  });

  it('interpolates linearly on the Delaunay triangulation over the whole hull (0.316667 at (110, 0.75))', () => {
    const s = build([
      point(110, 0.25, 0.2),
      point(140, 0.25, 0.3),
      point(120, 0.5, 0.25),
      point(70, 1.5, 0.4),
      point(100, 0.5, 0.22),
    ]);
    const e = s.estimate(110, 0.75);
    assert.equal(e.method, 'triangulated');
    assert.ok(Math.abs(e.volatility - 0.95 / 3) < 1e-12, `${e.volatility}`);
  });

  it('interpolates linearly in strike when every point has one maturity, flat outside', () => {
    const s = build([80, 90, 100, 110, 120].map((k, i) => point(k, 1, [0.25, 0.22, 0.2, 0.19, 0.21][i]!)));
    assert.deepEqual(s.estimate(95, 3), { volatility: 0.21000000000000002, method: 'linear' });
    assert.equal(s.estimate(70, 1).volatility, 0.25);
    assert.equal(s.estimate(130, 1).volatility, 0.21);
  });

  it('refuses a new point past maxPoints but still replaces existing ones', () => {
    let s = new VolatilitySurface([], { maxPoints: 2 });
    s = s.upsert(point(100, 1, 0.2)).upsert(point(110, 1, 0.2));
    assert.throws(
      () => s.upsert(point(120, 1, 0.2)),
      (e: unknown) => e instanceof CoreError && e.param === 'points',
    );
    assert.equal(s.upsert(point(110, 1, 0.3)).points[1]!.volatility, 0.3);
  });

  it('always answers a finite volatility inside [0.01, 5] for any surface of valid points', () => {
    const arbPoint = fc.record({
      strike: fc.double({ min: 1, max: 500, noNaN: true }),
      maturity: fc.double({ min: 0.01, max: 10, noNaN: true }),
      volatility: fc.double({ min: 0.01, max: 5, noNaN: true }),
    });
    fc.assert(
      fc.property(
        fc.array(arbPoint, { minLength: 0, maxLength: 25 }),
        fc.double({ min: 0.5, max: 600, noNaN: true }),
        fc.double({ min: 0.001, max: 12, noNaN: true }),
        (pts, k, t) => {
          const s = build(pts.map((p) => point(p.strike, p.maturity, p.volatility)));
          const v = s.estimate(k, t).volatility;
          assert.ok(Number.isFinite(v) && v >= 0.01 && v <= 5, `got ${v}`);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('VolatilitySurface at the extremes the HTTP schemas allow', () => {
  it('keeps the inverse-distance fallback finite when the distances overflow (maturity or strike of 1e-300)', () => {
    // Volatilities above ESTIMATE_CEILING (3.0) send every estimate to the fallback.
    const s = build([point(90, 0.5, 4), point(110, 0.5, 4), point(90, 1, 4), point(110, 1, 4)]);
    for (const [k, t, spot] of [
      [100, 1e-300, 100],
      [100, 5e-324, 100],
      [1e-300, 0.75, 1e-300],
      [5e-324, 5e-324, 5e-324],
    ] as const) {
      assert.deepEqual(s.estimate(k, t, spot), { volatility: 4, method: 'inverse-distance' }, `${k}, ${t}, ${spot}`);
    }
  });

  it("keeps the fallback's weighted mean inside its points' volatilities (rounding left 0.01s at 0.009999999999999998)", () => {
    // Found by the property below before the fix: four points of volatility 0.01 at one tiny strike.
    const s = new VolatilitySurface([
      point(5e-324, 50, 0.01),
      point(5e-324, 0.5, 0.01),
      point(5e-324, 4.5457726076984367e-188, 0.01),
      point(5e-324, 1e-9, 0.01),
    ]);
    assert.equal(s.estimate(5e-324, 5e-324, 5e-324).volatility, 0.01);
  });

  it('answers a finite volatility inside [0.01, 5] for any points and query in the schemas ranges', () => {
    const positive = (max: number, special: number[]) =>
      fc.oneof(fc.double({ min: Number.MIN_VALUE, max, noNaN: true }), fc.constantFrom(...special));
    const strike = positive(1e9, [5e-324, 1e-300, 1e-9, 1, 100, 1e9]);
    const maturity = positive(50, [5e-324, 1e-300, 1e-9, 0.5, 50]);
    const vol = fc.oneof(fc.double({ min: 0.01, max: 5, noNaN: true }), fc.constantFrom(0.01, 5));
    fc.assert(
      fc.property(
        fc.array(fc.record({ strike, maturity, vol }), { maxLength: 30 }),
        strike,
        maturity,
        strike,
        (pts, k, t, spot) => {
          const v = build(pts.map((p) => point(p.strike, p.maturity, p.vol))).estimate(k, t, spot).volatility;
          assert.ok(Number.isFinite(v) && v >= 0.01 && v <= 5, `got ${v}`);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('VolatilitySurface against scipy griddata (test/core/reference/generate-scipy-griddata.py)', () => {
  interface Reference {
    readonly surfaces: readonly {
      points: [number, number, number][];
      queries: { strike: number; maturity: number; linear: number | null; nearest: number }[];
    }[];
  }
  const reference = JSON.parse(
    readFileSync(new URL('../reference/scipy-griddata.json', import.meta.url), 'utf8'),
  ) as Reference;

  it('matches linear interpolation inside the hull and the nearest point outside, on every random surface', () => {
    let inside = 0;
    for (const [n, surface] of reference.surfaces.entries()) {
      const s = new VolatilitySurface(surface.points.map(([k, t, v]) => point(k, t, v)));
      for (const q of surface.queries) {
        const e = s.estimate(q.strike, q.maturity);
        const label = `surface ${n} at (${q.strike}, ${q.maturity})`;
        if (q.linear === null) {
          assert.deepEqual(e, { volatility: q.nearest, method: 'nearest' }, label);
        } else {
          inside += 1;
          assert.equal(e.method, 'triangulated', label);
          assert.ok(Math.abs(e.volatility - q.linear) <= 1e-12, `${label}: ${e.volatility} vs scipy ${q.linear}`);
        }
      }
    }
    assert.ok(inside > 1000, `only ${inside} in-hull queries`);
  });

  it('matches it on degenerate sets: collinear hull points, rows of one maturity, an almost flat hull (generate-scipy-griddata-degenerate.py)', () => {
    const degenerate = JSON.parse(
      readFileSync(new URL('../reference/scipy-griddata-degenerate.json', import.meta.url), 'utf8'),
    ) as { readonly surfaces: readonly (Reference['surfaces'][number] & { name: string })[] };
    let inside = 0;
    for (const [n, surface] of degenerate.surfaces.entries()) {
      const s = new VolatilitySurface(surface.points.map(([k, t, v]) => point(k, t, v)));
      for (const q of surface.queries) {
        const e = s.estimate(q.strike, q.maturity);
        const label = `${surface.name} (${n}) at (${q.strike}, ${q.maturity})`;
        if (q.linear === null) {
          assert.deepEqual(e, { volatility: q.nearest, method: 'nearest' }, label);
        } else {
          inside += 1;
          assert.equal(e.method, 'triangulated', label);
          assert.ok(Math.abs(e.volatility - q.linear) <= 1e-12, `${label}: ${e.volatility} vs scipy ${q.linear}`);
        }
      }
    }
    assert.ok(inside > 500, `only ${inside} in-hull queries`);
  });
});
