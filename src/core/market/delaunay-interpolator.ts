import Delaunator from 'delaunator';

/**
 * Piecewise-linear interpolation on the Delaunay triangulation of scattered (x, y) points: what scipy's
 * `griddata(..., method='linear')` computes (docs/api.md, "Volatility surface"). Everything that depends only on
 * the points (the triangulation and a uniform-grid index of the triangles) is built by the constructor, so a
 * lookup costs one cell scan: the surface builds this once per change, never per request.
 *
 * The triangulation is Delaunator's (robust orientation predicates, exact on collinear and near-collinear
 * hulls). Own point location because Delaunator only triangulates.
 */

/** Barycentric tolerance: a query this close to an edge counts as inside (scipy's find_simplex uses 100 ulp). */
const INSIDE_TOLERANCE = 1e-12;
/** About this many triangles per index cell on average. */
const TRIANGLES_PER_CELL = 2;

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

  /** Returns null when the points span no triangle (fewer than 3, or all collinear). */
  static build(xs: readonly number[], ys: readonly number[], values: readonly number[]): DelaunayInterpolator | null {
    if (xs.length < 3) return null;
    const coords = new Float64Array(xs.length * 2);
    for (let i = 0; i < xs.length; i++) {
      coords[2 * i] = xs[i]!;
      coords[2 * i + 1] = ys[i]!;
    }
    const triangles = new Delaunator(coords).triangles;
    if (triangles.length === 0) return null;
    return new DelaunayInterpolator(Float64Array.from(xs), Float64Array.from(ys), Float64Array.from(values), triangles);
  }

  private constructor(xs: Float64Array, ys: Float64Array, values: Float64Array, triangles: Uint32Array) {
    this.xs = xs;
    this.ys = ys;
    this.values = values;
    this.triangles = triangles;
    let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
    for (let i = 0; i < xs.length; i++) {
      minX = Math.min(minX, xs[i]!);
      maxX = Math.max(maxX, xs[i]!);
      minY = Math.min(minY, ys[i]!);
      maxY = Math.max(maxY, ys[i]!);
    }
    const count = triangles.length / 3;
    const side = Math.max(1, Math.ceil(Math.sqrt(count / TRIANGLES_PER_CELL)));
    this.nx = side;
    this.ny = side;
    this.minX = minX;
    this.minY = minY;
    // A degenerate extent cannot happen here (a triangle exists), but keep the division finite regardless.
    this.cellW = (maxX - minX) / side || 1;
    this.cellH = (maxY - minY) / side || 1;

    const cells = side * side;
    const counts = new Uint32Array(cells + 1);
    const ranges = new Int32Array(count * 4);
    for (let t = 0; t < count; t++) {
      const [cx0, cx1, cy0, cy1] = this.cellRange(t);
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

  private cellRange(t: number): [number, number, number, number] {
    let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
    for (let k = 0; k < 3; k++) {
      const v = this.vertex(t, k);
      x0 = Math.min(x0, this.xs[v]!);
      x1 = Math.max(x1, this.xs[v]!);
      y0 = Math.min(y0, this.ys[v]!);
      y1 = Math.max(y1, this.ys[v]!);
    }
    const clampX = (x: number): number => Math.min(this.nx - 1, Math.max(0, Math.floor((x - this.minX) / this.cellW)));
    const clampY = (y: number): number => Math.min(this.ny - 1, Math.max(0, Math.floor((y - this.minY) / this.cellH)));
    // One cell of slack each way: a query on a shared boundary may round into the neighbouring cell.
    return [Math.max(0, clampX(x0) - 1), Math.min(this.nx - 1, clampX(x1) + 1), Math.max(0, clampY(y0) - 1), Math.min(this.ny - 1, clampY(y1) + 1)];
  }

  /** The interpolant of triangle t at (x, y), or NaN when (x, y) is outside it. */
  private inTriangle(t: number, x: number, y: number): number {
    const a = this.vertex(t, 0), b = this.vertex(t, 1), c = this.vertex(t, 2);
    const ax = this.xs[a]!, ay = this.ys[a]!, bx = this.xs[b]!, by = this.ys[b]!, cx = this.xs[c]!, cy = this.ys[c]!;
    const det = (by - cy) * (ax - cx) + (cx - bx) * (ay - cy);
    if (det === 0) return Number.NaN;
    const w1 = ((by - cy) * (x - cx) + (cx - bx) * (y - cy)) / det;
    const w2 = ((cy - ay) * (x - cx) + (ax - cx) * (y - cy)) / det;
    const w3 = 1 - w1 - w2;
    if (w1 < -INSIDE_TOLERANCE || w2 < -INSIDE_TOLERANCE || w3 < -INSIDE_TOLERANCE) return Number.NaN;
    return w1 * this.values[a]! + w2 * this.values[b]! + w3 * this.values[c]!;
  }
}
