/**
 * A deliberately naive Cox-Ross-Rubinstein tree, written as the textbook draws it (Hull, "Options, Futures
 * and Other Derivatives", ch. 13 and 21): the full 2-D grids of spot and option values, Math.pow for every
 * node, no precomputation, no reuse. It shares no code with src/core/engines so that agreement between the
 * two means the fast engine computes the same tree, not the same mistakes.
 */

export interface CrrOracleInputs {
  readonly type: 'call' | 'put';
  readonly exercise: 'european' | 'american';
  readonly spot: number;
  readonly strike: number;
  /** Years. */
  readonly expiry: number;
  readonly rate: number;
  readonly dividendYield: number;
  readonly volatility: number;
  readonly steps: number;
}

export interface CrrOracleResult {
  readonly value: number;
  /** From the two step-1 nodes. */
  readonly delta: number;
  /** From the three step-2 nodes (difference of the two one-sided deltas over half the node span). */
  readonly gamma: number;
  /** (V(2, middle) - V(0, 0)) / (2 dt), per year: the middle step-2 node of a CRR tree is at the spot. */
  readonly theta: number;
}

export function crrOracle(inputs: CrrOracleInputs): CrrOracleResult {
  const { spot, strike, expiry, rate, dividendYield, volatility, steps } = inputs;
  const dt = expiry / steps;
  const u = Math.exp(volatility * Math.sqrt(dt));
  const d = 1 / u;
  const p = (Math.exp((rate - dividendYield) * dt) - d) / (u - d);
  const discount = Math.exp(-rate * dt);

  const payoff = (s: number): number => (inputs.type === 'call' ? Math.max(s - strike, 0) : Math.max(strike - s, 0));

  // S[i][j]: spot after i steps with j up moves.
  const S: number[][] = [];
  for (let i = 0; i <= steps; i++) {
    S.push([]);
    for (let j = 0; j <= i; j++) S[i]!.push(spot * Math.pow(u, j) * Math.pow(d, i - j));
  }

  const V: number[][] = [];
  for (let i = 0; i <= steps; i++) V.push(new Array<number>(i + 1).fill(0));
  for (let j = 0; j <= steps; j++) V[steps]![j] = payoff(S[steps]![j]!);
  for (let i = steps - 1; i >= 0; i--) {
    for (let j = 0; j <= i; j++) {
      const continuation = discount * (p * V[i + 1]![j + 1]! + (1 - p) * V[i + 1]![j]!);
      V[i]![j] = inputs.exercise === 'american' ? Math.max(continuation, payoff(S[i]![j]!)) : continuation;
    }
  }

  const delta = (V[1]![1]! - V[1]![0]!) / (S[1]![1]! - S[1]![0]!);
  const deltaUp = (V[2]![2]! - V[2]![1]!) / (S[2]![2]! - S[2]![1]!);
  const deltaDown = (V[2]![1]! - V[2]![0]!) / (S[2]![1]! - S[2]![0]!);
  const gamma = (deltaUp - deltaDown) / ((S[2]![2]! - S[2]![0]!) / 2);
  const theta = (V[2]![1]! - V[0]![0]!) / (2 * dt);
  return { value: V[0]![0]!, delta, gamma, theta };
}
