/**
 * `node --import tsx bench/trees.bench.ts`: single-threaded, steady-state cost of the tree engines
 * (binomial_200: CRR, 200 steps; leisen_reimer: 201 steps) in microseconds per option, price only and with
 * greeks (which add four bumped rollbacks for vega and rho). Each figure is the median of several timed
 * rounds over the same deterministic random options, after a warm-up. Target (issue brief): <= 60 us per
 * price without greeks, for binomial_200 American and leisen_reimer.
 */
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { priceBinomialCrr } from '../src/core/engines/binomial-crr.js';
import type { TreeOptions } from '../src/core/engines/binomial-tree.js';
import { priceLeisenReimer } from '../src/core/engines/leisen-reimer.js';
import type { ExerciseStyle, OptionSpec } from '../src/core/instruments/option-spec.js';
import type { MarketInputs } from '../src/core/market/market-inputs.js';
import type { PriceResult } from '../src/core/results.js';

const OPTIONS_PER_ROUND = 400;
const ROUNDS = 15;
const WARMUP_ROUNDS = 5;
const TARGET_US = 60;

/** xorshift32: the same options on every run. */
function makeRandom(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

interface Case {
  readonly option: OptionSpec;
  readonly market: MarketInputs;
}

function makeCases(exercise: ExerciseStyle, seed: number): Case[] {
  const rnd = makeRandom(seed);
  const cases: Case[] = [];
  for (let i = 0; i < OPTIONS_PER_ROUND; i++) {
    const spot = 50 + 100 * rnd();
    cases.push({
      option: { type: rnd() < 0.5 ? 'call' : 'put', strike: spot * Math.exp(0.6 * (rnd() - 0.5)), expiry: 0.05 + 2 * rnd(), exercise },
      market: { spot, rate: 0.1 * rnd(), dividendYield: 0.05 * rnd(), volatility: 0.1 + 0.5 * rnd() },
    });
  }
  return cases;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

type Pricer = (option: OptionSpec, market: MarketInputs, options?: TreeOptions) => PriceResult;

interface Measurement {
  /** Median wall-clock microseconds per option. */
  readonly us: number;
  readonly min: number;
  /** Median process CPU microseconds per option: on a shared, loaded machine this excludes time spent descheduled. */
  readonly cpuUs: number;
  /** Keeps the work observable so it cannot be optimised away. */
  readonly checksum: number;
}

function measure(pricer: Pricer, cases: readonly Case[], greeks: boolean): Measurement {
  let checksum = 0;
  const round = () => {
    for (const { option, market } of cases) checksum += pricer(option, market, { greeks }).value;
  };
  for (let i = 0; i < WARMUP_ROUNDS; i++) round();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    round();
    wall.push(((performance.now() - t0) * 1000) / cases.length);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / cases.length);
  }
  return { us: median(wall), min: Math.min(...wall), cpuUs: median(cpu), checksum };
}

const american = makeCases('american', 20240611);
const european = makeCases('european', 20240612);
const rows: [string, Pricer, readonly Case[], boolean, boolean][] = [
  ['binomial_200 american, price only', priceBinomialCrr, american, false, true],
  ['binomial_200 european, price only', priceBinomialCrr, european, false, false],
  ['leisen_reimer american, price only', priceLeisenReimer, american, false, true],
  ['leisen_reimer european, price only', priceLeisenReimer, european, false, false],
  ['binomial_200 american, with greeks', priceBinomialCrr, american, true, false],
  ['leisen_reimer american, with greeks', priceLeisenReimer, american, true, false],
];

console.log(
  `tree engines, single thread, ${OPTIONS_PER_ROUND} options x ${ROUNDS} rounds after ${WARMUP_ROUNDS} warm-up rounds: ` +
    `median wall-clock us/option (fastest round, median process CPU us/option); load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`,
);
let total = 0;
for (const [label, pricer, cases, greeks, targeted] of rows) {
  const { us, min, cpuUs, checksum } = measure(pricer, cases, greeks);
  total += checksum;
  const verdict = targeted ? (us <= TARGET_US ? `  target <= ${TARGET_US} us: met` : `  target <= ${TARGET_US} us: MISSED`) : '';
  console.log(
    `${label.padEnd(38)} ${us.toFixed(1).padStart(7)} us/option  (min ${min.toFixed(1).padStart(6)}, cpu ${cpuUs.toFixed(1).padStart(6)})${verdict}`,
  );
}
console.log(`checksum ${total.toFixed(6)}`);
