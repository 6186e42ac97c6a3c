/**
 * `node --import tsx bench/american-approximations.bench.ts`: single-threaded, steady-state cost of the three
 * American approximations (barone_adesi_whaley, bjerksund_stensland, bjerksund_stensland_1993) through the
 * library API, without greeks and with them (nine revaluations), plus the bivariate normal CDF that
 * Bjerksund-Stensland 2002 evaluates twenty times per price and one Black-Scholes price for scale. Median of
 * timed rounds after a warm-up; both CPU time (process.cpuUsage, less sensitive to other load on a shared
 * machine) and wall time. Target: <= 1,000 ns per price without greeks (docs/numerics.md, "Performance").
 */
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { priceBaroneAdesiWhaley } from '../src/core/engines/barone-adesi-whaley.js';
import { priceBjerksundStensland } from '../src/core/engines/bjerksund-stensland.js';
import { priceBjerksundStensland1993 } from '../src/core/engines/bjerksund-stensland-1993.js';
import { blackScholesPrice } from '../src/core/engines/black-scholes.js';
import type { OptionSpec } from '../src/core/instruments/option-spec.js';
import type { MarketInputs } from '../src/core/market/market-inputs.js';
import { bivariateNormalCdf } from '../src/core/math/bivariate-normal.js';
import type { PriceResult } from '../src/core/results.js';
import { xorshift32 } from './support/xorshift32.js';

interface Case {
  option: OptionSpec;
  market: MarketInputs;
}

function makeCases(n: number, seed: number): Case[] {
  const rnd = xorshift32(seed);
  const out: Case[] = [];
  for (let i = 0; i < n; i++) {
    out.push({
      option: {
        type: rnd() < 0.5 ? 'call' : 'put',
        strike: 50 + 100 * rnd(),
        expiry: 0.05 + 2.95 * rnd(),
        exercise: 'american',
      },
      market: {
        spot: 50 + 100 * rnd(),
        rate: 0.08 * rnd(),
        dividendYield: 0.03 * rnd(),
        volatility: 0.05 + 0.75 * rnd(),
      },
    });
  }
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

interface Timing {
  cpu: number[];
  wall: number[];
}

/** Runs `body` (which processes `count` items and returns a checksum) `rounds` times after `warmup` rounds. */
function measure(count: number, rounds: number, warmup: number, body: () => number): Timing {
  let checksum = 0;
  for (let i = 0; i < warmup; i++) checksum += body();
  const cpu: number[] = [];
  const wall: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    checksum += body();
    const t1 = performance.now();
    const c1 = process.cpuUsage(c0);
    wall.push(((t1 - t0) * 1e6) / count);
    cpu.push(((c1.user + c1.system) * 1e3) / count);
  }
  if (!Number.isFinite(checksum)) throw new Error('non-finite checksum');
  return { cpu, wall };
}

type Engine = (option: OptionSpec, market: MarketInputs, options?: { greeks?: boolean }) => PriceResult;

const ENGINES: [string, Engine][] = [
  ['barone_adesi_whaley', priceBaroneAdesiWhaley],
  ['bjerksund_stensland', priceBjerksundStensland],
  ['bjerksund_stensland_1993', priceBjerksundStensland1993],
];

const rows: { workload: string; timing: Timing; target: number }[] = [];

for (const [name, engine] of ENGINES) {
  const cases = makeCases(20_000, 7);
  rows.push({
    workload: `${name}, price only`,
    timing: measure(cases.length, 9, 2, () => {
      let sum = 0;
      for (const c of cases) sum += engine(c.option, c.market, { greeks: false }).value;
      return sum;
    }),
    target: 1_000,
  });
  const fewer = cases.slice(0, 4_000);
  rows.push({
    workload: `${name}, price + 5 bumped greeks`,
    timing: measure(fewer.length, 7, 1, () => {
      let sum = 0;
      for (const c of fewer) sum += engine(c.option, c.market).greeks!.delta;
      return sum;
    }),
    target: Number.NaN,
  });
}

{
  // For scale on a shared machine: one European price, which each approximation computes at least once.
  const cases = makeCases(100_000, 5);
  rows.push({
    workload: 'blackScholesPrice (for scale)',
    timing: measure(cases.length, 9, 2, () => {
      let sum = 0;
      for (const c of cases)
        sum += blackScholesPrice(
          c.option.type,
          c.market.spot,
          c.option.strike,
          c.option.expiry,
          c.market.volatility,
          c.market.rate,
          c.market.dividendYield,
        );
      return sum;
    }),
    target: Number.NaN,
  });
}

{
  const rnd = xorshift32(3);
  const n = 100_000;
  const xs = Float64Array.from({ length: n }, () => -4 + 8 * rnd());
  const ys = Float64Array.from({ length: n }, () => -4 + 8 * rnd());
  const rhos = Float64Array.from({ length: n }, () => -0.999 + 1.998 * rnd());
  rows.push({
    workload: 'bivariateNormalCdf (random rho)',
    timing: measure(n, 9, 2, () => {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += bivariateNormalCdf(xs[i]!, ys[i]!, rhos[i]!);
      return sum;
    }),
    target: Number.NaN,
  });
}

console.log(`\nAmerican approximations: node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'}, single thread`);
console.log(
  'workload'.padEnd(44),
  'median ns (cpu)'.padStart(16),
  'median ns (wall)'.padStart(17),
  'cpu min-max'.padStart(16),
  'target'.padStart(8),
  '  status',
);
for (const r of rows) {
  const cpu = median(r.timing.cpu);
  const status = Number.isNaN(r.target) ? '' : cpu <= r.target ? 'met' : 'NOT MET';
  console.log(
    r.workload.padEnd(44),
    cpu.toFixed(0).padStart(16),
    median(r.timing.wall).toFixed(0).padStart(17),
    `${Math.min(...r.timing.cpu).toFixed(0)}-${Math.max(...r.timing.cpu).toFixed(0)}`.padStart(16),
    (Number.isNaN(r.target) ? '-' : String(r.target)).padStart(8),
    ' ',
    status,
  );
}
