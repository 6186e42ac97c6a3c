/**
 * Runs a task against the numerical core: the pool's only touch point with src/core. The worker thread calls it
 * for a chunk, and the pool calls it on the event loop for work cheaper than a thread hop (placement.ts).
 * Every item gets its own outcome, so one bad contract never fails its batch.
 */
import { isCoreError } from '../core/errors.js';
import { impliedVolatility } from '../core/engines/implied-volatility.js';
import { impliedVolatilityAmerican } from '../core/engines/implied-volatility-american.js';
import { priceMonteCarloModel } from '../core/engines/monte-carlo-model.js';
import { priceOption, type ModelName } from '../core/models.js';
import type {
  ImpliedVolOutcome,
  ImpliedVolTask,
  ItemFailure,
  PriceItem,
  PriceOutcome,
  PriceTask,
  QuoteItem,
  TaskResult,
} from './tasks.js';

/** Shown to clients for an exception the core did not anticipate; the cause stays in the worker. */
const UNEXPECTED_MESSAGE = 'the pricing model failed unexpectedly';

export function executeTask<T extends PriceTask | ImpliedVolTask>(task: T): TaskResult<T> {
  const outcomes = task.kind === 'price' ? priceItems(task) : impliedVolatilities(task);
  return outcomes as TaskResult<T>;
}

function failureOf(error: unknown): ItemFailure {
  if (isCoreError(error)) return { code: error.code, message: error.message, param: error.param ?? null };
  return { code: 'ERR_POOL_WORKER_FAILED', message: UNEXPECTED_MESSAGE, param: null };
}

function priceItems(task: PriceTask): PriceOutcome[] {
  if (task.monteCarlo !== undefined) return task.items.map((item) => priceTunableMonteCarlo(task, item));
  const { model, items } = task;
  const outcomes = new Array<PriceOutcome>(items.length);
  const withoutSeed = {
    greeks: task.greeks,
    ...(task.steps === undefined ? {} : { steps: task.steps }),
    ...(task.pairs === undefined ? {} : { pairs: task.pairs }),
  };
  // One clock reading per contract: each contract's end is the next one's start.
  let started = performance.now();
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    try {
      const result = priceOption(
        model,
        item.option,
        item.market,
        item.seed === undefined ? withoutSeed : { ...withoutSeed, seed: item.seed },
      );
      const ended = performance.now();
      const seconds = (ended - started) / 1000;
      started = ended;
      // A number the model itself does not vouch for (e.g. Bjerksund-Stensland outside its boundary's domain) is
      // not served as a price: the client gets a named error for this contract and can pick a tree model.
      outcomes[i] = result.diagnostics.converged
        ? { ok: true, result, seconds }
        : {
            ok: false,
            code: 'ERR_CORE_NO_CONVERGENCE',
            message: `${model} does not cover these inputs (its method did not converge); binomial_200 or leisen_reimer price them`,
            param: null,
            seconds,
          };
    } catch (error) {
      const ended = performance.now();
      outcomes[i] = { ok: false, ...failureOf(error), seconds: (ended - started) / 1000 };
      started = ended;
    }
  }
  return outcomes;
}

/** One item of a task with monteCarlo options: the tunable estimator, its full result kept beside the PriceResult. */
function priceTunableMonteCarlo(task: PriceTask, item: PriceItem): PriceOutcome {
  const started = performance.now();
  try {
    if (item.seed === undefined) throw new Error('a Monte Carlo item arrived without its seed');
    const r = priceMonteCarloModel(item.option, item.market, {
      ...task.monteCarlo!,
      seed: item.seed,
      greeks: task.greeks,
    });
    const result = {
      value: r.value,
      greeks: r.greeks,
      diagnostics: {
        model: r.model,
        converged: true,
        standardError: r.standardError,
        paths: r.pathsUsed,
        confidenceInterval: [r.value - r.halfWidthAbs, r.value + r.halfWidthAbs] as const,
      },
    };
    return { ok: true, result, monteCarlo: r, seconds: (performance.now() - started) / 1000 };
  } catch (error) {
    return { ok: false, ...failureOf(error), seconds: (performance.now() - started) / 1000 };
  }
}

function impliedVolatilities(task: ImpliedVolTask): ImpliedVolOutcome[] {
  return task.items.map((quote): ImpliedVolOutcome => {
    try {
      const { volatility, iterations } = impliedVolatilityOf(quote, task.americanModel);
      return { ok: true, volatility, iterations };
    } catch (error) {
      return { ok: false, ...failureOf(error) };
    }
  });
}

/**
 * European quotes invert Black-Scholes (Jäckel's method); American quotes invert the task's American model by
 * safeguarded root finding on its price as a function of volatility. A quote without a volatility (outside the
 * no-arbitrage bounds, or outside what the model can reach) throws the core's CoreError.
 */
function impliedVolatilityOf(quote: QuoteItem, americanModel: ModelName): { volatility: number; iterations: number } {
  const { option, market, price } = quote;
  if (option.exercise !== 'american') return impliedVolatility(price, option, market);
  const pricer = (volatility: number): number =>
    priceOption(americanModel, option, { ...market, volatility }, { greeks: false }).value;
  return impliedVolatilityAmerican(price, option, market, pricer);
}
