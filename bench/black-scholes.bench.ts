/**
 * `node --import tsx bench/black-scholes.bench.ts`: single-threaded cost of the Black-Scholes batch kernel
 * (price + 5 greeks), of the single-option entry points, and of a textbook loop for scale, in ns per option:
 * the median of several timed rounds of 100,000 random options after warm-up rounds. Each round is timed by
 * the process's CPU time (what a loaded, shared machine cannot inflate by descheduling us) and by the wall
 * clock. Target (issue brief): <= 150 ns/option for price + greeks on one core.
 */
import { performance } from 'node:perf_hooks';
import { priceBlackScholesBatch } from '../src/core/engines/black-scholes-batch.js';
import { blackScholesPrice, priceBlackScholes } from '../src/core/engines/black-scholes.js';
import { normCdf } from '../src/core/math/normal.js';
import { xorshift32 } from './support/xorshift32.js';

const N = 100_000;
const ROUNDS = 15;
const WARMUP = 5;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

interface Timing {
  cpu: number[];
  wall: number[];
}

let sink = 0;

/** `body` returns a number derived from its results, so the work cannot be optimised away. */
function timeRounds(body: () => number): Timing {
  for (let i = 0; i < WARMUP; i++) sink += body();
  const cpu: number[] = [];
  const wall: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    sink += body();
    wall.push(((performance.now() - t0) * 1e6) / N);
    const c = process.cpuUsage(c0);
    cpu.push(((c.user + c.system) * 1e3) / N);
  }
  return { cpu, wall };
}

const rnd = xorshift32(20240611);
const input = {
  isCall: new Uint8Array(N),
  spot: new Float64Array(N),
  strike: new Float64Array(N),
  expiry: new Float64Array(N),
  volatility: new Float64Array(N),
  rate: new Float64Array(N),
  dividendYield: new Float64Array(N),
};
for (let i = 0; i < N; i++) {
  input.isCall[i] = rnd() < 0.5 ? 1 : 0;
  input.spot[i] = 50 + 100 * rnd();
  input.strike[i] = 50 + 100 * rnd();
  input.expiry[i] = 0.05 + 2.95 * rnd();
  input.volatility[i] = 0.05 + 0.75 * rnd();
  input.rate[i] = 0.08 * rnd();
  input.dividendYield[i] = 0.03 * rnd();
}
const output = {
  price: new Float64Array(N),
  delta: new Float64Array(N),
  gamma: new Float64Array(N),
  theta: new Float64Array(N),
  vega: new Float64Array(N),
  rho: new Float64Array(N),
};

const batch = timeRounds(() => {
  priceBlackScholesBatch(input, output, N);
  return output.price[N - 1]!;
});
const priceOnly = timeRounds(() => {
  let acc = 0;
  for (let i = 0; i < N; i++) {
    acc += blackScholesPrice(
      input.isCall[i] === 1 ? 'call' : 'put',
      input.spot[i]!,
      input.strike[i]!,
      input.expiry[i]!,
      input.volatility[i]!,
      input.rate[i]!,
      input.dividendYield[i]!,
    );
  }
  return acc;
});
const objects = Array.from({ length: N }, (_, i) => ({
  option: {
    type: input.isCall[i] === 1 ? ('call' as const) : ('put' as const),
    strike: input.strike[i]!,
    expiry: input.expiry[i]!,
    exercise: 'european' as const,
  },
  market: {
    spot: input.spot[i]!,
    rate: input.rate[i]!,
    dividendYield: input.dividendYield[i]!,
    volatility: input.volatility[i]!,
  },
}));
const single = timeRounds(() => {
  let acc = 0;
  for (const { option, market } of objects) acc += priceBlackScholes(option, market).greeks!.vega;
  return acc;
});

/** For scale: the textbook formulas in a plain typed-array loop (same normCdf, no care for the tails). */
const textbook = timeRounds(() => {
  const { isCall, spot, strike, expiry, volatility, rate, dividendYield } = input;
  for (let i = 0; i < N; i++) {
    const S = spot[i]!,
      K = strike[i]!,
      T = expiry[i]!,
      v = volatility[i]!,
      r = rate[i]!,
      q = dividendYield[i]!;
    const sqrtT = Math.sqrt(T);
    const s = v * sqrtT;
    const d1 = (Math.log(S / K) + (r - q + 0.5 * v * v) * T) / s;
    const d2 = d1 - s;
    const dq = Math.exp(-q * T);
    const dr = Math.exp(-r * T);
    const n1 = normCdf(d1);
    const n2 = normCdf(d2);
    const pdf = Math.exp(-0.5 * d1 * d1) * 0.3989422804014327;
    const decay = (-S * dq * pdf * v) / (2 * sqrtT);
    if (isCall[i] === 1) {
      output.price[i] = S * dq * n1 - K * dr * n2;
      output.delta[i] = dq * n1;
      output.theta[i] = decay + q * S * dq * n1 - r * K * dr * n2;
      output.rho[i] = K * T * dr * n2;
    } else {
      output.price[i] = K * dr * (1 - n2) - S * dq * (1 - n1);
      output.delta[i] = dq * (n1 - 1);
      output.theta[i] = decay - q * S * dq * (1 - n1) + r * K * dr * (1 - n2);
      output.rho[i] = -K * T * dr * (1 - n2);
    }
    output.gamma[i] = (dq * pdf) / (S * s);
    output.vega[i] = S * dq * pdf * sqrtT;
  }
  return output.price[N - 1]!;
});

const fmt = (t: Timing): string =>
  `cpu median ${median(t.cpu).toFixed(1)} (min ${Math.min(...t.cpu).toFixed(1)}), wall median ${median(t.wall).toFixed(1)} ns/option`;
console.log(
  `black-scholes, ${N} random options, ${ROUNDS} rounds after ${WARMUP} warm-up rounds, node ${process.version}`,
);
console.log(`  priceBlackScholesBatch (price + 5 greeks): ${fmt(batch)}   target <= 150`);
console.log(
  `  textbook loop, for scale (price + 5 greeks): ${fmt(textbook)}   ratio ${(median(batch.cpu) / median(textbook.cpu)).toFixed(2)}`,
);
console.log(`  blackScholesPrice (price only):            ${fmt(priceOnly)}`);
console.log(`  priceBlackScholes (validated, objects):    ${fmt(single)}`);
if (Number.isNaN(sink)) console.log('(NaN seen)');
