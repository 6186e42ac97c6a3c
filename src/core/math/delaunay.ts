import { inCircle, orient2d } from './geometry-predicates.js';

/**
 * Delaunay triangulation of points in the plane: incremental Bowyer-Watson insertion (de Berg et al.,
 * "Computational Geometry", ch. 9; Shewchuk's ghost-triangle treatment of the hull), written here because src/core
 * takes no runtime dependencies (docs/api.md, "Volatility surface").
 *
 * - Points are inserted along a Hilbert curve, and each one is located by walking from the last triangle made, so
 *   a walk is a few steps and the whole build is close to linear in the number of points.
 * - The hull is closed by "ghost" triangles: one per hull edge, joining it to a vertex at infinity. A point outside
 *   the hull then lands in a ghost triangle, and insertion needs no special case for it.
 * - Orientation and in-circle signs are exact (./geometry-predicates.ts), so collinear and cocircular inputs cannot
 *   tangle the mesh. A point equal to an earlier one is skipped; when all points are collinear there is no
 *   triangle, and the result is empty.
 */

export interface Triangulation {
  /** Vertex indices into the input, three per triangle, each triple counter-clockwise. */
  readonly triangles: Uint32Array;
  /** Indices of input points skipped because an earlier point has the same coordinates. */
  readonly duplicates: readonly number[];
}

/** Cap on a walk's steps before falling back to a scan of every triangle (never reached on a Delaunay mesh). */
const WALK_LIMIT_FACTOR = 4;
const HILBERT_ORDER = 16;

/** Position of (x, y) in [0, 2^order)^2 along a Hilbert curve. */
function hilbertIndex(x: number, y: number, order: number): number {
  let index = 0;
  let px = x,
    py = y;
  for (let s = 1 << (order - 1); s > 0; s >>= 1) {
    const rx = (px & s) > 0 ? 1 : 0;
    const ry = (py & s) > 0 ? 1 : 0;
    index += s * s * ((3 * rx) ^ ry);
    // Rotate the quadrant so that the curve inside it starts and ends where its parent expects.
    if (ry === 0) {
      if (rx === 1) {
        px = s - 1 - px;
        py = s - 1 - py;
      }
      const t = px;
      px = py;
      py = t;
    }
  }
  return index;
}

function hilbertOrder(xs: ArrayLike<number>, ys: ArrayLike<number>): number[] {
  const n = xs.length;
  let minX = Infinity,
    maxX = -Infinity,
    minY = Infinity,
    maxY = -Infinity;
  for (let i = 0; i < n; i++) {
    minX = Math.min(minX, xs[i]!);
    maxX = Math.max(maxX, xs[i]!);
    minY = Math.min(minY, ys[i]!);
    maxY = Math.max(maxY, ys[i]!);
  }
  // One scale for both axes: the triangulation lives in the raw coordinates (strikes span ~100, maturities ~1), and
  // stretching the short axis to a square would make the curve visit long thin strips, whose points then each
  // conflict with a long fan of slivers (quadratic time on points along a few lines).
  const span = Math.max(maxX - minX, maxY - minY);
  const scale = span > 0 ? ((1 << HILBERT_ORDER) - 1) / span : 0;
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++)
    keys[i] = hilbertIndex(Math.floor((xs[i]! - minX) * scale), Math.floor((ys[i]! - minY) * scale), HILBERT_ORDER);
  const order = Array.from({ length: n }, (_, i) => i);
  // Ties (equal keys) keep input order, so the result does not depend on the sort's stability details.
  return order.sort((a, b) => keys[a]! - keys[b]! || a - b);
}

/** Half-edge e runs from vertex[e] to vertex[next(e)] inside triangle floor(e / 3); twin[e] is the reverse edge. */
const next = (e: number): number => (e % 3 === 2 ? e - 2 : e + 1);

class Mesh {
  readonly vertex: Int32Array;
  readonly twin: Int32Array;
  count = 0;
  /** Index of the vertex at infinity shared by every ghost triangle. */
  readonly ghost: number;
  private readonly mark: Int32Array;
  private stamp = 0;
  private readonly stack: number[] = [];
  private readonly boundary: number[] = [];
  private readonly startingAt: Int32Array;
  private readonly freeSlots: number[] = [];
  private seed = 1;

  constructor(
    private readonly xs: ArrayLike<number>,
    private readonly ys: ArrayLike<number>,
  ) {
    const n = xs.length;
    this.ghost = n;
    // n points make at most 2n - 2 triangles, ghosts included.
    const capacity = Math.max(2 * n, 4);
    this.vertex = new Int32Array(3 * capacity);
    this.twin = new Int32Array(3 * capacity);
    this.mark = new Int32Array(capacity);
    this.startingAt = new Int32Array(n + 1);
  }

  private addTriangle(a: number, b: number, c: number, slot: number): number {
    const t = slot >= 0 ? slot : this.count++;
    this.vertex[3 * t] = a;
    this.vertex[3 * t + 1] = b;
    this.vertex[3 * t + 2] = c;
    return t;
  }

  private link(e: number, f: number): void {
    this.twin[e] = f;
    this.twin[f] = e;
  }

  /** Starts the mesh with the counter-clockwise triangle a, b, c and its three ghosts. */
  start(a: number, b: number, c: number): void {
    const g = this.ghost;
    const t = this.addTriangle(a, b, c, -1);
    const gab = this.addTriangle(b, a, g, -1);
    const gbc = this.addTriangle(c, b, g, -1);
    const gca = this.addTriangle(a, c, g, -1);
    this.link(3 * t, 3 * gab);
    this.link(3 * t + 1, 3 * gbc);
    this.link(3 * t + 2, 3 * gca);
    // Ghost (u, v, g): its edge v -> g meets edge g -> v of the ghost starting at v.
    this.link(3 * gab + 1, 3 * gca + 2);
    this.link(3 * gbc + 1, 3 * gab + 2);
    this.link(3 * gca + 1, 3 * gbc + 2);
  }

  isGhost(t: number): boolean {
    const g = this.ghost;
    return this.vertex[3 * t] === g || this.vertex[3 * t + 1] === g || this.vertex[3 * t + 2] === g;
  }

  /** Whether p lies strictly inside triangle t's circumcircle (for a ghost: strictly beyond its hull edge, or on it). */
  private conflicts(t: number, px: number, py: number): boolean {
    const { xs, ys, vertex, ghost } = this;
    let a = vertex[3 * t]!,
      b = vertex[3 * t + 1]!,
      c = vertex[3 * t + 2]!;
    if (a === ghost) [a, b, c] = [b, c, a];
    else if (b === ghost) [a, b, c] = [c, a, b];
    if (c !== ghost) return inCircle(xs[a]!, ys[a]!, xs[b]!, ys[b]!, xs[c]!, ys[c]!, px, py) > 0;
    // Ghost over hull edge a -> b; the hull's interior is on its right.
    const o = orient2d(xs[a]!, ys[a]!, xs[b]!, ys[b]!, px, py);
    if (o !== 0) return o > 0;
    // Collinear with the hull edge: a conflict when strictly between its ends (a hull edge gets split).
    const ax = xs[a]!,
      ay = ys[a]!,
      bx = xs[b]!,
      by = ys[b]!;
    return ax !== bx ? Math.min(ax, bx) < px && px < Math.max(ax, bx) : Math.min(ay, by) < py && py < Math.max(ay, by);
  }

  private random(): number {
    // Park-Miller: only to vary which edge a walk tries first, which rules out cycling on any mesh.
    this.seed = (this.seed * 48271) % 2147483647;
    return this.seed;
  }

  /**
   * A triangle containing p (a real one, p inside or on its boundary), or the ghost triangle whose hull edge p lies
   * strictly beyond. Walks from triangle `from`, which must be real.
   */
  locate(from: number, px: number, py: number): number {
    const { xs, ys, vertex, twin } = this;
    let t = from;
    const limit = WALK_LIMIT_FACTOR * this.count + 16;
    for (let step = 0; step < limit; step++) {
      const first = this.random() % 3;
      let moved = false;
      for (let k = 0; k < 3; k++) {
        const e = 3 * t + ((first + k) % 3);
        const a = vertex[e]!,
          b = vertex[next(e)]!;
        if (orient2d(xs[a]!, ys[a]!, xs[b]!, ys[b]!, px, py) < 0) {
          t = Math.floor(twin[e]! / 3);
          moved = true;
          break;
        }
      }
      if (!moved || this.isGhost(t)) return t;
    }
    return this.scan(px, py);
  }

  private scan(px: number, py: number): number {
    for (let t = 0; t < this.count; t++) {
      if (this.isGhost(t)) continue;
      let inside = true;
      for (let k = 0; k < 3 && inside; k++) {
        const a = this.vertex[3 * t + k]!,
          b = this.vertex[3 * t + ((k + 1) % 3)]!;
        inside = orient2d(this.xs[a]!, this.ys[a]!, this.xs[b]!, this.ys[b]!, px, py) >= 0;
      }
      if (inside) return t;
    }
    for (let t = 0; t < this.count; t++) if (this.isGhost(t) && this.conflicts(t, px, py)) return t;
    throw new Error('Delaunay: point location failed');
  }

  /** Whether real triangle t has a vertex at exactly (px, py). */
  hasVertexAt(t: number, px: number, py: number): boolean {
    for (let k = 0; k < 3; k++) {
      const v = this.vertex[3 * t + k]!;
      if (this.xs[v] === px && this.ys[v] === py) return true;
    }
    return false;
  }

  /**
   * Inserts point p, given a triangle in conflict with it: removes every triangle whose circumcircle holds p (they
   * form a region star-shaped from p) and fans the region's boundary to p. Returns a real triangle at p.
   */
  insert(p: number, seedTriangle: number): number {
    const { vertex, twin, mark, stack, boundary } = this;
    const px = this.xs[p]!,
      py = this.ys[p]!;
    const stamp = ++this.stamp;
    stack.length = 0;
    boundary.length = 0;
    this.freeSlots.length = 0;
    mark[seedTriangle] = stamp;
    stack.push(seedTriangle);
    while (stack.length > 0) {
      const t = stack.pop()!;
      this.freeSlots.push(t);
      for (let k = 0; k < 3; k++) {
        const e = 3 * t + k;
        const outside = twin[e]!;
        const n = Math.floor(outside / 3);
        if (mark[n] === stamp) continue;
        if (this.conflicts(n, px, py)) {
          mark[n] = stamp;
          stack.push(n);
        } else {
          boundary.push(e);
        }
      }
    }
    // Read each boundary edge's ends and outer twin before any slot is overwritten.
    const edges: number[] = [];
    for (const e of boundary) edges.push(vertex[e]!, vertex[next(e)]!, twin[e]!);
    let realAtP = -1;
    const made: number[] = [];
    for (let i = 0; i < edges.length; i += 3) {
      const u = edges[i]!,
        v = edges[i + 1]!,
        outside = edges[i + 2]!;
      const t = this.addTriangle(u, v, p, this.freeSlots.pop() ?? -1);
      this.link(3 * t, outside);
      this.startingAt[u] = t;
      made.push(t);
      if (realAtP < 0 && u !== this.ghost && v !== this.ghost) realAtP = t;
    }
    // Triangle (u, v, p)'s edge v -> p is the twin of edge p -> v of the triangle starting at v.
    for (const t of made) this.link(3 * t + 1, 3 * this.startingAt[vertex[3 * t + 1]!]! + 2);
    return realAtP;
  }
}

/** Delaunay triangulation of the points (xs[i], ys[i]); coordinates must be finite. */
export function delaunay(xs: ArrayLike<number>, ys: ArrayLike<number>): Triangulation {
  if (xs.length !== ys.length) throw new RangeError('delaunay: xs and ys differ in length');
  // The exact predicates would never finish on NaN or an infinity.
  for (let i = 0; i < xs.length; i++) {
    if (!Number.isFinite(xs[i]) || !Number.isFinite(ys[i])) throw new RangeError(`delaunay: point ${i} is not finite`);
  }
  const order = hilbertOrder(xs, ys);
  const duplicates: number[] = [];
  // The first triangle: the first point, the first one distinct from it, the first one off their line.
  const a = order[0];
  if (a === undefined) return { triangles: new Uint32Array(0), duplicates };
  let b = -1,
    c = -1,
    turn = 0;
  for (const i of order) {
    if (b < 0) {
      if (xs[i] !== xs[a] || ys[i] !== ys[a]) b = i;
      continue;
    }
    turn = orient2d(xs[a]!, ys[a]!, xs[b]!, ys[b]!, xs[i]!, ys[i]!);
    if (turn !== 0) {
      c = i;
      break;
    }
  }
  if (c < 0) {
    const seen = new Set<string>();
    for (const i of order) {
      const key = `${xs[i]!},${ys[i]!}`;
      if (seen.has(key)) duplicates.push(i);
      seen.add(key);
    }
    return { triangles: new Uint32Array(0), duplicates };
  }
  const mesh = new Mesh(xs, ys);
  if (turn > 0) mesh.start(a, b, c);
  else mesh.start(a, c, b);
  let last = 0;
  for (const p of order) {
    if (p === a || p === b || p === c) continue;
    const px = xs[p]!,
      py = ys[p]!;
    const t = mesh.locate(last, px, py);
    if (!mesh.isGhost(t) && mesh.hasVertexAt(t, px, py)) {
      duplicates.push(p);
      continue;
    }
    last = mesh.insert(p, t);
  }
  const real: number[] = [];
  for (let t = 0; t < mesh.count; t++) {
    if (!mesh.isGhost(t)) real.push(mesh.vertex[3 * t]!, mesh.vertex[3 * t + 1]!, mesh.vertex[3 * t + 2]!);
  }
  return { triangles: Uint32Array.from(real), duplicates };
}
