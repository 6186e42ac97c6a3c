import { CoreError } from '../errors.js';
import { requireFinite, requirePositive } from '../validate.js';

/**
 * The in-memory volatility surface of API-V1.md: points keyed by (strike, maturity) and an estimate at any
 * (strike, maturity). Interpolation rules, in order:
 *  - fewer than 4 points: 0.20;
 *  - the points form a full rectangular grid (every strike at every maturity): bilinear inside it;
 *  - otherwise: linear interpolation on a Delaunay triangulation (scattered data);
 *  - outside the grid or the hull: the nearest point's volatility;
 *  - a result that is NaN or outside [0.01, 3.0] falls back to inverse-distance weighting of the 5 nearest points.
 * Distances are measured in (strike, maturity) units as given, as the Python service did.
 * The surface is a value: upsert returns a new surface, so readers never see a half-written one.
 */

export interface VolatilityPoint {
  readonly strike: number;
  readonly maturity: number;
  readonly volatility: number;
  /** Unix seconds. */
  readonly timestamp: number;
  readonly source: string;
}

export const DEFAULT_VOLATILITY = 0.2;
export const MIN_POINT_VOLATILITY = 0.01;
export const MAX_POINT_VOLATILITY = 5.0;
const SAME_POINT_TOLERANCE = 1e-9;
const ESTIMATE_FLOOR = 0.01;
const ESTIMATE_CEILING = 3.0;
const IDW_NEIGHBOURS = 5;

export type EstimateMethod = 'default' | 'bilinear' | 'triangulated' | 'nearest' | 'inverse-distance';

export interface VolatilityEstimate {
  readonly volatility: number;
  readonly method: EstimateMethod;
}

interface Triangle {
  readonly a: number;
  readonly b: number;
  readonly c: number;
}

function sameCoordinate(x: number, y: number): boolean {
  return Math.abs(x - y) <= SAME_POINT_TOLERANCE;
}

export class VolatilitySurface {
  readonly points: readonly VolatilityPoint[];
  private triangles: readonly Triangle[] | undefined;

  constructor(points: readonly VolatilityPoint[] = []) {
    this.points = points;
  }

  /** Returns a surface with `point` added, replacing any point at the same (strike, maturity) within 1e-9. */
  upsert(point: VolatilityPoint): VolatilitySurface {
    requirePositive(point.strike, 'strike');
    requirePositive(point.maturity, 'maturity');
    requireFinite(point.volatility, 'volatility');
    if (point.volatility < MIN_POINT_VOLATILITY || point.volatility > MAX_POINT_VOLATILITY) {
      throw new CoreError('ERR_CORE_INVALID_INPUT', `volatility must be between ${MIN_POINT_VOLATILITY} and ${MAX_POINT_VOLATILITY}, got ${point.volatility}`, 'volatility');
    }
    const rest = this.points.filter((p) => !(sameCoordinate(p.strike, point.strike) && sameCoordinate(p.maturity, point.maturity)));
    return new VolatilitySurface([...rest, point]);
  }

  estimate(strike: number, maturity: number): VolatilityEstimate {
    requirePositive(strike, 'strike');
    requirePositive(maturity, 'maturity');
    const pts = this.points;
    if (pts.length < 4) return { volatility: DEFAULT_VOLATILITY, method: 'default' };

    let result = this.interpolate(strike, maturity);
    if (!Number.isFinite(result.volatility) || result.volatility < ESTIMATE_FLOOR || result.volatility > ESTIMATE_CEILING) {
      result = { volatility: this.inverseDistance(strike, maturity), method: 'inverse-distance' };
    }
    return result;
  }

  private interpolate(strike: number, maturity: number): VolatilityEstimate {
    const grid = this.fullGrid();
    if (grid !== null) {
      const { strikes, maturities, vols } = grid;
      const inside = strike >= strikes[0]! && strike <= strikes[strikes.length - 1]! && maturity >= maturities[0]! && maturity <= maturities[maturities.length - 1]!;
      if (!inside) return { volatility: this.nearest(strike, maturity), method: 'nearest' };
      const i = bracket(strikes, strike);
      const j = bracket(maturities, maturity);
      const tx = (strike - strikes[i]!) / (strikes[i + 1]! - strikes[i]!);
      const ty = (maturity - maturities[j]!) / (maturities[j + 1]! - maturities[j]!);
      const v00 = vols[i]![j]!, v10 = vols[i + 1]![j]!, v01 = vols[i]![j + 1]!, v11 = vols[i + 1]![j + 1]!;
      const v = (1 - tx) * (1 - ty) * v00 + tx * (1 - ty) * v10 + (1 - tx) * ty * v01 + tx * ty * v11;
      return { volatility: v, method: 'bilinear' };
    }
    const triangles = (this.triangles ??= triangulate(this.points));
    const pts = this.points;
    for (const t of triangles) {
      const w = barycentric(pts[t.a]!, pts[t.b]!, pts[t.c]!, strike, maturity);
      if (w !== null) {
        return { volatility: w[0] * pts[t.a]!.volatility + w[1] * pts[t.b]!.volatility + w[2] * pts[t.c]!.volatility, method: 'triangulated' };
      }
    }
    return { volatility: this.nearest(strike, maturity), method: 'nearest' };
  }

  /** The grid when every distinct strike appears at every distinct maturity exactly once (at least 2 x 2), else null. */
  private fullGrid(): { strikes: number[]; maturities: number[]; vols: number[][] } | null {
    const strikes = distinct(this.points.map((p) => p.strike));
    const maturities = distinct(this.points.map((p) => p.maturity));
    if (strikes.length < 2 || maturities.length < 2 || strikes.length * maturities.length !== this.points.length) return null;
    const vols: number[][] = strikes.map(() => maturities.map(() => Number.NaN));
    for (const p of this.points) {
      const i = strikes.findIndex((k) => sameCoordinate(k, p.strike));
      const j = maturities.findIndex((m) => sameCoordinate(m, p.maturity));
      if (!Number.isNaN(vols[i]![j]!)) return null;
      vols[i]![j] = p.volatility;
    }
    return { strikes, maturities, vols };
  }

  private nearest(strike: number, maturity: number): number {
    let best = this.points[0]!;
    let bestD = Infinity;
    for (const p of this.points) {
      const d = (p.strike - strike) ** 2 + (p.maturity - maturity) ** 2;
      if (d < bestD) {
        bestD = d;
        best = p;
      }
    }
    return best.volatility;
  }

  private inverseDistance(strike: number, maturity: number): number {
    const ranked = this.points
      .map((p) => ({ p, d: Math.hypot(p.strike - strike, p.maturity - maturity) }))
      .sort((x, y) => x.d - y.d)
      .slice(0, IDW_NEIGHBOURS);
    if (ranked[0]!.d === 0) return ranked[0]!.p.volatility;
    let num = 0;
    let den = 0;
    for (const { p, d } of ranked) {
      const w = 1 / (d * d);
      num += w * p.volatility;
      den += w;
    }
    return num / den;
  }
}

function distinct(values: number[]): number[] {
  const sorted = [...values].sort((a, b) => a - b);
  const out: number[] = [];
  for (const v of sorted) if (out.length === 0 || !sameCoordinate(out[out.length - 1]!, v)) out.push(v);
  return out;
}

/** Index i with xs[i] <= x <= xs[i+1], for x inside [xs[0], xs[last]]. */
function bracket(xs: number[], x: number): number {
  let i = 0;
  while (i < xs.length - 2 && x > xs[i + 1]!) i++;
  return i;
}

/** Barycentric weights of (x, y) in triangle abc, or null when outside (a small tolerance keeps shared edges inside). */
function barycentric(a: VolatilityPoint, b: VolatilityPoint, c: VolatilityPoint, x: number, y: number): [number, number, number] | null {
  const det = (b.maturity - c.maturity) * (a.strike - c.strike) + (c.strike - b.strike) * (a.maturity - c.maturity);
  if (det === 0) return null;
  const w1 = ((b.maturity - c.maturity) * (x - c.strike) + (c.strike - b.strike) * (y - c.maturity)) / det;
  const w2 = ((c.maturity - a.maturity) * (x - c.strike) + (a.strike - c.strike) * (y - c.maturity)) / det;
  const w3 = 1 - w1 - w2;
  const eps = -1e-12;
  return w1 >= eps && w2 >= eps && w3 >= eps ? [w1, w2, w3] : null;
}

/** Delaunay triangulation by Bowyer-Watson; the surface holds tens of points, so O(n^2) is plenty. */
function triangulate(points: readonly VolatilityPoint[]): Triangle[] {
  const xs = points.map((p) => p.strike);
  const ys = points.map((p) => p.maturity);
  const minX = Math.min(...xs), maxX = Math.max(...xs), minY = Math.min(...ys), maxY = Math.max(...ys);
  const span = Math.max(maxX - minX, maxY - minY, 1);
  const midX = (minX + maxX) / 2, midY = (minY + maxY) / 2;
  // Super-triangle vertices appended after the real points.
  const vx = [...xs, midX - 20 * span, midX, midX + 20 * span];
  const vy = [...ys, midY - span, midY + 20 * span, midY - span];
  const n = points.length;
  let tris: Triangle[] = [{ a: n, b: n + 1, c: n + 2 }];

  const inCircumcircle = (t: Triangle, px: number, py: number): boolean => {
    const ax = vx[t.a]! - px, ay = vy[t.a]! - py;
    const bx = vx[t.b]! - px, by = vy[t.b]! - py;
    const cx = vx[t.c]! - px, cy = vy[t.c]! - py;
    const det = (ax * ax + ay * ay) * (bx * cy - cx * by) - (bx * bx + by * by) * (ax * cy - cx * ay) + (cx * cx + cy * cy) * (ax * by - bx * ay);
    const orient = (vx[t.b]! - vx[t.a]!) * (vy[t.c]! - vy[t.a]!) - (vy[t.b]! - vy[t.a]!) * (vx[t.c]! - vx[t.a]!);
    return orient > 0 ? det > 0 : det < 0;
  };

  for (let i = 0; i < n; i++) {
    const px = vx[i]!, py = vy[i]!;
    const bad = tris.filter((t) => inCircumcircle(t, px, py));
    const edges = new Map<string, [number, number]>();
    for (const t of bad) {
      for (const [u, v] of [[t.a, t.b], [t.b, t.c], [t.c, t.a]] as const) {
        const key = u < v ? `${u},${v}` : `${v},${u}`;
        if (edges.has(key)) edges.delete(key);
        else edges.set(key, [u, v]);
      }
    }
    tris = tris.filter((t) => !bad.includes(t));
    for (const [u, v] of edges.values()) tris.push({ a: u, b: v, c: i });
  }
  return tris.filter((t) => t.a < n && t.b < n && t.c < n);
}
