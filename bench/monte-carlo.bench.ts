/**
 * `node --import tsx bench/monte-carlo.bench.ts`: single-threaded, steady-state cost of monte_carlo_20k
 * (20,000 paths = 10,000 antithetic pairs, with its standard error), with and without greeks, and of its
 * parts: Philox words, normal variates, and the payoff pass; on the TypeScript engine (the reference) and on the
 * WebAssembly kernel priceOption runs by default (the same doubles). Median of several timed rounds after a warm-up.
 *
 * The machine is shared, so a plain V8 loop is timed in the same run as a yardstick: 20,000 paths of
 * Math.random + Box-Muller + Math.exp, summing payoffs and squares (no reproducibility, no antithetics, no
 * greeks). Its figure says how fast this machine is right now; the ratio to it travels between machines.
 * Target: monte_carlo_20k <= 1 ms per option with its standard error (the yardstick measured 0.83 ms on a
 * quiet core).
 */
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';

import { priceMonteCarlo } from '../src/core/engines/monte-carlo.js';
import { priceMonteCarloWasm } from '../src/core/wasm/monte-carlo-wasm.js';
import type { OptionSpec } from '../src/core/instruments/option-spec.js';
import type { MarketInputs } from '../src/core/market/market-inputs.js';
import { fillStandardNormals } from '../src/core/math/normal-stream.js';
import { philox4x32 } from '../src/core/math/philox.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
let sink = 0;

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** CPU time of this process in ms: on a shared, loaded machine it is steadier than wall time. */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

interface Timing {
  /** Median wall-clock ms per unit. */
  readonly median: number;
  /** Fastest round, wall-clock ms per unit. */
  readonly min: number;
  /** Median CPU ms per unit. */
  readonly cpu: number;
}

/** Runs `body` (`count` units of work) after a warm-up; returns wall and CPU ms per unit. */
function measure(count: number, body: () => void): Timing {
  for (let i = 0; i < 3; i++) body();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t0 = performance.now();
    const c0 = cpuMs();
    body();
    cpu.push((cpuMs() - c0) / count);
    wall.push((performance.now() - t0) / count);
  }
  return { median: median(wall), min: Math.min(...wall), cpu: median(cpu) };
}

function makeCases(n: number): { option: OptionSpec; market: MarketInputs }[] {
  let s = 7;
  const rnd = (): number => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
  return Array.from({ length: n }, () => ({
    option: {
      type: rnd() < 0.5 ? 'call' : 'put',
      strike: 50 + 100 * rnd(),
      expiry: 0.05 + 2.95 * rnd(),
      exercise: 'european',
    },
    market: {
      spot: 50 + 100 * rnd(),
      rate: 0.08 * rnd(),
      dividendYield: 0.03 * rnd(),
      volatility: 0.05 + 0.75 * rnd(),
    },
  }));
}

/** The yardstick: the simplest 20,000-path loop a V8 user would write. */
function plainLoop(spot: number, strike: number, expiry: number, volatility: number, rate: number): number {
  const drift = (rate - 0.5 * volatility * volatility) * expiry;
  const vol = volatility * Math.sqrt(expiry);
  let sum = 0;
  let sumSquares = 0;
  for (let i = 0; i < 10_000; i++) {
    const radius = Math.sqrt(-2 * Math.log(1 - Math.random()));
    const angle = 2 * Math.PI * Math.random();
    const a = Math.max(spot * Math.exp(drift + vol * radius * Math.cos(angle)) - strike, 0);
    const b = Math.max(spot * Math.exp(drift + vol * radius * Math.sin(angle)) - strike, 0);
    sum += a + b;
    sumSquares += a * a + b * b;
  }
  const mean = sum / 20_000;
  return Math.exp(-rate * expiry) * mean + Math.sqrt((sumSquares / 20_000 - mean * mean) / 19_999);
}

const cases = makeCases(40);
const rows: [string, Timing][] = [];

rows.push([
  'yardstick: plain V8 loop, 20,000 paths + std error',
  measure(cases.length, () => {
    for (const c of cases)
      sink += plainLoop(c.market.spot, c.option.strike, c.option.expiry, c.market.volatility, c.market.rate);
  }),
]);
rows.push([
  'monte_carlo_20k price + std error',
  measure(cases.length, () => {
    cases.forEach((c, i) => {
      sink += priceMonteCarlo(c.option, c.market, { seed: BigInt(i), greeks: false }).value;
    });
  }),
]);
rows.push([
  'monte_carlo_20k price + std error + 5 greeks',
  measure(cases.length, () => {
    cases.forEach((c, i) => {
      sink += priceMonteCarlo(c.option, c.market, { seed: BigInt(i), greeks: true }).greeks!.delta;
    });
  }),
]);
rows.push([
  'WebAssembly: price + std error',
  measure(cases.length, () => {
    cases.forEach((c, i) => {
      sink += priceMonteCarloWasm(c.option, c.market, { seed: BigInt(i), greeks: false }).value;
    });
  }),
]);
rows.push([
  'WebAssembly: price + std error + 5 greeks',
  measure(cases.length, () => {
    cases.forEach((c, i) => {
      sink += priceMonteCarloWasm(c.option, c.market, { seed: BigInt(i), greeks: true }).greeks!.delta;
    });
  }),
]);
{
  const words = new Int32Array(4);
  rows.push([
    '  part: 2,500 Philox4x32-10 calls (10,000 words)',
    measure(20, () => {
      let local = 0;
      for (let r = 0; r < 20; r++) {
        for (let g = 0; g < 2500; g++) {
          philox4x32(g, 0, r, 0, 0x1234, 0x5678, words);
          local ^= words[0]!;
        }
      }
      sink += local;
    }),
  ]);
}
{
  const normals = new Float64Array(10_000);
  rows.push([
    '  part: 10,000 normals (Philox + AS241)',
    measure(20, () => {
      for (let r = 0; r < 20; r++) {
        fillStandardNormals(42n, r, 0, normals);
        sink += normals[0]!;
      }
    }),
  ]);
}

const yardstick = rows[0]![1];
console.log(
  `monte_carlo_20k benchmark: node ${process.version}, ${cpus()[0]?.model ?? 'unknown cpu'}, load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
console.log(
  `${ROUNDS} rounds: median wall ms (fastest round), median CPU ms, CPU time relative to the yardstick; per option or per part`,
);
for (const [name, t] of rows) {
  console.log(
    `${name.padEnd(52)} ${t.median.toFixed(3).padStart(7)} ms (${t.min.toFixed(3)})  cpu ${t.cpu.toFixed(3)} ms  ${(t.cpu / yardstick.cpu).toFixed(2)}x yardstick`,
  );
}
if (!Number.isFinite(sink)) console.log('sink', sink);
