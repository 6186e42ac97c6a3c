/**
 * The fixed, seeded option sets every candidate prices. Drawn once per run from a 32-bit xorshift generator
 * with a fixed seed, so every run (and every machine) prices exactly the same contracts.
 *
 * Expiries are whole days on an Actual/365 basis (T = days / 365): QuantLib dates its instruments, and with
 * day-exact expiries its year fraction is exactly the T every other candidate receives.
 */

import { xorshift32 } from '../support/xorshift32.js';

/** One option set as structure-of-arrays: element i of every array describes contract i. */
export interface OptionSet {
  readonly size: number;
  /** 1 call, 0 put. */
  readonly isCall: Uint8Array;
  readonly spot: Float64Array;
  readonly strike: Float64Array;
  /** Whole days to expiry; expiry = days / 365. */
  readonly days: Int32Array;
  /** Years. */
  readonly expiry: Float64Array;
  readonly volatility: Float64Array;
  readonly rate: Float64Array;
  readonly dividendYield: Float64Array;
}

export const EUROPEAN_SEED = 20240611;
export const AMERICAN_SEED = 19870301;

const MIN_DAYS = 19; // 0.052 years: the first whole day past 0.05 y
const MAX_DAYS = 1095; // 3.0 years

/**
 * `size` contracts: spot and strike uniform in [50, 150], expiry uniform in whole days over [0.05, 3] years,
 * volatility in [0.05, 0.8], rate in [0, 0.08], dividend yield in [0, 0.03]; calls and puts with equal
 * probability, or puts only.
 */
function drawSet(size: number, seed: number, putsOnly: boolean): OptionSet {
  const random = xorshift32(seed);
  const set: OptionSet = {
    size,
    isCall: new Uint8Array(size),
    spot: new Float64Array(size),
    strike: new Float64Array(size),
    days: new Int32Array(size),
    expiry: new Float64Array(size),
    volatility: new Float64Array(size),
    rate: new Float64Array(size),
    dividendYield: new Float64Array(size),
  };
  for (let i = 0; i < size; i++) {
    const call = random() < 0.5;
    set.isCall[i] = putsOnly ? 0 : call ? 1 : 0;
    set.spot[i] = 50 + 100 * random();
    set.strike[i] = 50 + 100 * random();
    const days = MIN_DAYS + Math.floor((MAX_DAYS - MIN_DAYS + 1) * random());
    set.days[i] = days;
    set.expiry[i] = days / 365;
    set.volatility[i] = 0.05 + 0.75 * random();
    set.rate[i] = 0.08 * random();
    set.dividendYield[i] = 0.03 * random();
  }
  return set;
}

/** The European set: 100,000 calls and puts by default. */
export function europeanSet(size = 100_000): OptionSet {
  return drawSet(size, EUROPEAN_SEED, false);
}

/** The American put set (same distributions, puts only). */
export function americanPutSet(size: number): OptionSet {
  return drawSet(size, AMERICAN_SEED, true);
}
