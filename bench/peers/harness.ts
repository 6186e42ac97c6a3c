/**
 * Interleaved timing: every candidate of a workload runs once per round, in an order that rotates from round
 * to round, so a burst of load from the rest of the machine falls on all of them alike rather than on whichever
 * happened to run at that moment. Each run is timed by the process's CPU time (user + system), which a shared,
 * oversubscribed machine cannot inflate by descheduling us, and by the wall clock for reference.
 */
import { performance } from 'node:perf_hooks';

/** One candidate's work on one workload: prices its first `count` contracts on every call to `run`. */
export interface Job {
  readonly count: number;
  /** Returns a number derived from the results, so no engine can optimise the work away. */
  run(): number;
}

export interface Timing {
  /** CPU ns per option, one entry per timed round. */
  readonly cpu: readonly number[];
  /** Wall-clock ns per option, one entry per timed round. */
  readonly wall: readonly number[];
}

export interface TimingPlan {
  readonly warmupRounds: number;
  readonly timedRounds: number;
}

let sink = 0;

/** Times every job in interleaved rounds after interleaved warm-up rounds; returns one Timing per job, in order. */
export function timeInterleaved(jobs: readonly Job[], plan: TimingPlan): Timing[] {
  const cpu = jobs.map(() => [] as number[]);
  const wall = jobs.map(() => [] as number[]);
  for (let round = 0; round < plan.warmupRounds + plan.timedRounds; round++) {
    const timed = round >= plan.warmupRounds;
    for (let k = 0; k < jobs.length; k++) {
      const j = (k + round) % jobs.length;
      const job = jobs[j]!;
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      sink += job.run();
      const t1 = performance.now();
      const c = process.cpuUsage(c0);
      if (timed) {
        cpu[j]!.push(((c.user + c.system) * 1e3) / job.count);
        wall[j]!.push(((t1 - t0) * 1e6) / job.count);
      }
    }
  }
  return jobs.map((_, j) => ({ cpu: cpu[j]!, wall: wall[j]! }));
}

/** Keeps the accumulated checksums observable, so the runs stay live code. */
export function checksum(): number {
  return sink;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
