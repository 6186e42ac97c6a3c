import { CoreError } from './errors.js';
import type { ExerciseStyle, OptionSpec } from './instruments/option-spec.js';
import type { MarketInputs } from './market/market-inputs.js';
import type { Greeks, PriceResult } from './results.js';
import { priceBlackScholes } from './engines/black-scholes.js';
import { priceBinomialCrr } from './engines/binomial-crr.js';
import { priceLeisenReimer } from './engines/leisen-reimer.js';
import { priceBaroneAdesiWhaley } from './engines/barone-adesi-whaley.js';
import { priceBjerksundStensland } from './engines/bjerksund-stensland.js';
import { priceBjerksundStensland1993 } from './engines/bjerksund-stensland-1993.js';
import { priceMonteCarlo } from './engines/monte-carlo.js';
import { priceBinomialCrrWasm, priceLeisenReimerWasm } from './wasm/binomial-tree-wasm.js';
import { priceMonteCarloWasm } from './wasm/monte-carlo-wasm.js';
import { wasmKernelsAvailable } from './wasm/wasm-kernels.js';

/** Model names exactly as on the wire (API-V1.md, NUMERICS.md). */
export const MODEL_NAMES = [
  'black_scholes',
  'binomial_200',
  'monte_carlo_20k',
  'leisen_reimer',
  'barone_adesi_whaley',
  'bjerksund_stensland',
  'bjerksund_stensland_1993',
] as const;

export type ModelName = (typeof MODEL_NAMES)[number];

export interface ModelInfo {
  readonly name: ModelName;
  readonly exerciseStyles: readonly ExerciseStyle[];
  /** How each greek is obtained, for GET /api/v1/models. */
  readonly greeks: Readonly<Record<keyof Greeks, string>>;
  readonly description: string;
}

const BUMPED: ModelInfo['greeks'] = { delta: 'bump-and-revalue', gamma: 'bump-and-revalue', theta: 'bump-and-revalue', vega: 'bump-and-revalue', rho: 'bump-and-revalue' };
const TREE: ModelInfo['greeks'] = { delta: 'tree nodes (step 1)', gamma: 'tree nodes (step 2)', theta: 'tree nodes (step 2 vs root)', vega: 'central bump on the same tree', rho: 'central bump on the same tree' };

export const MODELS: readonly ModelInfo[] = [
  {
    name: 'black_scholes',
    exerciseStyles: ['european'],
    greeks: { delta: 'analytic', gamma: 'analytic', theta: 'analytic', vega: 'analytic', rho: 'analytic' },
    description: 'Generalised Black-Scholes-Merton closed form. American calls without dividends at a rate >= 0 are priced as European; other American options are refused.',
  },
  { name: 'binomial_200', exerciseStyles: ['european', 'american'], greeks: TREE, description: 'Cox-Ross-Rubinstein binomial tree, 200 steps.' },
  {
    name: 'monte_carlo_20k',
    exerciseStyles: ['european'],
    greeks: { delta: 'pathwise', gamma: 'likelihood-ratio/pathwise', theta: 'bump with common random numbers', vega: 'pathwise', rho: 'pathwise' },
    description: 'Monte Carlo, 20,000 paths of exact terminal GBM in antithetic pairs (Philox4x32-10, seeded), with standard error and 95% interval.',
  },
  { name: 'leisen_reimer', exerciseStyles: ['european', 'american'], greeks: TREE, description: 'Leisen-Reimer binomial tree (Peizer-Pratt inversion 2), 201 steps.' },
  { name: 'barone_adesi_whaley', exerciseStyles: ['european', 'american'], greeks: BUMPED, description: 'Barone-Adesi-Whaley (1987) quadratic approximation; European options get the Black-Scholes value.' },
  { name: 'bjerksund_stensland', exerciseStyles: ['american'], greeks: BUMPED, description: 'Bjerksund-Stensland (2002) two-step exercise boundary approximation.' },
  { name: 'bjerksund_stensland_1993', exerciseStyles: ['american'], greeks: BUMPED, description: 'Bjerksund-Stensland (1993) flat exercise boundary approximation, as QuantLib 1.29 implements it.' },
];

export function isModelName(value: unknown): value is ModelName {
  return typeof value === 'string' && (MODEL_NAMES as readonly string[]).includes(value);
}

export interface PriceOptionOptions {
  /** Default true. */
  readonly greeks?: boolean;
  /** Required by monte_carlo_20k: the core has no ambient randomness. Ignored by the other models. */
  readonly seed?: bigint;
  /**
   * Which code runs monte_carlo_20k, binomial_200 and leisen_reimer: 'auto' (default) the WebAssembly kernels
   * (src/core/wasm) when the host can instantiate them, else the TypeScript engines; 'typescript' the TypeScript
   * engines, the reference the kernels are tested against. Both give the same doubles, so this is a matter of
   * speed only (the kernels are 2.5-5x faster: bench/monte-carlo.bench.ts, bench/trees.bench.ts). The other models
   * have TypeScript engines only.
   */
  readonly kernels?: 'auto' | 'typescript';
  /** binomial_200 and leisen_reimer: tree steps instead of the model's own (200, 201); the quote API's `steps`. */
  readonly steps?: number;
  /** monte_carlo_20k: antithetic pairs instead of 10,000; the quote API's `paths` / 2. */
  readonly pairs?: number;
}

/** Asked only for the models that have kernels, so the others never pay for instantiating the module. */
function useKernels(options: PriceOptionOptions): boolean {
  return options.kernels !== 'typescript' && wasmKernelsAvailable();
}

/** Prices one option with the named model: the single entry point the worker pool and library users call. */
export function priceOption(model: ModelName, option: OptionSpec, market: MarketInputs, options: PriceOptionOptions = {}): PriceResult {
  const greeks = options.greeks ?? true;
  switch (model) {
    case 'black_scholes':
      return priceBlackScholes(option, market, { greeks });
    case 'binomial_200':
      return (useKernels(options) ? priceBinomialCrrWasm : priceBinomialCrr)(option, market, { greeks, steps: options.steps ?? 200 });
    case 'leisen_reimer':
      return (useKernels(options) ? priceLeisenReimerWasm : priceLeisenReimer)(option, market, { greeks, steps: options.steps ?? 201 });
    case 'barone_adesi_whaley':
      return priceBaroneAdesiWhaley(option, market, { greeks });
    case 'bjerksund_stensland':
      return priceBjerksundStensland(option, market, { greeks });
    case 'bjerksund_stensland_1993':
      return priceBjerksundStensland1993(option, market, { greeks });
    case 'monte_carlo_20k': {
      if (options.seed === undefined) throw new CoreError('ERR_CORE_INVALID_INPUT', 'monte_carlo_20k needs a seed', 'seed');
      return (useKernels(options) ? priceMonteCarloWasm : priceMonteCarlo)(option, market, options.pairs === undefined ? { greeks, seed: options.seed } : { greeks, seed: options.seed, pairs: options.pairs });
    }
    default:
      throw new CoreError('ERR_CORE_UNKNOWN_MODEL', `unknown model ${String(model)}`, 'model');
  }
}
