/**
 * Type-level tests of the library API (the barrel src/core/index.ts, which package.json's "exports" publishes), in the
 * manner of jose's test-d: the assertion is that `npm run typecheck` compiles this file. Positive assertions use
 * Equals<A, B>, which only compiles when A and B are the same type; negative ones use @ts-expect-error, which stops
 * compiling when the error it expects goes away. The compile-only part is a function that is never called. One
 * runtime test pins the barrel's value exports, so nothing is published or withdrawn by accident.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as core from '../../src/core/index.js';
import type {
  CoreErrorCode,
  Diagnostics,
  ExerciseStyle,
  Greeks,
  ImpliedVolatilityResult,
  MarketInputs,
  ModelInfo,
  ModelName,
  OptionSpec,
  OptionType,
  Price,
  PriceOptionOptions,
  PriceResult,
  Rate,
  Volatility,
  YearFraction,
} from '../../src/core/index.js';

/** true when A and B are mutually identical (not merely assignable), else false. */
type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** Compiles only for `true`. */
function expectTrue<T extends true>(): T | void {}

declare const option: OptionSpec;
declare const market: MarketInputs;
declare const anyString: string;

export function compileOnlyAssertions(): void {
  /* The model parameter is the union of the seven wire names, not an open string. */
  expectTrue<
    Equals<
      ModelName,
      | 'black_scholes'
      | 'binomial_200'
      | 'monte_carlo_20k'
      | 'leisen_reimer'
      | 'barone_adesi_whaley'
      | 'bjerksund_stensland'
      | 'bjerksund_stensland_1993'
    >
  >();
  expectTrue<Equals<Parameters<typeof core.priceOption>[0], ModelName>>();
  expectTrue<Equals<(typeof core.MODEL_NAMES)[number], ModelName>>();
  core.priceOption('leisen_reimer', option, market);
  // @ts-expect-error a misspelt model name is refused at compile time
  core.priceOption('binomial_100', option, market);
  // @ts-expect-error the wire names are snake_case
  core.priceOption('blackScholes', option, market);
  // @ts-expect-error an arbitrary string must be narrowed first
  core.priceOption(anyString, option, market);
  if (core.isModelName(anyString)) core.priceOption(anyString, option, market);

  /* Seeds are 64-bit bigints: a JSON number loses integers above 2^53, so a number is refused. */
  expectTrue<Equals<PriceOptionOptions['seed'], bigint | undefined>>();
  core.priceOption('monte_carlo_20k', option, market, { seed: 42n });
  // @ts-expect-error a number seed could silently collide with another one above 2^53
  core.priceOption('monte_carlo_20k', option, market, { seed: 42 });
  expectTrue<Equals<ReturnType<typeof core.deriveChildSeed>, bigint>>();
  // @ts-expect-error the root seed is a bigint
  core.deriveChildSeed(7, 0);
  // @ts-expect-error priceMonteCarlo has no ambient randomness: the seed is required
  core.priceMonteCarlo(option, market, {});

  /* Instruments and markets are readonly value types with literal unions. */
  expectTrue<Equals<OptionType, 'call' | 'put'>>();
  expectTrue<Equals<ExerciseStyle, 'european' | 'american'>>();
  // @ts-expect-error no third option type
  const _straddle: OptionSpec = { type: 'straddle', strike: 100, expiry: 1, exercise: 'european' };
  // @ts-expect-error Bermudan exercise is not priced
  const _bermudan: OptionSpec = { type: 'call', strike: 100, expiry: 1, exercise: 'bermudan' };
  // @ts-expect-error a priced contract cannot be changed in place
  option.strike = 101;
  // @ts-expect-error nor its market
  market.volatility = 0.3;
  void [_straddle, _bermudan];

  /* The unit aliases are plain numbers to the compiler (they document units, as QuantLib's ql/types.hpp). */
  expectTrue<Equals<YearFraction | Rate | Volatility | Price, number>>();

  /* Results: greeks are absent (null) unless requested, so they must be checked before use; diagnostics are data. */
  const result = core.priceOption('binomial_200', option, market);
  expectTrue<Equals<typeof result, PriceResult>>();
  expectTrue<Equals<PriceResult['greeks'], Greeks | null>>();
  // @ts-expect-error greeks may be null
  void result.greeks.delta;
  if (result.greeks !== null) expectTrue<Equals<typeof result.greeks.vega, number>>();
  expectTrue<Equals<Diagnostics['confidenceInterval'], readonly [number, number] | undefined>>();
  expectTrue<Equals<keyof Greeks, 'delta' | 'gamma' | 'theta' | 'vega' | 'rho'>>();
  expectTrue<Equals<ModelInfo['greeks'], Readonly<Record<keyof Greeks, string>>>>();

  /* Implied volatility takes the market without a volatility (it is the unknown) and returns convergence as data. */
  expectTrue<Equals<ReturnType<typeof core.impliedVolatility>, ImpliedVolatilityResult>>();
  expectTrue<
    Equals<
      ImpliedVolatilityResult,
      { readonly volatility: number; readonly iterations: number; readonly converged: boolean }
    >
  >();
  core.impliedVolatility(10.45, option, { spot: 100, rate: 0.05, dividendYield: 0 });
  // @ts-expect-error the volatility is what is being solved for
  core.impliedVolatility(10.45, option, { spot: 100, rate: 0.05, dividendYield: 0, volatility: 0.2 });
  core.impliedVolatilityAmerican(
    10.45,
    option,
    market,
    (volatility) => core.priceOption('binomial_200', option, { ...market, volatility }).value,
  );
  // @ts-expect-error the pricer maps a volatility to a price
  core.impliedVolatilityAmerican(10.45, option, market, (volatility: string) => volatility.length);

  /* Errors: the code is a literal union a caller can switch on exhaustively. */
  expectTrue<
    Equals<
      CoreErrorCode,
      | 'ERR_CORE_INVALID_INPUT'
      | 'ERR_CORE_UNSUPPORTED_EXERCISE'
      | 'ERR_CORE_UNKNOWN_MODEL'
      | 'ERR_CORE_PRICE_BELOW_INTRINSIC'
      | 'ERR_CORE_PRICE_ABOVE_MAXIMUM'
      | 'ERR_CORE_NO_CONVERGENCE'
    >
  >();
  const describeError = (error: unknown): string => {
    if (!core.isCoreError(error)) return 'not ours';
    expectTrue<Equals<typeof error.param, string | undefined>>();
    switch (error.code) {
      case 'ERR_CORE_INVALID_INPUT':
      case 'ERR_CORE_UNSUPPORTED_EXERCISE':
      case 'ERR_CORE_UNKNOWN_MODEL':
        return 'bad request';
      case 'ERR_CORE_PRICE_BELOW_INTRINSIC':
      case 'ERR_CORE_PRICE_ABOVE_MAXIMUM':
        return 'no volatility';
      case 'ERR_CORE_NO_CONVERGENCE':
        return 'no convergence';
      default: {
        const exhaustive: never = error.code;
        return exhaustive;
      }
    }
  };
  void describeError;
  // @ts-expect-error codes outside the catalogue do not type-check
  const _unknownCode: CoreErrorCode = 'ERR_CORE_SOMETHING_ELSE';
  void _unknownCode;

  /* Implementation details stay behind the barrel. */
  // @ts-expect-error the Black-Scholes kernel is internal
  void core.blackScholesKernel;
  // @ts-expect-error the tree engine's policy plumbing is internal
  void core.priceOnBinomialTree;
  // @ts-expect-error input validation helpers are internal
  void core.validateInputs;
}

describe('library API (src/core/index.ts)', () => {
  it('exports exactly these runtime values: pricing, implied volatility, the normal functions, seeds, the volatility surface, the calibrated surfaces and the error class', () => {
    assert.deepEqual(Object.keys(core).sort(), [
      'CORE_DOMAIN',
      'CoreError',
      'MODELS',
      'MODEL_NAMES',
      'SurfaceEvaluator',
      'VolatilitySurface',
      'bivariateNormalCdf',
      'blackScholesPrice',
      'buildSurface',
      'calibrateSabr',
      'calibrateSvi',
      'checkButterfly',
      'checkCalendar',
      'checkPutCallParity',
      'cleanBoard',
      'combineMonteCarloBlocks',
      'deriveChildSeed',
      'erfc',
      'impliedVolatility',
      'impliedVolatilityAmerican',
      'impliedVolatilityBatch',
      'inverseNormalCdf',
      'isCoreError',
      'isModelName',
      'mergeBlockMoments',
      'monteCarloBlockCount',
      'normCdf',
      'normPdf',
      'priceBaroneAdesiWhaley',
      'priceBinomialCrr',
      'priceBjerksundStensland',
      'priceBjerksundStensland1993',
      'priceBlackScholes',
      'priceBlackScholesBatch',
      'priceLeisenReimer',
      'priceLongstaffSchwartz',
      'priceMonteCarlo',
      'priceMonteCarloEuropean',
      'priceMonteCarloModel',
      'priceOption',
      'sabrVolatility',
      'simulateMonteCarloBlocks',
      'simulateMonteCarloEuropeanBlocks',
      'sviDensityFactor',
      'sviMinimumVariance',
      'sviTotalVariance',
    ]);
  });
});
