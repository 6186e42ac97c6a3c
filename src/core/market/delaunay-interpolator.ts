import { delaunay } from '../math/delaunay.js';

/**
 * Piecewise-linear interpolation on the Delaunay triangulation of scattered (x, y) points: what scipy's
 * `griddata(..., method='linear')` computes (docs/api.md, "Volatility surface"). Everything that depends only on
 * the points (the triangulation and a uniform-grid index of the triangles) is built by the constructor, so a
 * lookup costs one cell scan: the surface builds this once per change, never per request.
 *
 * The triangulation is ../math/delaunay.ts (exact predicates, so collinear and near-collinear hulls and
 * cocircular points are handled); point location is this class's grid index.
 */

/** Barycentric tolerance: a query this close to an edge counts as inside (scipy's find_simplex uses 100 ulp). */
const INSIDE_TOLERANCE = 1e-12;
/** Bound on the index's cells, per triangle. */
const MAX_CELLS_PER_TRIANGLE = 4;

export class DelaunayInterpolator {
  private readonly xs: Float64Array;
  private readonly ys: Float64Array;
  private readonly values: Float64Array;
  private readonly triangles: Uint32Array;
  private readonly minX: number;
  private readonly minY: number;
  private readonly cellW: number;
  private readonly cellH: number;
  private readonly nx: number;
  private readonly ny: number;
  /** cellStart[c] .. cellStart[c + 1] index cellTriangles: the triangles whose bounding box meets cell c. */
  private readonly cellStart: Uint32Array;
  private readonly cellTriangles: Uint32Array;

  /**
   * Returns null when the points span no triangle (fewer than 3, or all collinear), or when a coordinate is not
   * finite (upsert refuses those; a surface built directly from such points falls back like a collinear one).
   */
  static build(xs: readonly number[], ys: readonly number[], values: readonly number[]): DelaunayInterpolator | null {
    if (xs.length < 3) return null;
    if (!xs.every(Number.isFinite) || !ys.every(Number.isFinite)) return null;
    const { triangles } = delaunay(xs, ys);
    if (triangles.length === 0) return null;
    return new DelaunayInterpolator(Float64Array.from(xs), Float64Array.from(ys), Float64Array.from(values), triangles);
  }

  private constructor(xs: Float64Array, ys: Float64Array, values: Float64Array, triangles: Uint32Array) {
    this.xs = xs;
    this.ys = ys;
    this.values = values;
    this.triangles = triangles;
    let minX = Infinity,
      maxX = -Infinity,
      minY = Infinity,
      maxY = -Infinity;
    for (let i = 0; i < xs.length; i++) {
      minX = Math.min(minX, xs[i]!);
      maxX = Math.max(maxX, xs[i]!);
      minY = Math.min(minY, ys[i]!);
      maxY = Math.max(maxY, ys[i]!);
    }
    const count = triangles.length / 3;
    // Cells about the size of an average triangle's bounding box, so that a triangle lands in a handful of cells
    // whatever the aspect of the data (strikes span ~100, maturities ~1), and at most MAX_CELLS_PER_TRIANGLE
    // cells per triangle in all.
    const boxes = new Float64Array(count * 4);
    let sumW = 0,
      sumH = 0;
    for (let t = 0; t < count; t++) {
      const a = triangles[3 * t]!,
        b = triangles[3 * t + 1]!,
        c = triangles[3 * t + 2]!;
      const x0 = Math.min(xs[a]!, xs[b]!, xs[c]!),
        x1 = Math.max(xs[a]!, xs[b]!, xs[c]!);
      const y0 = Math.min(ys[a]!, ys[b]!, ys[c]!),
        y1 = Math.max(ys[a]!, ys[b]!, ys[c]!);
      boxes[4 * t] = x0;
      boxes[4 * t + 1] = x1;
      boxes[4 * t + 2] = y0;
      boxes[4 * t + 3] = y1;
      sumW += x1 - x0;
      sumH += y1 - y0;
    }
    const spanX = maxX - minX || 1,
      spanY = maxY - minY || 1;
    let nx = Math.max(1, Math.ceil(spanX / (sumW / count || spanX)));
    let ny = Math.max(1, Math.ceil(spanY / (sumH / count || spanY)));
    const excess = (nx * ny) / (MAX_CELLS_PER_TRIANGLE * count);
    if (excess > 1) {
      nx = Math.max(1, Math.floor(nx / Math.sqrt(excess)));
      ny = Math.max(1, Math.floor(ny / Math.sqrt(excess)));
    }
    this.nx = nx;
    this.ny = ny;
    this.minX = minX;
    this.minY = minY;
    this.cellW = spanX / nx;
    this.cellH = spanY / ny;

    const side = nx;
    const cells = nx * ny;
    const counts = new Uint32Array(cells + 1);
    const ranges = new Int32Array(count * 4);
    const cellX = (x: number): number => Math.min(nx - 1, Math.max(0, Math.floor((x - minX) / this.cellW)));
    const cellY = (y: number): number => Math.min(ny - 1, Math.max(0, Math.floor((y - minY) / this.cellH)));
    for (let t = 0; t < count; t++) {
      const x0 = boxes[4 * t]!,
        x1 = boxes[4 * t + 1]!,
        y0 = boxes[4 * t + 2]!,
        y1 = boxes[4 * t + 3]!;
      // A query on a bounding box's edge may round into the neighbouring cell: widen by a relative hair.
      const ex = 1e-9 * (Math.abs(x0) + Math.abs(x1) + this.cellW),
        ey = 1e-9 * (Math.abs(y0) + Math.abs(y1) + this.cellH);
      const cx0 = cellX(x0 - ex),
        cx1 = cellX(x1 + ex),
        cy0 = cellY(y0 - ey),
        cy1 = cellY(y1 + ey);
      ranges[4 * t] = cx0;
      ranges[4 * t + 1] = cx1;
      ranges[4 * t + 2] = cy0;
      ranges[4 * t + 3] = cy1;
      for (let cy = cy0; cy <= cy1; cy++) for (let cx = cx0; cx <= cx1; cx++) counts[cy * side + cx + 1]! += 1;
    }
    for (let c = 0; c < cells; c++) counts[c + 1]! += counts[c]!;
    this.cellStart = counts;
    this.cellTriangles = new Uint32Array(counts[cells]!);
    const fill = counts.slice(0, cells);
    for (let t = 0; t < count; t++) {
      for (let cy = ranges[4 * t + 2]!; cy <= ranges[4 * t + 3]!; cy++) {
        for (let cx = ranges[4 * t]!; cx <= ranges[4 * t + 1]!; cx++) {
          const c = cy * side + cx;
          this.cellTriangles[fill[c]!] = t;
          fill[c]! += 1;
        }
      }
    }
  }

  /** The linear interpolant at (x, y), or NaN outside the convex hull of the points. */
  interpolate(x: number, y: number): number {
    const cx = Math.floor((x - this.minX) / this.cellW);
    const cy = Math.floor((y - this.minY) / this.cellH);
    // The hull's right and top edges belong to the last cell; anything further out is outside.
    const ix = cx === this.nx && x - this.minX <= this.cellW * this.nx ? this.nx - 1 : cx;
    const iy = cy === this.ny && y - this.minY <= this.cellH * this.ny ? this.ny - 1 : cy;
    if (ix < 0 || iy < 0 || ix >= this.nx || iy >= this.ny) return Number.NaN;
    const c = iy * this.nx + ix;
    for (let k = this.cellStart[c]!; k < this.cellStart[c + 1]!; k++) {
      const v = this.inTriangle(this.cellTriangles[k]!, x, y);
      if (!Number.isNaN(v)) return v;
    }
    return Number.NaN;
  }

  private vertex(t: number, corner: number): number {
    return this.triangles[3 * t + corner]!;
  }

  /** The interpolant of triangle t at (x, y), or NaN when (x, y) is outside it. */
  private inTriangle(t: number, x: number, y: number): number {
    const a = this.vertex(t, 0),
      b = this.vertex(t, 1),
      c = this.vertex(t, 2);
    const ax = this.xs[a]!,
      ay = this.ys[a]!,
      bx = this.xs[b]!,
      by = this.ys[b]!,
      cx = this.xs[c]!,
      cy = this.ys[c]!;
    const det = (by - cy) * (ax - cx) + (cx - bx) * (ay - cy);
    if (det === 0) return Number.NaN;
    const w1 = ((by - cy) * (x - cx) + (cx - bx) * (y - cy)) / det;
    const w2 = ((cy - ay) * (x - cx) + (ax - cx) * (y - cy)) / det;
    const w3 = 1 - w1 - w2;
    if (w1 < -INSIDE_TOLERANCE || w2 < -INSIDE_TOLERANCE || w3 < -INSIDE_TOLERANCE) return Number.NaN;
    return w1 * this.values[a]! + w2 * this.values[b]! + w3 * this.values[c]!;
  }
}
