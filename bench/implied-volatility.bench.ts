/**
 * Implied volatility, single thread, steady state: `node --import tsx bench/implied-volatility.bench.ts`.
 * 100,000 random European quotes made from known volatilities by blackScholesPrice, inverted by the typed-array
 * batch and by the scalar API; prints the median ns per quote over several timed rounds after a warm-up, and
 * the worst relative error against the volatilities the quotes were made from.
 */
import { availableParallelism, cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { blackScholesPrice } from '../src/core/engines/black-scholes.js';
import { impliedVolatility } from '../src/core/engines/implied-volatility.js';
import { impliedVolatilityBatch } from '../src/core/engines/implied-volatility-batch.js';
import { normalisedVega } from '../src/core/engines/normalised-black.js';
import { xorshift32 } from './support/xorshift32.js';

const N = 100_000;
const ROUNDS = 11;
const WARMUP = 3;

const rnd = xorshift32(2015);
const input = {
  isCall: new Uint8Array(N),
  price: new Float64Array(N),
  spot: new Float64Array(N),
  strike: new Float64Array(N),
  expiry: new Float64Array(N),
  rate: new Float64Array(N),
  dividendYield: new Float64Array(N),
};
const sigma = new Float64Array(N);
for (let i = 0; i < N; i++) {
  input.isCall[i] = rnd() < 0.5 ? 1 : 0;
  input.spot[i] = 50 + 100 * rnd();
  input.strike[i] = 50 + 100 * rnd();
  input.expiry[i] = 0.05 + 2.95 * rnd();
  input.rate[i] = 0.08 * rnd();
  input.dividendYield[i] = 0.03 * rnd();
  sigma[i] = 0.05 + 0.75 * rnd();
  input.price[i] = blackScholesPrice(
    input.isCall[i] ? 'call' : 'put',
    input.spot[i]!,
    input.strike[i]!,
    input.expiry[i]!,
    sigma[i]!,
    input.rate[i]!,
    input.dividendYield[i]!,
  );
}
const output = { volatility: new Float64Array(N), iterations: new Uint8Array(N), status: new Uint8Array(N) };

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * ns per quote per round, by the wall clock and by this process's CPU time. On a shared machine the CPU time
 * is the steadier figure (it leaves out time the scheduler gave to other processes).
 */
function measure(body: () => void): { wall: number[]; cpu: number[] } {
  for (let i = 0; i < WARMUP; i++) body();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    body();
    const t1 = performance.now();
    const c1 = process.cpuUsage(c0);
    wall.push(((t1 - t0) * 1e6) / N);
    cpu.push(((c1.user + c1.system) * 1e3) / N);
  }
  return { wall, cpu };
}

const batchNs = measure(() => impliedVolatilityBatch(input, output, N));

let sink = 0;
const scalarNs = measure(() => {
  for (let i = 0; i < N; i++) {
    try {
      sink += impliedVolatility(
        input.price[i]!,
        {
          type: input.isCall[i] ? 'call' : 'put',
          strike: input.strike[i]!,
          expiry: input.expiry[i]!,
          exercise: 'european',
        },
        { spot: input.spot[i]!, rate: input.rate[i]!, dividendYield: input.dividendYield[i]! },
      ).volatility;
    } catch {
      sink += 1;
    }
  }
});

// Reference point on the same machine in the same run: a plain safeguarded Newton iteration on blackScholesPrice
// (start 0.3, vega from the formula, stop at |dsigma| <= 1e-12 sigma or 50 steps), the loop a straightforward
// implementation would run. It is less robust (it gives up far from the money), so only its cost is compared.
const SQRT_2PI = Math.sqrt(2 * Math.PI);
let newtonFailures = 0;
const newtonNs = measure(() => {
  newtonFailures = 0;
  for (let i = 0; i < N; i++) {
    const type = input.isCall[i] ? 'call' : 'put';
    const S = input.spot[i]!;
    const K = input.strike[i]!;
    const T = input.expiry[i]!;
    const r = input.rate[i]!;
    const q = input.dividendYield[i]!;
    const target = input.price[i]!;
    const sqrtT = Math.sqrt(T);
    let v = 0.3;
    let done = false;
    for (let k = 0; k < 50 && !done; k++) {
      const d1 = (Math.log(S / K) + (r - q + 0.5 * v * v) * T) / (v * sqrtT);
      const vega = (S * Math.exp(-q * T - 0.5 * d1 * d1) * sqrtT) / SQRT_2PI;
      const step = (blackScholesPrice(type, S, K, T, v, r, q) - target) / vega;
      const next = Math.min(Math.max(v - step, 0.5 * v), 2 * v);
      done = Math.abs(next - v) <= 1e-12 * v;
      v = next;
    }
    if (!done) newtonFailures++;
    sink += v;
  }
});

// Accuracy of the batch results against the volatilities the quotes were made from. The condition number
// P / (sigma vega) says how much the price's own rounding moves sigma; the 1e-12 claim is for cond <= 100.
let solved = 0;
let worst = 0;
let worstWellConditioned = 0;
const iterationCounts = new Map<number, number>();
for (let i = 0; i < N; i++) {
  iterationCounts.set(output.iterations[i]!, (iterationCounts.get(output.iterations[i]!) ?? 0) + 1);
  if (output.status[i] !== 0) continue;
  solved++;
  const error = Math.abs(output.volatility[i]! / sigma[i]! - 1);
  worst = Math.max(worst, error);
  const T = input.expiry[i]!;
  const s = sigma[i]! * Math.sqrt(T);
  const x = Math.log(input.spot[i]! / input.strike[i]!) + (input.rate[i]! - input.dividendYield[i]!) * T;
  const vega =
    Math.sqrt(
      input.spot[i]! * Math.exp(-input.dividendYield[i]! * T) * input.strike[i]! * Math.exp(-input.rate[i]! * T),
    ) *
    normalisedVega(x, s) *
    Math.sqrt(T);
  const condition = input.price[i]! / (sigma[i]! * vega);
  if (condition <= 100) worstWellConditioned = Math.max(worstWellConditioned, error);
}

const fmt = (m: { wall: number[]; cpu: number[] }): string =>
  `${median(m.wall).toFixed(0)} ns wall (min ${Math.min(...m.wall).toFixed(0)}), ${median(m.cpu).toFixed(0)} ns CPU (min ${Math.min(...m.cpu).toFixed(0)})`;
console.log(
  `implied volatility: node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'}, ${availableParallelism()} logical CPUs, single thread`,
);
console.log(
  `${N} random quotes, ${ROUNDS} rounds after ${WARMUP} warm-up rounds, median ns per quote; load average ${loadavg()[0]!.toFixed(2)}:`,
);
console.log(`  batch (typed arrays):     ${fmt(batchNs)}; target <= 700 ns`);
console.log(`  scalar impliedVolatility: ${fmt(scalarNs)}`);
console.log(
  `  reference, plain Newton on blackScholesPrice: ${fmt(newtonNs)} (${newtonFailures} quotes not converged in 50 steps)`,
);
console.log(`  batch / plain Newton (CPU): ${(median(batchNs.cpu) / median(newtonNs.cpu)).toFixed(2)}`);
console.log(
  `  solved ${solved}/${N}; worst relative error ${worst.toExponential(2)}, ${worstWellConditioned.toExponential(2)} where cond <= 100`,
);
console.log(
  `  iterations: ${[...iterationCounts.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ')}`,
);
if (!Number.isFinite(sink)) console.log('(sink)', sink);
