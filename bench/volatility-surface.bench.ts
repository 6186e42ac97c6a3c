/**
 * `node --import tsx bench/volatility-surface.bench.ts`: what a large volatility surface costs (docs/api.md,
 * "Volatility surface"): building the surface once (what every upsert does, and what a store does once per
 * version), and 1,000 estimates, the work a 1,000-contract batch without market_data.volatility puts on the
 * event loop. Scattered points (Delaunay path) and a full grid, 4,000 points each; median of 7 rounds.
 */
import { performance } from 'node:perf_hooks';
import { VolatilitySurface, type VolatilityPoint } from '../src/core/market/volatility-surface.js';
import { xorshift32 } from './support/xorshift32.js';

const POINTS = 4000;
const QUERIES = 1000;
const ROUNDS = 7;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function scattered(rnd: () => number): VolatilityPoint[] {
  return Array.from({ length: POINTS }, () => ({
    strike: 50 + 150 * rnd(),
    maturity: 0.05 + 2.95 * rnd(),
    volatility: 0.1 + 0.5 * rnd(),
    timestamp: 0,
    source: 'bench',
  }));
}

function grid(rnd: () => number): VolatilityPoint[] {
  const out: VolatilityPoint[] = [];
  for (let i = 0; i < 80; i++)
    for (let j = 0; j < 50; j++)
      out.push({
        strike: 50 + i * 2,
        maturity: 0.05 + j * 0.06,
        volatility: 0.1 + 0.5 * rnd(),
        timestamp: 0,
        source: 'bench',
      });
  return out;
}

function measure(name: string, points: VolatilityPoint[], rnd: () => number): void {
  const queries = Array.from({ length: QUERIES }, () => [40 + 170 * rnd(), 0.02 + 3.2 * rnd()] as const);
  const build: number[] = [];
  const estimate: number[] = [];
  let sink = 0;
  for (let round = 0; round < ROUNDS; round++) {
    let t = performance.now();
    const surface = new VolatilitySurface(points);
    build.push(performance.now() - t);
    t = performance.now();
    for (const [k, m] of queries) sink += surface.estimate(k, m, 100).volatility;
    estimate.push(performance.now() - t);
  }
  console.log(
    `${name}: build ${median(build).toFixed(2)} ms, ${QUERIES} estimates ${median(estimate).toFixed(2)} ms (checksum ${sink.toFixed(3)})`,
  );
}

const rnd = xorshift32(20261207);
measure(`${POINTS} scattered points`, scattered(rnd), rnd);
measure(`${POINTS} grid points (80 x 50)`, grid(rnd), rnd);
