/**
 * What the barone_adesi_whaley, bjerksund_stensland and bjerksund_stensland_1993 tests share: QuantLib 1.29's
 * reference values, the contract/market builders, and closeness checks whose failure message prints every input.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { OptionSpec, OptionType } from '../../../src/core/instruments/option-spec.js';
import type { MarketInputs } from '../../../src/core/market/market-inputs.js';

export interface QuantLibRow {
  readonly set: 'haug-1998-p24' | 'haug-1998-p27' | 'quantlib-tests' | 'random' | 'edge';
  readonly type: OptionType;
  readonly spot: number;
  readonly strike: number;
  readonly days: number;
  readonly expiry: number;
  readonly rate: number;
  readonly dividendYield: number;
  readonly volatility: number;
  readonly baroneAdesiWhaley: number | null;
  readonly bjerksundStensland1993: number | null;
  readonly baroneAdesiWhaleyError?: string;
  readonly bjerksundStensland1993Error?: string;
  readonly published?: number;
  readonly publishedModel?: 'barone_adesi_whaley' | 'bjerksund_stensland_1993';
}

export const QUANTLIB_AMERICAN = JSON.parse(
  readFileSync(new URL('../reference/quantlib-1.29-american-approximations.json', import.meta.url), 'utf8'),
) as { source: string; notes: string[]; rows: QuantLibRow[] };

/** The inputs of one pricing, in the engine's vocabulary. */
export interface AmericanCase {
  readonly type: OptionType;
  readonly spot: number;
  readonly strike: number;
  readonly expiry: number;
  readonly rate: number;
  readonly dividendYield: number;
  readonly volatility: number;
}

export function americanOption(c: AmericanCase): OptionSpec {
  return { type: c.type, strike: c.strike, expiry: c.expiry, exercise: 'american' };
}

export function europeanOption(c: AmericanCase): OptionSpec {
  return { type: c.type, strike: c.strike, expiry: c.expiry, exercise: 'european' };
}

export function marketOf(c: AmericanCase): MarketInputs {
  return { spot: c.spot, rate: c.rate, dividendYield: c.dividendYield, volatility: c.volatility };
}

export function describeCase(c: AmericanCase): string {
  return `${c.type} S=${c.spot} K=${c.strike} T=${c.expiry} r=${c.rate} q=${c.dividendYield} sigma=${c.volatility}`;
}

export function intrinsic(c: AmericanCase): number {
  return Math.max(c.type === 'call' ? c.spot - c.strike : c.strike - c.spot, 0);
}

/**
 * |actual - expected| <= relative * |expected| + absolute, with every input in the failure message.
 * Returns the relative deviation, for callers that report the worst one.
 */
export function assertClose(
  actual: number,
  expected: number,
  relative: number,
  absolute: number,
  what: string,
  c: AmericanCase,
): number {
  const error = Math.abs(actual - expected);
  assert.ok(
    error <= relative * Math.abs(expected) + absolute,
    `${what}: ${describeCase(c)}: got ${actual}, expected ${expected}, |error| ${error} (allowed ${relative} relative + ${absolute})`,
  );
  return expected === 0 ? (error === 0 ? 0 : Infinity) : error / Math.abs(expected);
}
