import { CoreError } from '../errors.js';
import type { OptionSpec } from '../instruments/option-spec.js';
import type { MarketInputs } from '../market/market-inputs.js';
import type { PriceResult } from '../results.js';
import {
  combineMonteCarloBlocks,
  MAX_TOTAL_VOLATILITY,
  MONTE_CARLO_BLOCK_PAIRS,
  MONTE_CARLO_DEFAULT_PAIRS,
  MONTE_CARLO_MODEL,
  monteCarloBlockCount,
  THETA_RELATIVE_BUMP,
  type MonteCarloBlockPartial,
} from '../engines/monte-carlo.js';
import { requireSeed, requireStream, splitWords64 } from '../math/seed.js';
import { requireExercise, validateInputs } from '../validate.js';
import { reserveKernelMemory, wasmKernels } from './wasm-kernels.js';

/** The seed, stream and number of antithetic pairs, as in MonteCarloOptions; the greeks are not offered here. */
export interface MonteCarloWasmOptions {
  /** 64-bit unsigned seed, the Philox key. */
  readonly seed: bigint;
  /** Stream index (default 0). */
  readonly stream?: bigint | number;
  /** Antithetic pairs (default 10,000, i.e. 20,000 paths); at least 2. */
  readonly pairs?: number;
}

/** The kernel's scratch (normals, pair samples, tail indices for one block of 1,000 pairs). */
const SCRATCH_BYTES = MONTE_CARLO_BLOCK_PAIRS * (8 + 8 + 4);
/** Bytes of the per-block record the kernel writes: count, mean, m2. */
const RECORD_BYTES = 24;

/**
 * monte_carlo_20k without greeks on the WebAssembly kernel (assembly/monte-carlo.ts): the same random numbers,
 * the same per-block moments and the same combination, so the PriceResult (price, standard error, interval,
 * paths) equals priceMonteCarlo(option, market, { ...options, greeks: false }) bit for bit, with the same
 * validation and errors. The greeks stay with priceMonteCarlo.
 */
export function priceMonteCarloWasm(option: OptionSpec, market: MarketInputs, options: MonteCarloWasmOptions): PriceResult {
  // The order of priceMonteCarlo's checks: pairs first, then everything prepare() checks.
  const totalPairs = options.pairs ?? MONTE_CARLO_DEFAULT_PAIRS;
  checkPairs(totalPairs);
  validateInputs(option, market);
  requireExercise(option, ['european'], MONTE_CARLO_MODEL);
  requireSeed(options.seed, 'seed');
  const stream = requireStream(options.stream ?? 0, 'stream');

  const { spot, rate, dividendYield, volatility } = market;
  const expiry = option.expiry;
  const totalVolatility = volatility * Math.sqrt(expiry);
  if (!(totalVolatility <= MAX_TOTAL_VOLATILITY)) {
    throw new CoreError('ERR_CORE_INVALID_INPUT', `volatility * sqrt(expiry) must be at most ${MAX_TOTAL_VOLATILITY} for Monte Carlo, got ${totalVolatility}`, 'volatility');
  }
  const drift = rate - dividendYield - 0.5 * volatility * volatility;
  const forwardFactor = spot * Math.exp(drift * expiry);
  const halfDiscount = 0.5 * Math.exp(-rate * expiry);
  // priceMonteCarlo also refuses inputs whose theta bumps leave the double range, greeks or not.
  const upExpiry = expiry * (1 + THETA_RELATIVE_BUMP);
  const downExpiry = expiry * (1 - THETA_RELATIVE_BUMP);
  const bumped = [
    spot * Math.exp(drift * upExpiry), 0.5 * Math.exp(-rate * upExpiry),
    spot * Math.exp(drift * downExpiry), 0.5 * Math.exp(-rate * downExpiry),
  ];
  for (const value of [forwardFactor, halfDiscount, ...bumped]) {
    if (!Number.isFinite(value)) {
      throw new CoreError('ERR_CORE_INVALID_INPUT', 'spot, rate, dividend yield and expiry put the forward or the discount factor outside the double range', 'rate');
    }
  }

  const [k0, k1] = splitWords64(options.seed);
  const [s0, s1] = splitWords64(stream);
  const blocks = monteCarloBlockCount(totalPairs);
  const scratch = reserveKernelMemory(SCRATCH_BYTES + blocks * RECORD_BYTES);
  const records = scratch + SCRATCH_BYTES;
  const kernels = wasmKernels();
  kernels.monteCarloPriceBlocks(
    k0, k1, s0, s1, totalPairs, forwardFactor, totalVolatility, halfDiscount, option.strike, option.type === 'call' ? 1 : 0,
    scratch, records,
  );
  const moments = new Float64Array(kernels.memory.buffer, records, blocks * 3);
  const partials: MonteCarloBlockPartial[] = [];
  for (let block = 0; block < blocks; block++) {
    const mean = moments[3 * block + 1]!;
    const m2 = moments[3 * block + 2]!;
    if (!Number.isFinite(mean) || !Number.isFinite(m2)) {
      throw new CoreError('ERR_CORE_INVALID_INPUT', 'the simulated payoffs overflow the double range for these inputs', 'spot');
    }
    partials.push({ block, totalPairs, greeks: false, moments: [{ count: moments[3 * block]!, mean, m2 }] });
  }
  return combineMonteCarloBlocks(partials);
}

function checkPairs(pairs: number): void {
  if (typeof pairs !== 'number' || !Number.isSafeInteger(pairs) || pairs < 2) {
    throw new CoreError('ERR_CORE_INVALID_INPUT', `pairs must be an integer of at least 2, got ${String(pairs)}`, 'pairs');
  }
}
