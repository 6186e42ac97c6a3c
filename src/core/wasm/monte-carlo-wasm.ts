import type { OptionSpec } from '../instruments/option-spec.js';
import type { MarketInputs } from '../market/market-inputs.js';
import type { SampleMoments } from '../math/summary-stats.js';
import type { PriceResult } from '../results.js';
import {
  checkMonteCarloPairs,
  combineMonteCarloBlocks,
  finishMonteCarlo,
  MONTE_CARLO_BLOCK_PAIRS,
  MONTE_CARLO_DEFAULT_PAIRS,
  monteCarloBlockCount,
  monteCarloBlockPartial,
  prepareMonteCarlo,
  type MonteCarloBlockPartial,
  type MonteCarloOptions,
  type MonteCarloSetup,
} from '../engines/monte-carlo.js';
import { reserveKernelMemory, wasmKernels } from './wasm-kernels.js';

/** The options of priceMonteCarlo: greeks (default true), seed, stream and number of antithetic pairs. */
export type MonteCarloWasmOptions = MonteCarloOptions;

/** The price kernel's scratch (normals, pair samples, tail indices for one block of 1,000 pairs). */
const PRICE_SCRATCH_BYTES = MONTE_CARLO_BLOCK_PAIRS * (8 + 8 + 4);
/** The greek kernel's scratch (normals, six samples per pair, tail indices). */
const GREEK_SCRATCH_BYTES = MONTE_CARLO_BLOCK_PAIRS * (8 + 48 + 4);
/** Per block: (count, mean, m2) of one quantity, or of six with greeks. */
const PRICE_RECORD_DOUBLES = 3;
const GREEK_RECORD_DOUBLES = 18;
/**
 * Blocks simulated per kernel call with greeks: bounds the records' memory (144 bytes a block) however many pairs
 * are asked for; 20,000 paths take one call.
 */
const GREEK_BLOCKS_PER_CALL = 64;

/**
 * monte_carlo_20k on the WebAssembly kernels (assembly/monte-carlo.ts): the same validation and errors, the same
 * random numbers, the same per-pair estimators and the same per-block moments, combined by the same code, so the
 * PriceResult (price, greeks, standard error, interval, paths) equals priceMonteCarlo(option, market, options)
 * bit for bit, with greeks (the default) or without.
 */
export function priceMonteCarloWasm(
  option: OptionSpec,
  market: MarketInputs,
  options: MonteCarloWasmOptions,
): PriceResult {
  // The order of priceMonteCarlo's checks: pairs first, then everything its setup checks.
  checkMonteCarloPairs(options.pairs ?? MONTE_CARLO_DEFAULT_PAIRS);
  const setup = prepareMonteCarlo(option, market, options);
  return finishMonteCarlo(
    combineMonteCarloBlocks(setup.greeks ? greekPartials(setup) : pricePartials(setup)),
    option,
    market,
  );
}

function pricePartials(setup: MonteCarloSetup): MonteCarloBlockPartial[] {
  const blocks = monteCarloBlockCount(setup.totalPairs);
  const scratch = reserveKernelMemory(PRICE_SCRATCH_BYTES + blocks * PRICE_RECORD_DOUBLES * 8);
  const records = scratch + PRICE_SCRATCH_BYTES;
  const kernels = wasmKernels();
  kernels.monteCarloPriceBlocks(
    setup.k0,
    setup.k1,
    setup.s0,
    setup.s1,
    setup.totalPairs,
    setup.forwardFactor,
    setup.totalVolatility,
    setup.halfDiscount,
    setup.strike,
    setup.isCall ? 1 : 0,
    scratch,
    records,
  );
  return readPartials(
    setup,
    0,
    blocks,
    new Float64Array(kernels.memory.buffer, records, blocks * PRICE_RECORD_DOUBLES),
    1,
  );
}

function greekPartials(setup: MonteCarloSetup): MonteCarloBlockPartial[] {
  const blocks = monteCarloBlockCount(setup.totalPairs);
  const perCall = Math.min(blocks, GREEK_BLOCKS_PER_CALL);
  const scratch = reserveKernelMemory(GREEK_SCRATCH_BYTES + perCall * GREEK_RECORD_DOUBLES * 8);
  const records = scratch + GREEK_SCRATCH_BYTES;
  const kernels = wasmKernels();
  const partials: MonteCarloBlockPartial[] = [];
  for (let first = 0; first < blocks; first += perCall) {
    const count = Math.min(perCall, blocks - first);
    kernels.monteCarloGreekBlocks(
      setup.k0,
      setup.k1,
      setup.s0,
      setup.s1,
      setup.totalPairs,
      first,
      count,
      setup.isCall ? 1 : 0,
      setup.strike,
      setup.spot,
      setup.expiry,
      setup.volatility,
      setup.forwardFactor,
      setup.totalVolatility,
      setup.halfDiscount,
      setup.upForwardFactor,
      setup.upTotalVolatility,
      setup.upHalfDiscount,
      setup.downForwardFactor,
      setup.downTotalVolatility,
      setup.downHalfDiscount,
      setup.thetaWidth,
      scratch,
      records,
    );
    const moments = new Float64Array(kernels.memory.buffer, records, count * GREEK_RECORD_DOUBLES);
    partials.push(...readPartials(setup, first, count, moments, 6));
  }
  return partials;
}

/** The partials of blocks first .. first + count - 1 from their records of `quantities` x (count, mean, m2). */
function readPartials(
  setup: MonteCarloSetup,
  first: number,
  count: number,
  records: Float64Array,
  quantities: number,
): MonteCarloBlockPartial[] {
  const partials: MonteCarloBlockPartial[] = [];
  for (let b = 0; b < count; b++) {
    const moments: SampleMoments[] = [];
    for (let k = 0; k < quantities; k++) {
      const at = 3 * (b * quantities + k);
      moments.push({ count: records[at]!, mean: records[at + 1]!, m2: records[at + 2]! });
    }
    partials.push(monteCarloBlockPartial(setup, first + b, moments));
  }
  return partials;
}
