/**
 * Test oracle for Bjerksund-Stensland (2002): a line-by-line transcription of the formulas as printed in
 * Bjerksund & Stensland, "Closed form valuation of American options" (NHH discussion paper, 2002) and in
 * Haug, "The Complete Guide to Option Pricing Formulas", 2nd ed. (2007), section 3.3.2, in the paper's
 * notation (S, X, T, r, b, sigma), with nothing rearranged for speed or for overflow. Normal probabilities
 * come from normal-oracle.ts (series / continued fraction; bivariate by adaptive quadrature of the
 * conditioning integral), so this shares no numerical code with src/core. Slow: milliseconds per price.
 */
import { oracleBivariateNormal as M, oraclePhi as N } from './normal-oracle.js';

/** Generalised Black-Scholes-Merton with cost of carry b. */
function gbs(isCall: boolean, S: number, X: number, T: number, r: number, b: number, v: number): number {
  const d1 = (Math.log(S / X) + (b + (v * v) / 2) * T) / (v * Math.sqrt(T));
  const d2 = d1 - v * Math.sqrt(T);
  return isCall
    ? S * Math.exp((b - r) * T) * N(d1) - X * Math.exp(-r * T) * N(d2)
    : X * Math.exp(-r * T) * N(-d2) - S * Math.exp((b - r) * T) * N(-d1);
}

/** phi(S, T, gamma, H, I) of the paper. */
function phi(S: number, T: number, gamma: number, H: number, I: number, r: number, b: number, v: number): number {
  const lambda = (-r + gamma * b + 0.5 * gamma * (gamma - 1) * v * v) * T;
  const d = -(Math.log(S / H) + (b + (gamma - 0.5) * v * v) * T) / (v * Math.sqrt(T));
  const kappa = (2 * b) / (v * v) + (2 * gamma - 1);
  return (
    Math.exp(lambda) *
    Math.pow(S, gamma) *
    (N(d) - Math.pow(I / S, kappa) * N(d - (2 * Math.log(I / S)) / (v * Math.sqrt(T))))
  );
}

/** psi(S, T, gamma, H, I2, I1, t1) of the paper. */
function psi(
  S: number,
  T: number,
  gamma: number,
  H: number,
  I2: number,
  I1: number,
  t1: number,
  r: number,
  b: number,
  v: number,
): number {
  const mu = b + (gamma - 0.5) * v * v;
  const e1 = (Math.log(S / I1) + mu * t1) / (v * Math.sqrt(t1));
  const e2 = (Math.log((I2 * I2) / (S * I1)) + mu * t1) / (v * Math.sqrt(t1));
  const e3 = (Math.log(S / I1) - mu * t1) / (v * Math.sqrt(t1));
  const e4 = (Math.log((I2 * I2) / (S * I1)) - mu * t1) / (v * Math.sqrt(t1));
  const f1 = (Math.log(S / H) + mu * T) / (v * Math.sqrt(T));
  const f2 = (Math.log((I2 * I2) / (S * H)) + mu * T) / (v * Math.sqrt(T));
  const f3 = (Math.log((I1 * I1) / (S * H)) + mu * T) / (v * Math.sqrt(T));
  const f4 = (Math.log((S * I1 * I1) / (H * I2 * I2)) + mu * T) / (v * Math.sqrt(T));
  const rho = Math.sqrt(t1 / T);
  const lambda = -r + gamma * b + 0.5 * gamma * (gamma - 1) * v * v;
  const kappa = (2 * b) / (v * v) + (2 * gamma - 1);
  return (
    Math.exp(lambda * T) *
    Math.pow(S, gamma) *
    (M(-e1, -f1, rho) -
      Math.pow(I2 / S, kappa) * M(-e2, -f2, rho) -
      Math.pow(I1 / S, kappa) * M(-e3, -f3, -rho) +
      Math.pow(I1 / I2, kappa) * M(-e4, -f4, -rho))
  );
}

/** The 2002 American call, C(S, X, T, r, b, sigma). */
export function oracleBs2002Call(S: number, X: number, T: number, r: number, b: number, v: number): number {
  if (b >= r) return gbs(true, S, X, T, r, b, v);
  const t1 = 0.5 * (Math.sqrt(5) - 1) * T;
  const beta = 0.5 - b / (v * v) + Math.sqrt(Math.pow(b / (v * v) - 0.5, 2) + (2 * r) / (v * v));
  const bInf = (beta / (beta - 1)) * X;
  const b0 = Math.max(X, (r / (r - b)) * X);
  const h1 = -(b * t1 + 2 * v * Math.sqrt(t1)) * ((X * X) / ((bInf - b0) * b0));
  const h2 = -(b * T + 2 * v * Math.sqrt(T)) * ((X * X) / ((bInf - b0) * b0));
  const I1 = b0 + (bInf - b0) * (1 - Math.exp(h1));
  const I2 = b0 + (bInf - b0) * (1 - Math.exp(h2));
  const alpha1 = (I1 - X) * Math.pow(I1, -beta);
  const alpha2 = (I2 - X) * Math.pow(I2, -beta);
  if (S >= I2) return S - X;
  return (
    alpha2 * Math.pow(S, beta) -
    alpha2 * phi(S, t1, beta, I2, I2, r, b, v) +
    phi(S, t1, 1, I2, I2, r, b, v) -
    phi(S, t1, 1, I1, I2, r, b, v) -
    X * phi(S, t1, 0, I2, I2, r, b, v) +
    X * phi(S, t1, 0, I1, I2, r, b, v) +
    alpha1 * phi(S, t1, beta, I1, I2, r, b, v) -
    alpha1 * psi(S, T, beta, I1, I2, I1, t1, r, b, v) +
    psi(S, T, 1, I1, I2, I1, t1, r, b, v) -
    psi(S, T, 1, X, I2, I1, t1, r, b, v) -
    X * psi(S, T, 0, I1, I2, I1, t1, r, b, v) +
    X * psi(S, T, 0, X, I2, I1, t1, r, b, v)
  );
}

/**
 * The 2002 approximation for either type, in the engine's inputs (q = dividend yield, b = r - q); puts by
 * the transformation P(S, X, T, r, b, sigma) = C(X, S, T, r - b, -b, sigma). Returns the raw formula, without
 * the engine's floors at the European and intrinsic values: the tests apply those themselves, so that a
 * case where the floor decides is visible as such.
 */
export function oracleBs2002(
  type: 'call' | 'put',
  S: number,
  X: number,
  T: number,
  r: number,
  q: number,
  v: number,
): number {
  const b = r - q;
  return type === 'call' ? oracleBs2002Call(S, X, T, r, b, v) : oracleBs2002Call(X, S, T, r - b, -b, v);
}

/** The European value by the oracle's own Black-Scholes. */
export function oracleEuropean(
  type: 'call' | 'put',
  S: number,
  X: number,
  T: number,
  r: number,
  q: number,
  v: number,
): number {
  return gbs(type === 'call', S, X, T, r, r - q, v);
}
