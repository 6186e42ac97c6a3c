/**
 * `node --import tsx bench/black-scholes.bench.ts`: single-threaded cost of the Black-Scholes batch kernel
 * (price + 5 greeks) and of the price-only kernel, in ns per option: the median of several timed rounds of
 * 100,000 random options after a warm-up. Target (issue brief): <= 150 ns/option for price + greeks.
 */
import { performance } from 'node:perf_hooks';
import { priceBlackScholesBatch } from '../src/core/engines/black-scholes-batch.js';
import { blackScholesPrice, priceBlackScholes } from '../src/core/engines/black-scholes.js';

const N = 100_000;
const ROUNDS = 15;
const WARMUP = 5;

/** xorshift32: the same options on every run. */
function makeRandom(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s / 4294967296;
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function timeRounds(body: () => void): number[] {
  for (let i = 0; i < WARMUP; i++) body();
  const ns: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t0 = performance.now();
    body();
    ns.push(((performance.now() - t0) * 1e6) / N);
  }
  return ns;
}

const rnd = makeRandom(20240611);
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
  price: new Float64Array(N), delta: new Float64Array(N), gamma: new Float64Array(N),
  theta: new Float64Array(N), vega: new Float64Array(N), rho: new Float64Array(N),
};

let sink = 0;
const batch = timeRounds(() => {
  priceBlackScholesBatch(input, output, N);
  sink += output.price[N - 1]!;
});
const priceOnly = timeRounds(() => {
  let acc = 0;
  for (let i = 0; i < N; i++) {
    acc += blackScholesPrice(input.isCall[i] === 1 ? 'call' : 'put', input.spot[i]!, input.strike[i]!, input.expiry[i]!,
      input.volatility[i]!, input.rate[i]!, input.dividendYield[i]!);
  }
  sink += acc;
});
const objects = Array.from({ length: N }, (_, i) => ({
  option: { type: input.isCall[i] === 1 ? 'call' as const : 'put' as const, strike: input.strike[i]!, expiry: input.expiry[i]!, exercise: 'european' as const },
  market: { spot: input.spot[i]!, rate: input.rate[i]!, dividendYield: input.dividendYield[i]!, volatility: input.volatility[i]! },
}));
const single = timeRounds(() => {
  let acc = 0;
  for (const { option, market } of objects) acc += priceBlackScholes(option, market).greeks!.vega;
  sink += acc;
});

const fmt = (xs: number[]): string => `median ${median(xs).toFixed(1)} ns/option (min ${Math.min(...xs).toFixed(1)}, max ${Math.max(...xs).toFixed(1)})`;
console.log(`black-scholes, ${N} random options, ${ROUNDS} rounds after ${WARMUP} warm-up rounds, node ${process.version}`);
console.log(`  priceBlackScholesBatch (price + 5 greeks): ${fmt(batch)}   target <= 150`);
console.log(`  blackScholesPrice (price only):            ${fmt(priceOnly)}`);
console.log(`  priceBlackScholes (validated, objects):    ${fmt(single)}`);
if (Number.isNaN(sink)) console.log('(NaN seen)');
