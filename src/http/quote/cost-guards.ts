import type { Metrics } from '../../observability/metrics.js';
import { QuoteApiError } from './quote-error.js';

/**
 * The quote API's cost guards (docs/api.md, "Cost guards"). Each refusal is a 429 with Retry-After: 1 and a body
 * naming the guard; each refusal and each clamp is counted in ope_quote_cost_guard_total{guard, action}.
 */

/** Largest Monte Carlo run one quote may ask for: `paths` above it is clamped, `precision.max_paths` above it refused. */
export const MAX_PATHS_PER_QUOTE = 262_144;
/** Most items in one /batch. */
export const MAX_BATCH_ITEMS = 100;
/** Most Monte Carlo paths summed over the items of one /batch. */
export const MAX_BATCH_PATHS = 1_500_000;

export type CostGuard = 'max_paths' | 'batch_items' | 'batch_paths' | 'paths';

export type GuardMetrics = Pick<Metrics, 'quoteCostGuardTotal'>;

export function costGuardRefusal(metrics: GuardMetrics, guard: CostGuard, limit: number): QuoteApiError {
  metrics.quoteCostGuardTotal.inc({ guard, action: 'refused' });
  return new QuoteApiError(429, 'cost_guard_triggered', { extra: { guard, limit }, headers: { 'Retry-After': '1' } });
}

export function countClamp(metrics: GuardMetrics, guard: CostGuard): void {
  metrics.quoteCostGuardTotal.inc({ guard, action: 'clamped' });
}
