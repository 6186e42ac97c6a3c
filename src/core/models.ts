/**
 * The model registry: one entry per pricing model, the only place that knows what a model is. Everything else
 * (priceOption, the worker pool's placement, GET /api/v1/models, the wire schema's enum) reads it. A new model is
 * one engine file, one entry here and its reference tests (docs/architecture.md lists the files).
 */
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

/** Model names exactly as on the wire (docs/api.md, docs/numerics.md). */
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

export interface PriceOptionOptions {
  /** Default true. */
  readonly greeks?: boolean;
  /** Required by the models whose entry says needsSeed (monte_carlo_20k): the core has no ambient randomness. Ignored by the others. */
  readonly seed?: bigint;
  /**
   * Which code runs monte_carlo_20k, binomial_200 and leisen_reimer: 'auto' (default) the WebAssembly kernels
   * (src/core/wasm) when the host can instantiate them, else the TypeScript engines; 'typescript' the TypeScript
   * engines, the reference the kernels are tested against. Both give the same doubles, so this is a matter of
   * speed only (bench/monte-carlo.bench.ts, bench/trees.bench.ts). The other models have TypeScript engines only.
   */
  readonly kernels?: 'auto' | 'typescript';
  /** binomial_200 and leisen_reimer: tree steps instead of the model's own (200, 201); the quote API's `steps`. */
  readonly steps?: number;
  /** monte_carlo_20k: antithetic pairs instead of 10,000; the quote API's `paths` / 2. */
  readonly pairs?: number;
}

/** What a model's price function receives besides the option and the market. */
export interface ModelPriceContext {
  readonly greeks: boolean;
  /** Present exactly when the entry says needsSeed (priceOption checks). */
  readonly seed: bigint | undefined;
  /** 'typescript' forbids the WebAssembly kernels; 'auto' uses them when the host can (ask through useKernels()). */
  readonly kernels: 'auto' | 'typescript';
  /** Tree models: steps instead of the model's own. */
  readonly steps: number | undefined;
  /** monte_carlo_20k: antithetic pairs instead of 10,000. */
  readonly pairs: number | undefined;
}

/**
 * Whether a model with WebAssembly kernels runs them: asked only by those models, so the others never pay for
 * instantiating the module.
 */
export function useKernels(context: ModelPriceContext): boolean {
  return context.kernels !== 'typescript' && wasmKernelsAvailable();
}

/**
 * Estimated single-thread cost of one contract in microseconds, without and with greeks: the worker pool's
 * placement decides from it whether work runs inline or on threads, and how to chunk it (docs/pool.md records
 * the measurement, bench/pool.bench.ts section 1 repeats it).
 */
export interface ModelCost {
  readonly price: number;
  readonly greeks: number;
}

export interface ModelEntry extends ModelInfo {
  /** Whether the model draws random numbers and so needs a seed (PriceOptionOptions.seed). */
  readonly needsSeed: boolean;
  readonly cost: ModelCost;
  readonly price: (option: OptionSpec, market: MarketInputs, context: ModelPriceContext) => PriceResult;
}

const BUMPED: ModelInfo['greeks'] = {
  delta: 'bump-and-revalue',
  gamma: 'bump-and-revalue',
  theta: 'bump-and-revalue',
  vega: 'bump-and-revalue',
  rho: 'bump-and-revalue',
};
const TREE: ModelInfo['greeks'] = {
  delta: 'tree nodes (step 1)',
  gamma: 'tree nodes (step 2)',
  theta: 'tree nodes (step 2 vs root)',
  vega: 'central bump on the same tree',
  rho: 'central bump on the same tree',
};

/** The registry, in wire order (the order of MODEL_NAMES, which GET /api/v1/models keeps). */
export const MODEL_REGISTRY: { readonly [N in ModelName]: ModelEntry & { readonly name: N } } = {
  black_scholes: {
    name: 'black_scholes',
    exerciseStyles: ['european'],
    greeks: { delta: 'analytic', gamma: 'analytic', theta: 'analytic', vega: 'analytic', rho: 'analytic' },
    description:
      'Generalised Black-Scholes-Merton closed form. American calls without dividends at a rate >= 0 are priced as European; other American options are refused.',
    needsSeed: false,
    cost: { price: 0.6, greeks: 0.6 },
    price: (option, market, { greeks }) => priceBlackScholes(option, market, { greeks }),
  },
  binomial_200: {
    name: 'binomial_200',
    exerciseStyles: ['european', 'american'],
    greeks: TREE,
    description: 'Cox-Ross-Rubinstein binomial tree, 200 steps.',
    needsSeed: false,
    cost: { price: 15, greeks: 72 },
    price: (option, market, context) =>
      (useKernels(context) ? priceBinomialCrrWasm : priceBinomialCrr)(option, market, {
        greeks: context.greeks,
        steps: context.steps ?? 200,
      }),
  },
  monte_carlo_20k: {
    name: 'monte_carlo_20k',
    exerciseStyles: ['european'],
    greeks: {
      delta: 'pathwise',
      gamma: 'likelihood-ratio/pathwise',
      theta: 'bump with common random numbers',
      vega: 'pathwise',
      rho: 'pathwise',
    },
    description:
      'Monte Carlo, 20,000 paths of exact terminal GBM in antithetic pairs (Philox4x32-10, seeded), with standard error and 95% interval.',
    needsSeed: true,
    cost: { price: 380, greeks: 800 },
    price: (option, market, context) => {
      const { greeks, seed, pairs } = context;
      if (seed === undefined) throw new CoreError('ERR_CORE_INVALID_INPUT', 'monte_carlo_20k needs a seed', 'seed');
      return (useKernels(context) ? priceMonteCarloWasm : priceMonteCarlo)(
        option,
        market,
        pairs === undefined ? { greeks, seed } : { greeks, seed, pairs },
      );
    },
  },
  leisen_reimer: {
    name: 'leisen_reimer',
    exerciseStyles: ['european', 'american'],
    greeks: TREE,
    description: 'Leisen-Reimer binomial tree (Peizer-Pratt inversion 2), 201 steps.',
    needsSeed: false,
    cost: { price: 15, greeks: 72 },
    price: (option, market, context) =>
      (useKernels(context) ? priceLeisenReimerWasm : priceLeisenReimer)(option, market, {
        greeks: context.greeks,
        steps: context.steps ?? 201,
      }),
  },
  barone_adesi_whaley: {
    name: 'barone_adesi_whaley',
    exerciseStyles: ['european', 'american'],
    greeks: BUMPED,
    description: 'Barone-Adesi-Whaley (1987) quadratic approximation; European options get the Black-Scholes value.',
    needsSeed: false,
    cost: { price: 1.9, greeks: 17 },
    price: (option, market, { greeks }) => priceBaroneAdesiWhaley(option, market, { greeks }),
  },
  bjerksund_stensland: {
    name: 'bjerksund_stensland',
    exerciseStyles: ['american'],
    greeks: BUMPED,
    description: 'Bjerksund-Stensland (2002) two-step exercise boundary approximation.',
    needsSeed: false,
    cost: { price: 11, greeks: 110 },
    price: (option, market, { greeks }) => priceBjerksundStensland(option, market, { greeks }),
  },
  bjerksund_stensland_1993: {
    name: 'bjerksund_stensland_1993',
    exerciseStyles: ['american'],
    greeks: BUMPED,
    description: 'Bjerksund-Stensland (1993) flat exercise boundary approximation, as QuantLib 1.29 implements it.',
    needsSeed: false,
    cost: { price: 1.8, greeks: 14 },
    price: (option, market, { greeks }) => priceBjerksundStensland1993(option, market, { greeks }),
  },
};

/** The public catalogue (what GET /api/v1/models serves), in wire order. */
export const MODELS: readonly ModelInfo[] = MODEL_NAMES.map((name): ModelInfo => {
  const { exerciseStyles, greeks, description } = MODEL_REGISTRY[name];
  return { name, exerciseStyles, greeks, description };
});

export function isModelName(value: unknown): value is ModelName {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(MODEL_REGISTRY, value);
}

/** The registry entry of a model; throws ERR_CORE_UNKNOWN_MODEL for a name that is not one (callers from plain JavaScript). */
export function modelEntry(model: ModelName): ModelEntry {
  if (!isModelName(model)) throw new CoreError('ERR_CORE_UNKNOWN_MODEL', `unknown model ${String(model)}`, 'model');
  return MODEL_REGISTRY[model];
}

/** Prices one option with the named model: the single entry point the worker pool and library users call. */
export function priceOption(
  model: ModelName,
  option: OptionSpec,
  market: MarketInputs,
  options: PriceOptionOptions = {},
): PriceResult {
  const entry = modelEntry(model);
  const seed = entry.needsSeed ? options.seed : undefined;
  if (entry.needsSeed && seed === undefined)
    throw new CoreError('ERR_CORE_INVALID_INPUT', `${model} needs a seed`, 'seed');
  // No closure is made per call: this is the hot path of every priced contract.
  return entry.price(option, market, {
    greeks: options.greeks ?? true,
    seed,
    kernels: options.kernels ?? 'auto',
    steps: options.steps,
    pairs: options.pairs,
  });
}
