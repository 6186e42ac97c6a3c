/**
 * `node --import tsx bench/trees.bench.ts`: single-threaded, steady-state cost of the tree engines
 * (binomial_200: CRR, 200 steps; leisen_reimer: 201 steps) in microseconds per option, price only and with
 * greeks (which add four bumped rollbacks for vega and rho), on the TypeScript engines (the reference) and on the
 * WebAssembly kernel priceOption runs by default (the same doubles). Each figure is the median of several timed
 * rounds over the same deterministic random options, after a warm-up. Target (issue brief): <= 60 us per
 * price without greeks, for binomial_200 American and leisen_reimer.
 */
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { priceBinomialCrr } from '../src/core/engines/binomial-crr.js';
import type { TreeOptions } from '../src/core/engines/binomial-tree.js';
import { priceLeisenReimer } from '../src/core/engines/leisen-reimer.js';
import { priceBinomialCrrWasm, priceLeisenReimerWasm } from '../src/core/wasm/binomial-tree-wasm.js';
import type { ExerciseStyle, OptionSpec } from '../src/core/instruments/option-spec.js';
import type { MarketInputs } from '../src/core/market/market-inputs.js';
import type { PriceResult } from '../src/core/results.js';
import { xorshift32 } from './support/xorshift32.js';

const OPTIONS_PER_ROUND = 400;
const ROUNDS = 15;
const WARMUP_ROUNDS = 5;
const TARGET_US = 60;

interface Case {
  readonly option: OptionSpec;
  readonly market: MarketInputs;
}

function makeCases(exercise: ExerciseStyle, seed: number): Case[] {
  const rnd = xorshift32(seed);
  const cases: Case[] = [];
  for (let i = 0; i < OPTIONS_PER_ROUND; i++) {
    const spot = 50 + 100 * rnd();
    cases.push({
      option: {
        type: rnd() < 0.5 ? 'call' : 'put',
        strike: spot * Math.exp(0.6 * (rnd() - 0.5)),
        expiry: 0.05 + 2 * rnd(),
        exercise,
      },
      market: { spot, rate: 0.1 * rnd(), dividendYield: 0.05 * rnd(), volatility: 0.1 + 0.5 * rnd() },
    });
  }
  return cases;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

type Pricer = (option: OptionSpec, market: MarketInputs, options?: TreeOptions) => PriceResult;

/**
 * The floor to compare against: a bare 200-step American CRR loop over the same options, with no validation,
 * no greeks, node spots from one precomputed power table and Math.max for the payoff (the "plain V8 loop"
 * of the issue brief). Its price is the same tree's, so the checksum also guards it.
 */
const bareCrrAmerican: Pricer = (option, market) => {
  const n = 200;
  const dt = option.expiry / n;
  const u = Math.exp(market.volatility * Math.sqrt(dt));
  const d = 1 / u;
  const disc = Math.exp(-market.rate * dt);
  const p = (Math.exp((market.rate - market.dividendYield) * dt) - d) / (u - d);
  const pu = disc * p;
  const pd = disc * (1 - p);
  const w = option.type === 'call' ? 1 : -1;
  const uu = new Float64Array(n + 1);
  const dd = new Float64Array(n + 1);
  uu[0] = 1;
  dd[0] = 1;
  for (let k = 1; k <= n; k++) {
    uu[k] = uu[k - 1]! * u * u;
    dd[k] = dd[k - 1]! * d;
  }
  const v = new Float64Array(n + 1);
  for (let j = 0; j <= n; j++) v[j] = Math.max(w * (market.spot * dd[n]! * uu[j]! - option.strike), 0);
  for (let i = n - 1; i >= 0; i--) {
    const base = market.spot * dd[i]!;
    for (let j = 0; j <= i; j++) v[j] = Math.max(pd * v[j]! + pu * v[j + 1]!, w * (base * uu[j]! - option.strike));
  }
  return { value: v[0]!, greeks: null, diagnostics: { model: 'bare', converged: true, iterations: n } };
};

interface Row {
  readonly label: string;
  readonly pricer: Pricer;
  readonly cases: readonly Case[];
  readonly greeks: boolean;
  readonly targeted: boolean;
  readonly wall: number[];
  readonly cpu: number[];
  checksum: number;
}

function runRound(row: Row): void {
  const options = { greeks: row.greeks };
  for (const { option, market } of row.cases) row.checksum += row.pricer(option, market, options).value;
}

const american = makeCases('american', 20240611);
const european = makeCases('european', 20240612);
const makeRow = (label: string, pricer: Pricer, cases: readonly Case[], greeks: boolean, targeted: boolean): Row => ({
  label,
  pricer,
  cases,
  greeks,
  targeted,
  wall: [],
  cpu: [],
  checksum: 0,
});
const rows: Row[] = [
  makeRow('bare CRR american loop (reference)', bareCrrAmerican, american, false, false),
  makeRow('binomial_200 american, price only', priceBinomialCrr, american, false, true),
  makeRow('binomial_200 european, price only', priceBinomialCrr, european, false, false),
  makeRow('leisen_reimer american, price only', priceLeisenReimer, american, false, true),
  makeRow('leisen_reimer european, price only', priceLeisenReimer, european, false, false),
  makeRow('binomial_200 american, with greeks', priceBinomialCrr, american, true, false),
  makeRow('leisen_reimer american, with greeks', priceLeisenReimer, american, true, false),
  makeRow('wasm binomial_200 american, price only', priceBinomialCrrWasm, american, false, true),
  makeRow('wasm leisen_reimer american, price only', priceLeisenReimerWasm, american, false, true),
  makeRow('wasm binomial_200 american, with greeks', priceBinomialCrrWasm, american, true, false),
  makeRow('wasm leisen_reimer american, with greeks', priceLeisenReimerWasm, american, true, false),
];

// Rounds are interleaved across rows, so on a shared machine every row sees the same load.
for (let i = 0; i < WARMUP_ROUNDS; i++) for (const row of rows) runRound(row);
for (let i = 0; i < ROUNDS; i++) {
  for (const row of rows) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    runRound(row);
    row.wall.push(((performance.now() - t0) * 1000) / row.cases.length);
    const c = process.cpuUsage(c0);
    row.cpu.push((c.user + c.system) / row.cases.length);
  }
}

console.log(
  `tree engines, single thread, ${OPTIONS_PER_ROUND} options x ${ROUNDS} interleaved rounds after ${WARMUP_ROUNDS} warm-up rounds:\n` +
    `median wall-clock us/option (fastest round; median process CPU us/option; ratio to the bare loop); ` +
    `load average ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
);
const bare = median(rows[0]!.wall);
for (const row of rows) {
  const us = median(row.wall);
  const verdict = row.targeted ? `  target <= ${TARGET_US} us: ${us <= TARGET_US ? 'met' : 'MISSED'}` : '';
  console.log(
    `${row.label.padEnd(42)} ${us.toFixed(1).padStart(7)} us/option  (min ${Math.min(...row.wall)
      .toFixed(1)
      .padStart(6)}; ` + `cpu ${median(row.cpu).toFixed(1).padStart(6)}; x${(us / bare).toFixed(2)})${verdict}`,
  );
}
const [bareRow, crrRow] = rows as [Row, Row, ...Row[]];
if (Math.abs(bareRow.checksum - crrRow.checksum) > 1e-9 * Math.abs(crrRow.checksum)) {
  throw new Error(`bare loop and binomial_200 disagree: ${bareRow.checksum} vs ${crrRow.checksum}`);
}
console.log(`checksum ${rows.reduce((sum, row) => sum + row.checksum, 0).toFixed(6)}`);
