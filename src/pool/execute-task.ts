/**
 * Runs a task against the numerical core: the pool's only touch point with src/core. The worker thread calls it
 * for a chunk, and the pool calls it on the event loop for work cheaper than a thread hop (placement.ts).
 * Every contract gets its own outcome, so one bad contract never fails its batch.
 */
import { isCoreError } from '../core/errors.js';
import { priceOption } from '../core/models.js';
import type { ContractOutcome, ImpliedVolOutcome, ImpliedVolTask, PriceTask, TaskResult } from './tasks.js';
import { impliedVolatilityOutcome } from './implied-volatility-outcome.js';

/** Shown to clients for an exception the core did not anticipate; the cause stays in the worker. */
const UNEXPECTED_MESSAGE = 'the pricing model failed unexpectedly';

export function executeTask<T extends PriceTask | ImpliedVolTask>(task: T): TaskResult<T> {
  const outcomes = task.kind === 'price' ? priceContracts(task) : impliedVolatilities(task);
  return outcomes as TaskResult<T>;
}

function priceContracts(task: PriceTask): ContractOutcome[] {
  const { model, greeks, market } = task;
  const params = { greeks, ...(task.steps === undefined ? {} : { steps: task.steps }), ...(task.pairs === undefined ? {} : { pairs: task.pairs }) };
  return task.contracts.map((contract): ContractOutcome => {
    const started = performance.now();
    try {
      const result = priceOption(
        model,
        { type: contract.type, strike: contract.strike, expiry: contract.expiry, exercise: contract.exercise },
        { spot: market.spot, rate: market.rate, dividendYield: market.dividendYield, volatility: contract.volatility },
        contract.seed === null ? params : { ...params, seed: contract.seed },
      );
      if (!result.diagnostics.converged) {
        // A number the model itself does not vouch for (e.g. Bjerksund-Stensland outside its boundary's domain) is
        // not served as a price: the client gets a named error for this contract and can pick a tree model.
        return {
          ok: false,
          code: 'ERR_CORE_NO_CONVERGENCE',
          message: `${model} does not cover these inputs (its method did not converge); binomial_200 or leisen_reimer price them`,
          param: null,
          seconds: (performance.now() - started) / 1000,
        };
      }
      const g = result.greeks;
      return {
        ok: true,
        value: result.value,
        delta: g?.delta ?? null,
        gamma: g?.gamma ?? null,
        theta: g?.theta ?? null,
        vega: g?.vega ?? null,
        rho: g?.rho ?? null,
        standardError: result.diagnostics.standardError ?? null,
        confidenceInterval: result.diagnostics.confidenceInterval ?? null,
        seconds: (performance.now() - started) / 1000,
      };
    } catch (error) {
      const seconds = (performance.now() - started) / 1000;
      if (isCoreError(error)) return { ok: false, code: error.code, message: error.message, param: error.param ?? null, seconds };
      return { ok: false, code: 'ERR_POOL_WORKER_FAILED', message: UNEXPECTED_MESSAGE, param: null, seconds };
    }
  });
}

function impliedVolatilities(task: ImpliedVolTask): ImpliedVolOutcome[] {
  return task.quotes.map((quote): ImpliedVolOutcome => {
    try {
      return impliedVolatilityOutcome(quote, task.market, task.americanModel);
    } catch (error) {
      if (isCoreError(error)) return { volatility: null, iterations: 0, code: error.code, error: error.message };
      return { volatility: null, iterations: 0, code: 'ERR_POOL_WORKER_FAILED', error: UNEXPECTED_MESSAGE };
    }
  });
}
