import { CoreError } from '../errors.js';
import { sabrVolatility, type SabrParameters } from './sabr.js';
import { SVI_MAX_WING_SLOPE, sviTotalVariance, type SviParameters } from './svi.js';

/**
 * A calibrated volatility surface: one fitted smile per expiry, and the rules that fill in between and beyond
 * (docs/numerics.md, "Calibrated surfaces"):
 * - in strike, inside an expiry's quoted log-moneyness range, the fitted model; beyond it, total variance goes
 *   on linearly in k = ln(K/F) with the slope at the edge, clamped to [-2, 0] on the left and [0, 2] on the
 *   right (Lee's moment bound; a wrong-signed slope becomes flat);
 * - in time, total variance w(k, T) linear in T at fixed k between expiries, and proportional to T (constant
 *   volatility at fixed k) before the first and after the last;
 * - the forward: ln F piecewise linear in T through (0, ln S) and each expiry's forward, the last segment's
 *   carry continued beyond the last expiry.
 */

export type SmileModelName = 'sabr' | 'svi';

export type SliceModel =
  | { readonly model: 'sabr'; readonly parameters: SabrParameters }
  | { readonly model: 'svi'; readonly parameters: SviParameters };

export type SurfaceSlice = SliceModel & {
  readonly expiry: number;
  readonly forward: number;
  /** The quoted log-moneyness range ln(K/F) the model was fitted on. */
  readonly kMin: number;
  readonly kMax: number;
};

export interface SurfaceDefinition {
  readonly spot: number;
  /** Increasing expiry. */
  readonly slices: readonly SurfaceSlice[];
}

const SLOPE_STEP = 1e-5;

/** Total variance of a slice's model at log-moneyness k, no extrapolation. */
export function sliceModelTotalVariance(slice: SurfaceSlice, k: number): number {
  if (slice.model === 'svi') return sviTotalVariance(k, slice.parameters);
  const v = sabrVolatility(slice.forward, slice.forward * Math.exp(k), slice.expiry, slice.parameters);
  return v * v * slice.expiry;
}

const SABR = 0;
const SVI = 1;
/** Per-slice numbers, flat: model code, then SABR (alpha, beta, rho, nu, ln F, T) or SVI (a, b, rho, m, sigma). */
const STRIDE = 7;

/**
 * sabrVolatility's formula in k = ln(K/F) directly, for the evaluator's inner loop: (FK)^((1-beta)/2) becomes
 * one exp and ln(F/K) is -k, so no K = F e^k round trip. Agrees with sabrVolatility to rounding.
 */
function sabrTotalVarianceAt(k: number, p: Float64Array, o: number): number {
  const alpha = p[o + 1]!;
  const beta = p[o + 2]!;
  const rho = p[o + 3]!;
  const nu = p[o + 4]!;
  const t = p[o + 6]!;
  const oneMinusBeta = 1 - beta;
  const fkPow = Math.exp(oneMinusBeta * (p[o + 5]! + 0.5 * k));
  const logM = -k;
  const z = (nu / alpha) * fkPow * logM;
  let zOverX: number;
  if (Math.abs(z) < 1e-5) {
    zOverX = 1 - 0.5 * rho * z + ((2 - 3 * rho * rho) * z * z) / 12;
  } else {
    const root = Math.sqrt(1 - 2 * rho * z + z * z);
    zOverX = z / Math.log1p((z + (z * z - 2 * rho * z) / (root + 1)) / (1 - rho));
  }
  const c = oneMinusBeta * oneMinusBeta * logM * logM;
  const correction =
    1 +
    t *
      ((oneMinusBeta * oneMinusBeta * alpha * alpha) / (24 * fkPow * fkPow) +
        (rho * beta * nu * alpha) / (4 * fkPow) +
        ((2 - 3 * rho * rho) * nu * nu) / 24);
  const v = (alpha / (fkPow * (1 + c / 24 + (c * c) / 1920))) * zOverX * correction;
  return v * v * t;
}

function sviTotalVarianceAt(k: number, p: Float64Array, o: number): number {
  const d = k - p[o + 4]!;
  const sigma = p[o + 5]!;
  return p[o + 1]! + p[o + 2]! * (p[o + 3]! * d + Math.sqrt(d * d + sigma * sigma));
}

function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

/**
 * Evaluates a SurfaceDefinition; built once per surface, then cheap per contract (no allocation).
 * Throws CoreError ERR_CORE_INVALID_INPUT for a definition with no slice or unsorted expiries.
 */
export class SurfaceEvaluator {
  readonly #params: Float64Array;
  readonly #kMin: Float64Array;
  readonly #kMax: Float64Array;
  readonly #expiries: Float64Array;
  readonly #logForwards: Float64Array;
  readonly #logSpot: number;
  readonly #leftW: Float64Array;
  readonly #leftSlope: Float64Array;
  readonly #rightW: Float64Array;
  readonly #rightSlope: Float64Array;

  constructor(definition: SurfaceDefinition) {
    const slices = definition.slices;
    if (slices.length === 0)
      throw new CoreError('ERR_CORE_INVALID_INPUT', 'a surface needs at least one expiry', 'slices');
    if (!(definition.spot > 0 && definition.spot < Infinity))
      throw new CoreError('ERR_CORE_INVALID_INPUT', `spot must be positive, got ${definition.spot}`, 'spot');
    for (let i = 0; i < slices.length; i++) {
      const s = slices[i]!;
      if (!(s.expiry > 0) || (i > 0 && !(s.expiry > slices[i - 1]!.expiry))) {
        throw new CoreError(
          'ERR_CORE_INVALID_INPUT',
          'slice expiries must be positive and increasing',
          `slices[${i}].expiry`,
        );
      }
      if (!(s.forward > 0 && s.forward < Infinity))
        throw new CoreError(
          'ERR_CORE_INVALID_INPUT',
          `forward must be positive, got ${s.forward}`,
          `slices[${i}].forward`,
        );
      if (!(s.kMin <= s.kMax))
        throw new CoreError('ERR_CORE_INVALID_INPUT', 'kMin must not exceed kMax', `slices[${i}].kMin`);
    }
    this.#params = new Float64Array(slices.length * STRIDE);
    slices.forEach((s, i) => {
      const values =
        s.model === 'sabr'
          ? [
              SABR,
              s.parameters.alpha,
              s.parameters.beta,
              s.parameters.rho,
              s.parameters.nu,
              Math.log(s.forward),
              s.expiry,
            ]
          : [SVI, s.parameters.a, s.parameters.b, s.parameters.rho, s.parameters.m, s.parameters.sigma, 0];
      this.#params.set(values, i * STRIDE);
    });
    this.#kMin = Float64Array.from(slices, (s) => s.kMin);
    this.#kMax = Float64Array.from(slices, (s) => s.kMax);
    this.#expiries = Float64Array.from(slices, (s) => s.expiry);
    this.#logForwards = Float64Array.from(slices, (s) => Math.log(s.forward));
    this.#logSpot = Math.log(definition.spot);
    const n = slices.length;
    this.#leftW = new Float64Array(n);
    this.#leftSlope = new Float64Array(n);
    this.#rightW = new Float64Array(n);
    this.#rightSlope = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const s = slices[i]!;
      const slope = (k: number): number =>
        (this.#modelTotalVariance(i, k + SLOPE_STEP) - this.#modelTotalVariance(i, k - SLOPE_STEP)) / (2 * SLOPE_STEP);
      this.#leftW[i] = this.#modelTotalVariance(i, s.kMin);
      this.#leftSlope[i] = clamp(slope(s.kMin), -SVI_MAX_WING_SLOPE, 0);
      this.#rightW[i] = this.#modelTotalVariance(i, s.kMax);
      this.#rightSlope[i] = clamp(slope(s.kMax), 0, SVI_MAX_WING_SLOPE);
    }
  }

  /** Forward price for expiry T (years). */
  forward(expiry: number): number {
    return Math.exp(this.#logForward(expiry));
  }

  #logForward(t: number): number {
    const ts = this.#expiries;
    const lf = this.#logForwards;
    const n = ts.length;
    // Before the first expiry, and beyond it when there is only one, the carry from spot to the first forward.
    if (n === 1 || t <= ts[0]!) return this.#logSpot + ((lf[0]! - this.#logSpot) * t) / ts[0]!;
    let i = 1;
    while (i < n - 1 && ts[i]! < t) i++;
    return lf[i - 1]! + ((lf[i]! - lf[i - 1]!) * (t - ts[i - 1]!)) / (ts[i]! - ts[i - 1]!);
  }

  #modelTotalVariance(i: number, k: number): number {
    const o = i * STRIDE;
    return this.#params[o] === SABR ? sabrTotalVarianceAt(k, this.#params, o) : sviTotalVarianceAt(k, this.#params, o);
  }

  /** Total variance of slice i at log-moneyness k, with the wing extrapolation. */
  #sliceTotalVariance(i: number, k: number): number {
    const kMin = this.#kMin[i]!;
    if (k < kMin) return this.#leftW[i]! + this.#leftSlope[i]! * (k - kMin);
    const kMax = this.#kMax[i]!;
    if (k > kMax) return this.#rightW[i]! + this.#rightSlope[i]! * (k - kMax);
    return this.#modelTotalVariance(i, k);
  }

  /** Total implied variance sigma^2 T at (strike, expiry). */
  totalVariance(strike: number, expiry: number): number {
    const k = Math.log(strike) - this.#logForward(expiry);
    const ts = this.#expiries;
    const n = ts.length;
    if (expiry <= ts[0]!) return (this.#sliceTotalVariance(0, k) * expiry) / ts[0]!;
    if (expiry >= ts[n - 1]!) return (this.#sliceTotalVariance(n - 1, k) * expiry) / ts[n - 1]!;
    let i = 1;
    while (ts[i]! < expiry) i++;
    const t0 = ts[i - 1]!;
    const t1 = ts[i]!;
    const w0 = this.#sliceTotalVariance(i - 1, k);
    const w1 = this.#sliceTotalVariance(i, k);
    return w0 + ((w1 - w0) * (expiry - t0)) / (t1 - t0);
  }

  /**
   * Black volatility at (strike, expiry). Throws CoreError ERR_CORE_INVALID_INPUT (param strike or expiry) for a
   * non-positive or non-finite input, and (param strike) where the surface has no positive variance.
   */
  volatility(strike: number, expiry: number): number {
    if (!(strike > 0 && strike < Infinity))
      throw new CoreError('ERR_CORE_INVALID_INPUT', `strike must be positive and finite, got ${strike}`, 'strike');
    if (!(expiry > 0 && expiry < Infinity))
      throw new CoreError('ERR_CORE_INVALID_INPUT', `expiry must be positive and finite, got ${expiry}`, 'expiry');
    const w = this.totalVariance(strike, expiry);
    if (!(w > 0 && w < Infinity)) {
      throw new CoreError(
        'ERR_CORE_INVALID_INPUT',
        `the surface has no positive variance at strike ${strike}, expiry ${expiry}`,
        'strike',
      );
    }
    return Math.sqrt(w / expiry);
  }
}
