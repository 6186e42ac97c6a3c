/**
 * What a candidate library contributes to the comparison: for each workload it supports, a job that prices a
 * prefix of the shared option set into arrays the accuracy check reads afterwards.
 */
import type { Job } from './harness.js';
import type { OptionSet } from './dataset.js';

export const WORKLOAD_IDS = ['price', 'greeks', 'iv', 'crr', 'lr', 'baw', 'bjs', 'mc'] as const;
export type WorkloadId = (typeof WORKLOAD_IDS)[number];

/**
 * Results in OPE's raw units (results.ts): greeks per 1.0 of spot, theta per year as dV/dt, vega per 1.00 of
 * volatility, rho per 1.00 of rate. A contract the candidate could not price holds NaN.
 */
export interface Outputs {
  /** The price, or the implied volatility for the implied-volatility workload. */
  readonly value: Float64Array;
  readonly greeks?: {
    readonly delta: Float64Array;
    readonly gamma: Float64Array;
    readonly theta: Float64Array;
    readonly vega: Float64Array;
    readonly rho: Float64Array;
  };
}

export interface CandidateJob extends Job {
  readonly outputs: Outputs;
}

/** The inputs every job is built from: the two sets, and the European set's prices for implied volatility. */
export interface WorkloadInputs {
  readonly european: OptionSet;
  readonly american: OptionSet;
  /** OPE's Black-Scholes price of every European contract: the quotes implied volatility inverts. */
  readonly quotes: Float64Array;
}

export interface Candidate {
  /** Row label. */
  readonly name: string;
  /** Packages and versions behind the row. */
  readonly packages: string;
  /** How the candidate was called, including any adaptation of its API to the workload. */
  readonly notes: readonly string[];
  readonly jobs: Partial<Record<WorkloadId, (inputs: WorkloadInputs) => CandidateJob>>;
}

export function valueOutputs(count: number): Outputs {
  return { value: new Float64Array(count) };
}

export function greekOutputs(count: number): Required<Outputs> {
  return {
    value: new Float64Array(count),
    greeks: {
      delta: new Float64Array(count),
      gamma: new Float64Array(count),
      theta: new Float64Array(count),
      vega: new Float64Array(count),
      rho: new Float64Array(count),
    },
  };
}

/**
 * A job that prices contracts 0 .. count - 1 one at a time with `price`, which writes into the outputs;
 * a contract whose call throws gets NaN, as the peers signal failure by exceptions.
 */
export function perContractJob(count: number, outputs: Outputs, price: (i: number) => void): CandidateJob {
  return {
    count,
    outputs,
    run() {
      for (let i = 0; i < count; i++) {
        try {
          price(i);
        } catch {
          outputs.value[i] = Number.NaN;
        }
      }
      return outputs.value[count - 1]!;
    },
  };
}
