/**
 * What placement.ts's tunable Monte Carlo cost factors rest on: the single-thread cost of one quote-API Monte Carlo
 * task (executeTask with monteCarlo options) relative to the v1 monte_carlo_20k task at the same 20,000 paths with
 * greeks, measured in one process, alternating, so the ratio survives a loaded machine better than absolute times.
 * Run: node --import tsx bench/tunable-monte-carlo-cost.bench.ts
 */
import { availableParallelism } from 'node:os';
import { executeTask } from '../src/pool/execute-task.js';
import type { MonteCarloTaskParams, PriceTask } from '../src/pool/tasks.js';

const market = { spot: 100, rate: 0.03, dividendYield: 0.01, volatility: 0.2 };
const european = { type: 'call', strike: 100, expiry: 1, exercise: 'european' } as const;
const american = { type: 'put', strike: 100, expiry: 1, exercise: 'american' } as const;

function task(exercise: 'european' | 'american', monteCarlo?: MonteCarloTaskParams): PriceTask {
  const option = exercise === 'european' ? european : american;
  return {
    kind: 'price',
    model: 'monte_carlo_20k',
    greeks: true,
    items: [{ option, market, seed: 7n }],
    ...(monteCarlo === undefined ? {} : { monteCarlo }),
  };
}

function fastestMicros(t: PriceTask, rounds: number): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    const [outcome] = executeTask(t);
    const micros = (performance.now() - started) * 1000;
    if (!outcome?.ok) throw new Error('the benchmark task failed');
    best = Math.min(best, micros);
  }
  return best;
}

const plain = { paths: 20_000, antithetic: true, useControlVariate: false, useQuasiRandom: false };
const cases: [string, PriceTask, number][] = [
  ['tunable European, antithetic', task('european', plain), 15],
  ['tunable European, antithetic + cv', task('european', { ...plain, useControlVariate: true }), 15],
  ['tunable European, antithetic + qmc', task('european', { ...plain, useQuasiRandom: true }), 15],
  ['Longstaff-Schwartz, 64 dates', task('american', { ...plain, antithetic: false }), 3],
];
const v1 = task('european');

console.log(
  `# tunable Monte Carlo cost: node ${process.version}, ${availableParallelism()} CPUs, 20,000 paths with greeks, fastest of N\n`,
);
for (let warm = 0; warm < 3; warm++) for (const [, t] of cases) executeTask(t);
for (const [label, t, rounds] of cases) {
  const base = fastestMicros(v1, 15);
  const micros = fastestMicros(t, rounds);
  console.log(
    `${label.padEnd(36)} ${(micros / 1000).toFixed(2).padStart(8)} ms  = ${(micros / base).toFixed(1).padStart(6)} x monte_carlo_20k (${(base / 1000).toFixed(2)} ms)`,
  );
}
