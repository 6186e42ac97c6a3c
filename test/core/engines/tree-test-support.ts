/**
 * What the binomial_200 and leisen_reimer tests share: the reference data, the input domain, closeness checks
 * that print every input, and the no-arbitrage properties every tree must satisfy.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import type { TreeOptions } from '../../../src/core/engines/binomial-tree.js';
import { MAX_TREE_STEPS } from '../../../src/core/engines/binomial-tree.js';
import { CoreError } from '../../../src/core/errors.js';
import type { ExerciseStyle, OptionSpec, OptionType } from '../../../src/core/instruments/option-spec.js';
import type { MarketInputs } from '../../../src/core/market/market-inputs.js';
import type { PriceResult } from '../../../src/core/results.js';

export interface Case {
  readonly type: OptionType;
  readonly exercise: ExerciseStyle;
  readonly spot: number;
  readonly strike: number;
  readonly expiry: number;
  readonly rate: number;
  readonly dividendYield: number;
  readonly volatility: number;
}

export interface TreeGreeksReference {
  readonly value: number;
  readonly delta: number;
  readonly gamma: number;
  /** QuantLib's theta: the Black-Scholes PDE residual from the tree's value, delta and gamma. */
  readonly theta: number;
}

export interface Expected {
  readonly value: number;
  readonly delta: number;
  readonly gamma: number;
  readonly theta: number;
  readonly vega: number;
  readonly rho: number;
}

export interface ReferenceRow extends Case {
  readonly id: string;
  readonly dayCounter: string;
  /** Haug 1998 p. 24's published Barone-Adesi-Whaley value (American rows of that table only). */
  readonly haugBaw: number | null;
  readonly lr201: TreeGreeksReference;
  readonly crr200: TreeGreeksReference;
  /** QuantLib's AnalyticEuropeanEngine (European rows only). */
  readonly analytic?: Expected;
}

/** test/core/reference/quantlib-1.29-trees.json, made by generate-quantlib-trees.py beside it. */
export const QUANTLIB_TREES = JSON.parse(
  readFileSync(new URL('../reference/quantlib-1.29-trees.json', import.meta.url), 'utf8'),
) as { readonly source: string; readonly cases: readonly ReferenceRow[] };

export type TreePricer = (option: OptionSpec, market: MarketInputs, options?: TreeOptions) => PriceResult;

export function optionOf(c: Case): OptionSpec {
  return { type: c.type, strike: c.strike, expiry: c.expiry, exercise: c.exercise };
}

export function marketOf(c: Case): MarketInputs {
  return { spot: c.spot, rate: c.rate, dividendYield: c.dividendYield, volatility: c.volatility };
}

export function describeCase(c: Case): string {
  return `${c.exercise} ${c.type} S=${c.spot} K=${c.strike} T=${c.expiry} r=${c.rate} q=${c.dividendYield} sigma=${c.volatility}`;
}

/** |actual - expected| <= tolerance * max(|expected|, scale): relative, with an absolute floor at tolerance * scale. */
export function assertClose(
  actual: number,
  expected: number,
  tolerance: number,
  scale: number,
  what: string,
  c: Case,
): void {
  const error = Math.abs(actual - expected);
  const bound = tolerance * Math.max(Math.abs(expected), scale);
  assert.ok(
    error <= bound,
    `${what}: got ${actual}, expected ${expected}, |error| ${error} > ${bound} (tolerance ${tolerance}); ${describeCase(c)}`,
  );
}

const double = (min: number, max: number) => fc.double({ min, max, noNaN: true, noDefaultInfinity: true });

/**
 * A wide domain: strikes e^-1.5..e^1.5 of spot (deep in and out of the money), a week-ish to 5 years,
 * negative rates, dividend yields above the rate. Every tree here is arbitrage-free: for CRR
 * |r - q| sqrt(dt) <= 0.2 * sqrt(5/200) < 0.05 <= sigma.
 */
export const wideCaseArb: fc.Arbitrary<Case> = fc
  .record({
    type: fc.constantFrom<OptionType>('call', 'put'),
    exercise: fc.constantFrom<ExerciseStyle>('european', 'american'),
    spot: double(1, 1000),
    moneyness: double(-1.5, 1.5),
    expiry: double(0.01, 5),
    rate: double(-0.05, 0.15),
    dividendYield: double(0, 0.15),
    volatility: double(0.05, 1.5),
  })
  .map(({ moneyness, ...rest }) => ({ ...rest, strike: rest.spot * Math.exp(moneyness) }));

/** Bounds on |tree - Black-Scholes| in units of each quantity's natural scale (see assertNearBlackScholes). */
export interface ConvergenceTolerance {
  readonly value: number;
  readonly delta: number;
  readonly gamma: number;
  readonly theta: number;
  readonly vega: number;
  readonly rho: number;
}

/**
 * Scales: value S sigma sqrt(T) (about 2.5 times the at-the-money price), delta 1, gamma
 * 1/(S sigma sqrt(T)), theta S sigma / sqrt(T), vega S sqrt(T), rho K T.
 */
export function assertNearBlackScholes(
  result: PriceResult,
  expected: Expected,
  c: Case,
  tolerance: ConvergenceTolerance,
): void {
  const sqrtT = Math.sqrt(c.expiry);
  const stdDev = c.volatility * sqrtT;
  const greeks = result.greeks;
  assert.ok(greeks !== null, `greeks requested but null; ${describeCase(c)}`);
  const check = (what: string, actual: number, wanted: number, scale: number, bound: number) => {
    const error = Math.abs(actual - wanted) / scale;
    assert.ok(
      error <= bound,
      `${what}: tree ${actual} vs Black-Scholes ${wanted}, error ${error} of the scale ${scale} > ${bound}; ${describeCase(c)}`,
    );
  };
  check('value', result.value, expected.value, c.spot * stdDev, tolerance.value);
  check('delta', greeks.delta, expected.delta, 1, tolerance.delta);
  check('gamma', greeks.gamma, expected.gamma, 1 / (c.spot * stdDev), tolerance.gamma);
  check('theta', greeks.theta, expected.theta, (c.spot * c.volatility) / sqrtT, tolerance.theta);
  check('vega', greeks.vega, expected.vega, c.spot * sqrtT, tolerance.vega);
  check('rho', greeks.rho, expected.rho, c.strike * c.expiry, tolerance.rho);
}

/**
 * Registers the properties every arbitrage-free tree satisfies whatever its construction: early exercise
 * is worth something, prices respect the static no-arbitrage bounds and put-call parity (exactly, since both
 * trees match the one-step forward e^((r-q)dt)), and prices move the right way in spot and strike.
 * `monotonicityGap`: the relative spot/strike gap beyond which monotonicity is asserted (0 for CRR, whose
 * nodes do not depend on S or K; Leisen-Reimer recentres on K/S, so its price is only monotone up to its own
 * tiny error's variation).
 */
export function registerTreeProperties(model: string, pricer: TreePricer, monotonicityGap: number): void {
  const price = (c: Case) => pricer(optionOf(c), marketOf(c), { greeks: false }).value;
  // Rounding: ~steps^2/2 multiply-adds, each exact to 1 ulp of the notional.
  const roundingFloor = (c: Case) => 1e-12 * Math.max(c.spot, c.strike);

  it(`${model}: an American option is worth at least the European one and at least its intrinsic value`, () => {
    fc.assert(
      fc.property(wideCaseArb, (c) => {
        const american = price({ ...c, exercise: 'american' });
        const european = price({ ...c, exercise: 'european' });
        const intrinsic = Math.max(c.type === 'call' ? c.spot - c.strike : c.strike - c.spot, 0);
        assert.ok(
          american >= european - roundingFloor(c),
          `American ${american} < European ${european}; ${describeCase(c)}`,
        );
        assert.ok(american >= intrinsic, `American ${american} < intrinsic ${intrinsic}; ${describeCase(c)}`);
        // And never more than the asset (call) or the strike (put) it can deliver.
        const ceiling = c.type === 'call' ? c.spot : c.strike;
        assert.ok(american <= ceiling + roundingFloor(c), `American ${american} > ${ceiling}; ${describeCase(c)}`);
      }),
      { seed: 1, numRuns: 60 },
    );
  });

  it(`${model}: an American call without dividends and with r >= 0 is worth exactly the European call`, () => {
    fc.assert(
      fc.property(wideCaseArb, (drawn) => {
        const c = { ...drawn, type: 'call' as const, dividendYield: 0, rate: Math.abs(drawn.rate) };
        const american = price({ ...c, exercise: 'american' });
        const european = price({ ...c, exercise: 'european' });
        // Equal in exact arithmetic; with r = 0 continuation and intrinsic value tie deep in the money and
        // rounding may pick either, so allow rounding of the notional.
        assertClose(american, european, 1e-12, Math.max(c.spot, c.strike), 'American call vs European call', c);
      }),
      { seed: 2, numRuns: 60 },
    );
  });

  it(`${model}: European prices lie within the static bounds and satisfy put-call parity`, () => {
    fc.assert(
      fc.property(wideCaseArb, (drawn) => {
        const c = { ...drawn, exercise: 'european' as const };
        const call = price({ ...c, type: 'call' });
        const put = price({ ...c, type: 'put' });
        const forwardSpot = c.spot * Math.exp(-c.dividendYield * c.expiry);
        const discountedStrike = c.strike * Math.exp(-c.rate * c.expiry);
        const floor = roundingFloor(c);
        assert.ok(
          call >= Math.max(forwardSpot - discountedStrike, 0) - floor && call <= forwardSpot + floor,
          `call ${call} outside bounds; ${describeCase(c)}`,
        );
        assert.ok(
          put >= Math.max(discountedStrike - forwardSpot, 0) - floor && put <= discountedStrike + floor,
          `put ${put} outside bounds; ${describeCase(c)}`,
        );
        const parityError = Math.abs(call - put - (forwardSpot - discountedStrike));
        assert.ok(
          parityError <= floor,
          `put-call parity off by ${parityError} (call ${call}, put ${put}); ${describeCase(c)}`,
        );
      }),
      { seed: 3, numRuns: 60 },
    );
  });

  it(`${model}: calls rise and puts fall with spot; calls fall and puts rise with strike`, () => {
    fc.assert(
      fc.property(wideCaseArb, fc.double({ min: 0, max: 0.5, noNaN: true }), (c, bump) => {
        const factor = 1 + monotonicityGap + bump;
        const sign = c.type === 'call' ? 1 : -1;
        const base = price(c);
        const higherSpot = price({ ...c, spot: c.spot * factor });
        const higherStrike = price({ ...c, strike: c.strike * factor });
        const floor = roundingFloor(c) * factor;
        assert.ok(
          sign * (higherSpot - base) >= -floor,
          `value ${base} -> ${higherSpot} when spot x${factor}; ${describeCase(c)}`,
        );
        assert.ok(
          sign * (base - higherStrike) >= -floor,
          `value ${base} -> ${higherStrike} when strike x${factor}; ${describeCase(c)}`,
        );
      }),
      { seed: 4, numRuns: 60 },
    );
  });

  it(`${model}: prices the API's extreme inputs (sigma 5, T 50, spot and strike from 1e-3 to 1e9) without overflow`, () => {
    // sigma sqrt(T) = 35: the tree's top node is about S e^500, far beyond a naive (up/down)^j table.
    for (const [spot, strike] of [
      [100, 100],
      [1e9, 1],
      [1e-3, 1e9],
      [1, 1e-3],
    ] as const) {
      for (const type of ['call', 'put'] as const) {
        for (const exercise of ['european', 'american'] as const) {
          const c: Case = { type, exercise, spot, strike, expiry: 50, rate: 0.05, dividendYield: 0.02, volatility: 5 };
          const result = pricer(optionOf(c), marketOf(c));
          const greeks = Object.values(result.greeks!);
          assert.ok(
            Number.isFinite(result.value) && greeks.every(Number.isFinite),
            `${JSON.stringify(result)}; ${describeCase(c)}`,
          );
          const intrinsic = Math.max(type === 'call' ? spot - strike : strike - spot, 0);
          const forward =
            type === 'call'
              ? Math.max(spot * Math.exp(-0.02 * 50) - strike * Math.exp(-0.05 * 50), 0)
              : Math.max(strike * Math.exp(-0.05 * 50) - spot * Math.exp(-0.02 * 50), 0);
          const lower = exercise === 'american' ? Math.max(intrinsic, forward) : forward;
          const upper = type === 'call' ? spot : strike;
          const floor = roundingFloor(c);
          assert.ok(
            result.value >= lower - floor && result.value <= upper + floor,
            `value ${result.value} outside [${lower}, ${upper}]; ${describeCase(c)}`,
          );
        }
      }
    }
  });

  it(`${model}: refuses invalid inputs and step counts with ERR_CORE_INVALID_INPUT naming the parameter`, () => {
    const good: Case = {
      type: 'put',
      exercise: 'american',
      spot: 100,
      strike: 100,
      expiry: 1,
      rate: 0.05,
      dividendYield: 0,
      volatility: 0.2,
    };
    const refusals: [string, Case, TreeOptions | undefined][] = [
      ['spot', { ...good, spot: 0 }, undefined],
      ['spot', { ...good, spot: Number.NaN }, undefined],
      ['strike', { ...good, strike: -1 }, undefined],
      ['expiry', { ...good, expiry: 0 }, undefined],
      ['volatility', { ...good, volatility: 0 }, undefined],
      ['volatility', { ...good, volatility: Number.POSITIVE_INFINITY }, undefined],
      ['rate', { ...good, rate: Number.NaN }, undefined],
      ['dividendYield', { ...good, dividendYield: Number.NEGATIVE_INFINITY }, undefined],
      ['steps', good, { steps: 1 }],
      ['steps', good, { steps: 0 }],
      ['steps', good, { steps: 100.5 }],
      ['steps', good, { steps: Number.NaN }],
      ['steps', good, { steps: MAX_TREE_STEPS + 1 }],
      // sigma sqrt(T steps) = 60 * sqrt(40 * 201) = 5,380: the top node would be e^5380.
      ['volatility', { ...good, volatility: 60, expiry: 40 }, undefined],
    ];
    for (const [param, c, options] of refusals) {
      assert.throws(
        () => pricer(optionOf(c), marketOf(c), options),
        (error: unknown) =>
          error instanceof CoreError && error.code === 'ERR_CORE_INVALID_INPUT' && error.param === param,
        `expected ERR_CORE_INVALID_INPUT on ${param} for ${describeCase(c)} with ${JSON.stringify(options)}`,
      );
    }
  });
}
