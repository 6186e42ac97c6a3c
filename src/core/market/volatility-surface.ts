import { CoreError } from '../errors.js';
import { requireFinite, requirePositive } from '../validate.js';
import { DelaunayInterpolator } from './delaunay-interpolator.js';

/**
 * The volatility surface of docs/api.md ("Volatility surface"): points keyed by (strike, maturity) and an estimate
 * at any (strike, maturity). Interpolation rules, in order:
 *  - fewer than 4 points: 0.20;
 *  - every point on one maturity: linear in strike between the points, flat (the end point's volatility) outside;
 *  - the points form a full rectangular grid (every strike at every maturity): bilinear inside it;
 *  - otherwise: linear interpolation on the Delaunay triangulation (scipy's griddata 'linear');
 *  - outside the grid or the hull: the nearest point's volatility, distances in (strike, maturity) as given;
 *  - a result that is NaN or outside [0.01, 3.0], or points that span no triangle (collinear), fall back to
 *    inverse-distance weighting of the 5 nearest points, distances scaled by max(strike, spot) in strike and by
 *    the maturity asked for in maturity, weights 1 / (d^2 + 1e-6), as the Python service did. Two guards the
 *    Python service lacked: each scale is at least 1e-12 (below it, a maturity of 1e-300 years made every distance
 *    overflow, every weight 0 and the estimate 0/0 = NaN), and the weighted mean is kept inside its points'
 *    volatilities (rounding took a mean of 0.01s to 0.009999999999999998).
 * The surface is a value: upsert returns a new surface, so readers never see a half-written one. Everything that
 * depends only on the points (grid, line, triangulation and its index) is built by the constructor: an estimate
 * never triangulates.
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
const IDW_SOFTENING = 1e-6;
/**
 * The smallest distance scale, in years and in price units: no realistic maturity or strike is below it, and with
 * strikes up to 1e9 and maturities up to 50 a scaled squared distance stays below 1e43, so no weight underflows.
 */
const IDW_MIN_SCALE = 1e-12;

export type EstimateMethod = 'default' | 'linear' | 'bilinear' | 'triangulated' | 'nearest' | 'inverse-distance';

export interface VolatilityEstimate {
  readonly volatility: number;
  readonly method: EstimateMethod;
}

/** Python's math.isclose(a, b) with its default rel_tol 1e-9: the upsert's "same coordinate" test. */
function sameCoordinate(x: number, y: number): boolean {
  return Math.abs(x - y) <= SAME_POINT_TOLERANCE * Math.max(Math.abs(x), Math.abs(y));
}

export interface VolatilitySurfaceOptions {
  /**
   * The most points the surface holds; upserting a new (strike, maturity) beyond it throws a CoreError with
   * param 'points'. Replacing an existing point is always allowed. Default: unbounded.
   */
  readonly maxPoints?: number;
}

type Interpolation =
  | { readonly kind: 'default' }
  | { readonly kind: 'line'; readonly strikes: readonly number[]; readonly vols: readonly number[] }
  | {
      readonly kind: 'grid';
      readonly strikes: readonly number[];
      readonly maturities: readonly number[];
      readonly vols: readonly (readonly number[])[];
    }
  | { readonly kind: 'triangulated'; readonly interpolator: DelaunayInterpolator }
  | { readonly kind: 'inverse-distance' };

export class VolatilitySurface {
  readonly points: readonly VolatilityPoint[];
  readonly maxPoints: number;
  private readonly interpolation: Interpolation;
  private readonly strikes: Float64Array;
  private readonly maturities: Float64Array;
  private readonly vols: Float64Array;

  constructor(points: readonly VolatilityPoint[] = [], options: VolatilitySurfaceOptions = {}) {
    this.points = points;
    this.maxPoints = options.maxPoints ?? Infinity;
    this.strikes = Float64Array.from(points, (p) => p.strike);
    this.maturities = Float64Array.from(points, (p) => p.maturity);
    this.vols = Float64Array.from(points, (p) => p.volatility);
    this.interpolation = buildInterpolation(points);
  }

  /** Whether a point at (strike, maturity) exists (same coordinates as upsert's replace rule). */
  has(strike: number, maturity: number): boolean {
    return this.points.some((p) => sameCoordinate(p.strike, strike) && sameCoordinate(p.maturity, maturity));
  }

  /**
   * Returns a surface with `point` added, replacing in place any point whose strike and maturity are both within
   * a relative 1e-9 of it (the listing keeps insertion order).
   */
  upsert(point: VolatilityPoint): VolatilitySurface {
    requirePositive(point.strike, 'strike');
    requirePositive(point.maturity, 'maturity');
    requireFinite(point.volatility, 'volatility');
    if (point.volatility < MIN_POINT_VOLATILITY || point.volatility > MAX_POINT_VOLATILITY) {
      throw new CoreError(
        'ERR_CORE_INVALID_INPUT',
        `volatility must be within [${MIN_POINT_VOLATILITY}, ${MAX_POINT_VOLATILITY.toFixed(1)}]`,
        'volatility',
      );
    }
    const at = this.points.findIndex(
      (p) => sameCoordinate(p.strike, point.strike) && sameCoordinate(p.maturity, point.maturity),
    );
    if (at < 0 && this.points.length >= this.maxPoints) {
      throw new CoreError(
        'ERR_CORE_INVALID_INPUT',
        `the volatility surface holds at most ${this.maxPoints} points`,
        'points',
      );
    }
    const next = at < 0 ? [...this.points, point] : this.points.map((p, i) => (i === at ? point : p));
    return new VolatilitySurface(next, { maxPoints: this.maxPoints });
  }

  /** `spot` only scales the inverse-distance fallback's strike distances (default: the strike itself). */
  estimate(strike: number, maturity: number, spot: number = strike): VolatilityEstimate {
    requirePositive(strike, 'strike');
    requirePositive(maturity, 'maturity');
    const interpolation = this.interpolation;
    if (interpolation.kind === 'default') return { volatility: DEFAULT_VOLATILITY, method: 'default' };
    let result = this.interpolate(interpolation, strike, maturity);
    if (
      result === null ||
      !Number.isFinite(result.volatility) ||
      result.volatility < ESTIMATE_FLOOR ||
      result.volatility > ESTIMATE_CEILING
    ) {
      result = { volatility: this.inverseDistance(strike, maturity, spot), method: 'inverse-distance' };
    }
    return result;
  }

  private interpolate(interpolation: Interpolation, strike: number, maturity: number): VolatilityEstimate | null {
    switch (interpolation.kind) {
      case 'line': {
        const { strikes, vols } = interpolation;
        if (strike <= strikes[0]!) return { volatility: vols[0]!, method: 'linear' };
        if (strike >= strikes[strikes.length - 1]!) return { volatility: vols[vols.length - 1]!, method: 'linear' };
        const i = bracket(strikes, strike);
        const t = (strike - strikes[i]!) / (strikes[i + 1]! - strikes[i]!);
        return { volatility: vols[i]! + t * (vols[i + 1]! - vols[i]!), method: 'linear' };
      }
      case 'grid': {
        const { strikes, maturities, vols } = interpolation;
        const inside =
          strike >= strikes[0]! &&
          strike <= strikes[strikes.length - 1]! &&
          maturity >= maturities[0]! &&
          maturity <= maturities[maturities.length - 1]!;
        if (!inside) return { volatility: this.nearest(strike, maturity), method: 'nearest' };
        const i = bracket(strikes, strike);
        const j = bracket(maturities, maturity);
        const tx = (strike - strikes[i]!) / (strikes[i + 1]! - strikes[i]!);
        const ty = (maturity - maturities[j]!) / (maturities[j + 1]! - maturities[j]!);
        const v00 = vols[i]![j]!,
          v10 = vols[i + 1]![j]!,
          v01 = vols[i]![j + 1]!,
          v11 = vols[i + 1]![j + 1]!;
        const v = (1 - tx) * (1 - ty) * v00 + tx * (1 - ty) * v10 + (1 - tx) * ty * v01 + tx * ty * v11;
        return { volatility: v, method: 'bilinear' };
      }
      case 'triangulated': {
        const v = interpolation.interpolator.interpolate(strike, maturity);
        if (!Number.isNaN(v)) return { volatility: v, method: 'triangulated' };
        return { volatility: this.nearest(strike, maturity), method: 'nearest' };
      }
      default:
        return null;
    }
  }

  /** The first nearest point's volatility, distances in unscaled (strike, maturity). */
  private nearest(strike: number, maturity: number): number {
    const ks = this.strikes,
      ts = this.maturities;
    let best = 0;
    let bestD = Infinity;
    for (let i = 0; i < ks.length; i++) {
      const dk = ks[i]! - strike,
        dt = ts[i]! - maturity;
      const d = dk * dk + dt * dt;
      if (d < bestD) {
        bestD = d;
        best = i;
      }
    }
    return this.vols[best]!;
  }

  /** Inverse-distance weighting of the IDW_NEIGHBOURS nearest points by scaled distance (one pass, no sort of all points). */
  private inverseDistance(strike: number, maturity: number, spot: number): number {
    const ks = this.strikes,
      ts = this.maturities;
    const kScale = Math.max(strike, spot, IDW_MIN_SCALE);
    const tScale = Math.max(maturity, IDW_MIN_SCALE);
    const nearD: number[] = [];
    const nearI: number[] = [];
    for (let i = 0; i < ks.length; i++) {
      const dk = (ks[i]! - strike) / kScale,
        dt = (ts[i]! - maturity) / tScale;
      const d2 = dk * dk + dt * dt;
      if (nearD.length === IDW_NEIGHBOURS && d2 >= nearD[IDW_NEIGHBOURS - 1]!) continue;
      // Insert keeping nearD ascending; ties keep the earlier point first (a stable order).
      let at = nearD.length;
      while (at > 0 && nearD[at - 1]! > d2) at--;
      nearD.splice(at, 0, d2);
      nearI.splice(at, 0, i);
      if (nearD.length > IDW_NEIGHBOURS) {
        nearD.pop();
        nearI.pop();
      }
    }
    let num = 0;
    let den = 0;
    let lowest = Infinity;
    let highest = -Infinity;
    for (let n = 0; n < nearD.length; n++) {
      const w = 1 / (nearD[n]! + IDW_SOFTENING);
      const vol = this.vols[nearI[n]!]!;
      num += w * vol;
      den += w;
      lowest = Math.min(lowest, vol);
      highest = Math.max(highest, vol);
    }
    return Math.min(highest, Math.max(lowest, num / den));
  }
}

function buildInterpolation(points: readonly VolatilityPoint[]): Interpolation {
  if (points.length < 4) return { kind: 'default' };
  const maturities = distinct(points.map((p) => p.maturity));
  if (maturities.length === 1) {
    const sorted = [...points].sort((a, b) => a.strike - b.strike);
    return { kind: 'line', strikes: sorted.map((p) => p.strike), vols: sorted.map((p) => p.volatility) };
  }
  const grid = fullGrid(points, maturities);
  if (grid !== null) return { kind: 'grid', ...grid };
  const interpolator = DelaunayInterpolator.build(
    points.map((p) => p.strike),
    points.map((p) => p.maturity),
    points.map((p) => p.volatility),
  );
  return interpolator === null ? { kind: 'inverse-distance' } : { kind: 'triangulated', interpolator };
}

/** The grid when every distinct strike appears at every distinct maturity exactly once (at least 2 x 2), else null. */
function fullGrid(
  points: readonly VolatilityPoint[],
  maturities: number[],
): { strikes: number[]; maturities: number[]; vols: number[][] } | null {
  const strikes = distinct(points.map((p) => p.strike));
  if (strikes.length < 2 || maturities.length < 2 || strikes.length * maturities.length !== points.length) return null;
  const vols: number[][] = strikes.map(() => maturities.map(() => Number.NaN));
  for (const p of points) {
    const i = strikes.findIndex((k) => sameCoordinate(k, p.strike));
    const j = maturities.findIndex((m) => sameCoordinate(m, p.maturity));
    if (!Number.isNaN(vols[i]![j]!)) return null;
    vols[i]![j] = p.volatility;
  }
  return { strikes, maturities, vols };
}

function distinct(values: number[]): number[] {
  const sorted = [...values].sort((a, b) => a - b);
  const out: number[] = [];
  for (const v of sorted) if (out.length === 0 || !sameCoordinate(out[out.length - 1]!, v)) out.push(v);
  return out;
}

/** Index i with xs[i] <= x <= xs[i+1], for x inside [xs[0], xs[last]]. */
function bracket(xs: readonly number[], x: number): number {
  let i = 0;
  while (i < xs.length - 2 && x > xs[i + 1]!) i++;
  return i;
}
