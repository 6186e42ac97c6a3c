import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { delaunay } from '../../../src/core/math/delaunay.js';
import { inCircle, orient2d } from '../../../src/core/math/geometry-predicates.js';
import { xorshift32 } from '../../../bench/support/xorshift32.js';

type Points = { xs: number[]; ys: number[] };

/** Twice the signed area of a, b, c, in exact rationals when the inputs are small integers or dyadic fractions. */
const cross = (p: Points, a: number, b: number, c: number): number =>
  (p.xs[b]! - p.xs[a]!) * (p.ys[c]! - p.ys[a]!) - (p.ys[b]! - p.ys[a]!) * (p.xs[c]! - p.xs[a]!);

/** Convex hull by Andrew's monotone chain, an algorithm independent of the one under test. */
function hullArea(p: Points): number {
  const idx = [...p.xs.keys()].sort((a, b) => p.xs[a]! - p.xs[b]! || p.ys[a]! - p.ys[b]!);
  const chain = (order: number[]): number[] => {
    const out: number[] = [];
    for (const i of order) {
      while (
        out.length >= 2 &&
        orient2d(p.xs[out.at(-2)!]!, p.ys[out.at(-2)!]!, p.xs[out.at(-1)!]!, p.ys[out.at(-1)!]!, p.xs[i]!, p.ys[i]!) <=
          0
      )
        out.pop();
      out.push(i);
    }
    return out;
  };
  const hull = [...chain(idx).slice(0, -1), ...chain([...idx].reverse()).slice(0, -1)];
  let twice = 0;
  for (let k = 0; k < hull.length; k++) {
    const a = hull[k]!,
      b = hull[(k + 1) % hull.length]!;
    twice += p.xs[a]! * p.ys[b]! - p.xs[b]! * p.ys[a]!;
  }
  return twice / 2;
}

/** Checks every property a Delaunay triangulation of p must have; returns the triangle count. */
function assertDelaunay(p: Points): number {
  const { triangles, duplicates } = delaunay(p.xs, p.ys);
  const count = triangles.length / 3;
  let area = 0;
  const used = new Set<number>();
  for (let t = 0; t < count; t++) {
    const a = triangles[3 * t]!,
      b = triangles[3 * t + 1]!,
      c = triangles[3 * t + 2]!;
    assert.equal(
      orient2d(p.xs[a]!, p.ys[a]!, p.xs[b]!, p.ys[b]!, p.xs[c]!, p.ys[c]!),
      1,
      `triangle ${t} is not counter-clockwise`,
    );
    area += cross(p, a, b, c) / 2;
    used.add(a).add(b).add(c);
  }
  // Delaunay: no input point strictly inside any triangle's circumcircle (exact predicate).
  for (let t = 0; t < count; t++) {
    const a = triangles[3 * t]!,
      b = triangles[3 * t + 1]!,
      c = triangles[3 * t + 2]!;
    for (let i = 0; i < p.xs.length; i++) {
      assert.ok(
        inCircle(p.xs[a]!, p.ys[a]!, p.xs[b]!, p.ys[b]!, p.xs[c]!, p.ys[c]!, p.xs[i]!, p.ys[i]!) <= 0,
        `point ${i} inside circumcircle of triangle ${t}`,
      );
    }
  }
  // The triangles tile the hull: same total area (relative rounding only), and every distinct point is a vertex.
  const hull = hullArea(p);
  assert.ok(Math.abs(area - hull) <= 1e-12 * hull, `triangle area ${area} vs hull ${hull}`);
  const distinct = new Set(p.xs.map((x, i) => `${x},${p.ys[i]!}`)).size;
  assert.equal(used.size, distinct);
  assert.equal(duplicates.length, p.xs.length - distinct);
  // Euler: a triangulation of v vertices with h on the hull boundary has 2v - 2 - h triangles; with hull points on
  // edges counted as vertices, this bounds the count from above.
  assert.ok(count <= 2 * distinct - 5);
  return count;
}

function random(n: number, seed: number): Points {
  const rnd = xorshift32(seed);
  const xs: number[] = [],
    ys: number[] = [];
  for (let i = 0; i < n; i++) {
    xs.push(50 + 150 * rnd());
    ys.push(0.05 + 2.95 * rnd());
  }
  return { xs, ys };
}

describe('delaunay', () => {
  it('is a Delaunay triangulation of random scattered points covering their hull (10 to 3,000 points)', () => {
    for (const [n, seed] of [
      [10, 1],
      [100, 2],
      [500, 3],
      [3000, 4],
    ] as const)
      assertDelaunay(random(n, seed));
  });

  it('triangulates a full grid (every four neighbours cocircular) into 2 (w-1)(h-1) triangles', () => {
    const xs: number[] = [],
      ys: number[] = [];
    for (let i = 0; i < 40; i++)
      for (let j = 0; j < 25; j++) {
        xs.push(50 + 2 * i);
        ys.push(0.05 + 0.06 * j);
      }
    assert.equal(assertDelaunay({ xs, ys }), 2 * 39 * 24);
  });

  it('handles points on a circle, on the hull edges and on lines', () => {
    const circle = { xs: [] as number[], ys: [] as number[] };
    for (let k = 0; k < 64; k++) {
      circle.xs.push(Math.cos((2 * Math.PI * k) / 64));
      circle.ys.push(Math.sin((2 * Math.PI * k) / 64));
    }
    assertDelaunay(circle);
    // A square with many points along each side and a few inside.
    const square = { xs: [] as number[], ys: [] as number[] };
    for (let k = 0; k <= 20; k++) {
      square.xs.push(k, 20, 20 - k, 0);
      square.ys.push(0, k, 20, 20 - k);
    }
    square.xs.push(5, 13, 7);
    square.ys.push(5, 2, 16);
    assertDelaunay(square);
    // Two parallel lines: every triangle joins them.
    assertDelaunay({ xs: [0, 1, 2, 3, 4, 0.5, 1.5, 2.5], ys: [0, 0, 0, 0, 0, 1, 1, 1] });
    // Many strikes on two maturities (spans 150 and 1, as a real surface's): all cocircular quadruples.
    const lines = { xs: [] as number[], ys: [] as number[] };
    for (let k = 0; k < 400; k++) {
      lines.xs.push(50 + 0.375 * (k >> 1));
      lines.ys.push(k & 1 ? 2 : 1);
    }
    assert.equal(assertDelaunay(lines), 398);
  });

  it('returns no triangle when the points are all collinear, and skips exact duplicates', () => {
    assert.equal(delaunay([1, 2, 3, 4], [2, 4, 6, 8]).triangles.length, 0);
    assert.equal(delaunay([0.1, 0.2, 0.30000000000000004], [0.1, 0.2, 0.30000000000000004]).triangles.length, 0);
    assert.equal(delaunay([5, 5, 5], [1, 1, 1]).triangles.length, 0);
    assert.deepEqual(delaunay([5, 5, 5], [1, 1, 1]).duplicates.length, 2);
    assert.equal(delaunay([], []).triangles.length, 0);
    assert.throws(() => delaunay([0, 1, Number.NaN], [0, 1, 0]), /point 2 is not finite/);
    assert.throws(() => delaunay([0, 1, 0], [0, 1, Infinity]), /point 2 is not finite/);
    // 0.1 + 0.2 is not collinear with 0.1 and 0.2 on y = x once rounded: exact orientation sees the tiny triangle.
    assert.equal(delaunay([0.1, 0.2, 0.3], [0.1, 0.2, 0.30000000000000004]).triangles.length, 3);
    const dup = { xs: [0, 1, 0, 1, 0, 0.5, 1], ys: [0, 0, 1, 1, 0, 0.5, 1] };
    assert.equal(assertDelaunay(dup), 4);
    assert.deepEqual([...delaunay(dup.xs, dup.ys).duplicates].sort(), [4, 6]);
  });

  it('keeps the Delaunay property on arbitrary small inputs, snapped to a coarse lattice to force degeneracies', () => {
    const coordinate = fc.integer({ min: 0, max: 6 }).map((k) => k / 4);
    fc.assert(
      fc.property(fc.array(fc.tuple(coordinate, coordinate), { minLength: 0, maxLength: 30 }), (pts) => {
        const p = { xs: pts.map(([x]) => x), ys: pts.map(([, y]) => y) };
        const distinct = new Set(pts.map(([x, y]) => `${x},${y}`)).size;
        const { triangles } = delaunay(p.xs, p.ys);
        if (triangles.length === 0) {
          // Only when there are no three non-collinear points.
          for (let a = 0; a < p.xs.length; a++)
            for (let b = 0; b < p.xs.length; b++)
              for (let c = 0; c < p.xs.length; c++) assert.ok(cross(p, a, b, c) === 0);
          return;
        }
        assert.ok(distinct >= 3);
        assertDelaunay(p);
      }),
      { numRuns: 300 },
    );
  });
});

describe('geometry predicates', () => {
  it('decide near-degenerate cases exactly', () => {
    // Points on y = x perturbed by one ulp: floating-point evaluation of the determinant is 0 or has the wrong sign.
    const e = 2 ** -52;
    assert.equal(orient2d(0.5, 0.5, 12, 12, 24, 24), 0);
    assert.equal(orient2d(0.5, 0.5 + e / 2, 12, 12, 24, 24), 1);
    assert.equal(orient2d(0.5, 0.5 - e / 2, 12, 12, 24, 24), -1);
    // Cocircular: (±1, 0), (0, ±1); then nudged by an ulp in and out.
    assert.equal(inCircle(1, 0, 0, 1, -1, 0, 0, -1), 0);
    assert.equal(inCircle(1, 0, 0, 1, -1, 0, 0, -1 + e), 1);
    assert.equal(inCircle(1, 0, 0, 1, -1, 0, 0, -1 - 2 * e), -1);
    assert.equal(inCircle(1e6, 0, 0, 1e6, -1e6, 0, 0, -1e6 + 1e-10), 1);
    // Subnormal and huge magnitudes, where the floating-point products underflow or the scaling needs 2^1074.
    assert.equal(orient2d(0, 0, 1e-310, 1e-310, 2e-310, 2e-310), 0);
    assert.equal(orient2d(0, 0, 1e-310, 1e-310, 2e-310, 2e-310 + 5e-324), 1);
    assert.equal(orient2d(5e-324, 0, 1e300, 1e300, 0, 1e-300), 1);
    assert.equal(inCircle(1e-310, 0, 0, 1e-310, -1e-310, 0, 0, -1e-310), 0);
  });
});
