import { CoreError } from '../errors.js';
import type { OptionSpec } from '../instruments/option-spec.js';
import type { MarketInputs } from '../market/market-inputs.js';
import type { Greeks, PriceResult } from '../results.js';
import { validateInputs } from '../validate.js';
import type { PricingOptions } from './black-scholes.js';

/**
 * One backward-induction engine for recombining binomial trees with constant coefficients; the tree
 * construction (Cox-Ross-Rubinstein, Leisen-Reimer, ...) is a policy plugged into it, as in QuantLib's
 * `BinomialVanillaEngine<T>`.
 */

export interface TreeOptions extends PricingOptions {
  /** Number of time steps; each tree model has its own default and rule for it. */
  readonly steps?: number;
}

/**
 * A recombining lattice: node j (0..i) of step i carries spot S0 * up^j * down^(i-j); from every node the
 * up branch is taken with probability `probabilityUp`, the down branch with `probabilityDown`.
 */
export interface BinomialLattice {
  readonly steps: number;
  /** Years per step. */
  readonly dt: number;
  readonly up: number;
  readonly down: number;
  readonly probabilityUp: number;
  /**
   * Carried separately from probabilityUp because a policy may compute it more accurately than
   * 1 - probabilityUp (Leisen-Reimer deep in the money).
   */
  readonly probabilityDown: number;
}

/** Builds the lattice for already-validated inputs; throws ERR_CORE_INVALID_INPUT when it cannot. */
export type TreePolicy = (option: OptionSpec, market: MarketInputs, steps: number) => BinomialLattice;

export interface TreeModel {
  /** Model name on the wire, reported in diagnostics and error messages. */
  readonly name: string;
  readonly policy: TreePolicy;
  /** Maps the caller's step count (already checked to be an integer in range) to the one the tree uses. */
  readonly normaliseSteps: (steps: number) => number;
  readonly defaultSteps: number;
  /** Volatility bump h for vega = (V(sigma + h) - V(sigma - h)) / 2h on this tree. */
  readonly vegaBump: (option: OptionSpec, market: MarketInputs, lattice: BinomialLattice) => number;
}

/**
 * An O(n^2) rollback takes ~0.5 s at 20,000 steps on one core; more steps buy accuracy far below what a
 * caller of a tree can use, so larger counts are refused rather than left to block a worker.
 */
export const MAX_TREE_STEPS = 20_000;

/**
 * The smooth-tree vega bump: relative to sigma so it stays well inside (0, sigma) for any volatility. At
 * 1e-4 the central difference's truncation error (~(h/sigma)^2/6, about 1e-9 relative) and its rounding
 * error (~1e-14 * V / h, the rollback's accumulated rounding over 2h) are both far below the tree's own
 * discretisation error. Right for trees whose price is smooth in sigma (Leisen-Reimer keeps the strike
 * centred between nodes); trees whose nodes cross the strike as sigma moves choose their own (see CRR).
 */
export const SMOOTH_VEGA_RELATIVE_BUMP = 1e-4;
/** Rho bump: absolute, 1 basis point of rate, for the same truncation/rounding balance as the vega bump. */
const RHO_ABSOLUTE_BUMP = 1e-4;

/** exp(709) is the largest power of e below Number.MAX_VALUE: beyond it the top nodes become Infinity. */
const LOG_MAX_NODE = 709;

/** Node values kept during the rollback for the greeks (indices as in the lattice: 0 = lowest spot). */
interface Rollback {
  readonly value: number;
  readonly step1: readonly [number, number];
  readonly step2: readonly [number, number, number];
}

function describeInputs(option: OptionSpec, market: MarketInputs, steps: number): string {
  return `S=${market.spot}, K=${option.strike}, T=${option.expiry}, sigma=${market.volatility}, ` +
    `r=${market.rate}, q=${market.dividendYield}, steps=${steps}`;
}

function checkSteps(steps: number, model: string): void {
  if (!Number.isInteger(steps) || steps < 2 || steps > MAX_TREE_STEPS) {
    throw new CoreError(
      'ERR_CORE_INVALID_INPUT',
      `${model}: steps must be an integer from 2 to ${MAX_TREE_STEPS}, got ${String(steps)}`,
      'steps',
    );
  }
}

/** Refuses lattices that would give garbage: negative probabilities, non-positive or inverted moves, overflow. */
function checkLattice(lattice: BinomialLattice, option: OptionSpec, market: MarketInputs, model: string): void {
  const { up, down, probabilityUp: pu, probabilityDown: pd, steps } = lattice;
  if (!(pu >= 0 && pu <= 1 && pd >= 0 && pd <= 1 && down > 0 && up > down && Number.isFinite(up))) {
    throw new CoreError(
      'ERR_CORE_INVALID_INPUT',
      `${model}: the tree is not arbitrage-free for these inputs (up=${up}, down=${down}, ` +
        `probability up=${pu}); ${describeInputs(option, market, steps)}`,
      'volatility',
    );
  }
  if (Math.log(market.spot) + steps * Math.max(Math.log(up), 0) >= LOG_MAX_NODE) {
    throw new CoreError(
      'ERR_CORE_INVALID_INPUT',
      `${model}: the highest tree node overflows double precision (sigma*sqrt(T*steps) too large); ` +
        describeInputs(option, market, steps),
      'volatility',
    );
  }
}

/**
 * Backward induction over the lattice. American exercise compares continuation with intrinsic value at
 * every node, the root included. Node (i, j) has spot (S0 up^j) * down^(i-j), read from two tables filled
 * by repeated multiplication, so the inner loop has no Math.pow. Each factor stays within the range of the
 * nodes it builds (checkLattice bounds S0 up^n), unlike S0 down^i (up/down)^j, whose second factor
 * overflows once sigma sqrt(T steps) passes ~354 while the nodes themselves are still finite.
 */
function rollback(lattice: BinomialLattice, option: OptionSpec, spot: number, rate: number): Rollback {
  const n = lattice.steps;
  const strike = option.strike;
  const omega = option.type === 'call' ? 1 : -1;
  const discount = Math.exp(-rate * lattice.dt);
  const pu = discount * lattice.probabilityUp;
  const pd = discount * lattice.probabilityDown;

  const spotTimesUpPowers = new Float64Array(n + 1);
  const downPowers = new Float64Array(n + 1);
  spotTimesUpPowers[0] = spot;
  downPowers[0] = 1;
  for (let k = 1; k <= n; k++) {
    spotTimesUpPowers[k] = spotTimesUpPowers[k - 1] * lattice.up;
    downPowers[k] = downPowers[k - 1] * lattice.down;
  }

  const values = new Float64Array(n + 1);
  for (let j = 0; j <= n; j++) {
    const payoff = omega * (spotTimesUpPowers[j] * downPowers[n - j] - strike);
    values[j] = payoff > 0 ? payoff : 0;
  }

  let step1: readonly [number, number] = [0, 0];
  let step2: readonly [number, number, number] = n === 2 ? [values[0], values[1], values[2]] : [0, 0, 0];
  const american = option.exercise === 'american';
  for (let i = n - 1; i >= 0; i--) {
    if (american) {
      for (let j = 0; j <= i; j++) {
        const continuation = pd * values[j] + pu * values[j + 1];
        const exercise = omega * (spotTimesUpPowers[j] * downPowers[i - j] - strike);
        values[j] = continuation > exercise ? continuation : exercise;
      }
    } else {
      for (let j = 0; j <= i; j++) {
        values[j] = pd * values[j] + pu * values[j + 1];
      }
    }
    if (i === 2) step2 = [values[0], values[1], values[2]];
    else if (i === 1) step1 = [values[0], values[1]];
  }
  return { value: values[0], step1, step2 };
}

function buildLattice(model: TreeModel, option: OptionSpec, market: MarketInputs, steps: number): BinomialLattice {
  const lattice = model.policy(option, market, steps);
  checkLattice(lattice, option, market, model.name);
  return lattice;
}

function treeValue(model: TreeModel, option: OptionSpec, market: MarketInputs, steps: number): number {
  return rollback(buildLattice(model, option, market, steps), option, market.spot, market.rate).value;
}

/**
 * Central difference of `price` at x with step h; when one side is outside the domain where the tree is
 * valid (a bump that makes it arbitrage-free no longer), falls back to the one-sided difference on the other.
 */
function bumpDerivative(price: (x: number) => number, x: number, h: number, centre: number): number {
  const upValue = priceInDomain(price, x + h);
  const downValue = priceInDomain(price, x - h);
  if (upValue instanceof CoreError && downValue instanceof CoreError) throw downValue;
  if (upValue instanceof CoreError) return (centre - (downValue as number)) / h;
  if (downValue instanceof CoreError) return (upValue - centre) / h;
  return (upValue - downValue) / (2 * h);
}

/** The price, or the CoreError saying the bumped inputs are outside the tree's domain. */
function priceInDomain(price: (x: number) => number, x: number): number | CoreError {
  try {
    return price(x);
  } catch (error) {
    if (error instanceof CoreError && error.code === 'ERR_CORE_INVALID_INPUT') return error;
    throw error;
  }
}

/**
 * Greeks from the lattice's first two steps (Hull, "Options, Futures and Other Derivatives", ch. 21; the
 * delta and gamma stencils are QuantLib's BinomialVanillaEngine): delta from the two step-1 nodes, gamma
 * from the three step-2 nodes, theta from the step-2 middle node against the root. The middle node sits at
 * S0*up*down, which is S0 for CRR (down = 1/up) but not for trees centred on the strike (Leisen-Reimer), so
 * theta removes the spot move first: V(S2m, 2dt) ~ V0 + delta*dS + gamma*dS^2/2 + theta*2dt.
 */
function treeGreeks(
  model: TreeModel,
  option: OptionSpec,
  market: MarketInputs,
  lattice: BinomialLattice,
  nodes: Rollback,
): Greeks {
  const spot = market.spot;
  const { up, down, dt } = lattice;
  const s1u = spot * up;
  const s1d = spot * down;
  const s2u = spot * up * up;
  const s2m = spot * up * down;
  const s2d = spot * down * down;
  const [p1d, p1u] = nodes.step1;
  const [p2d, p2m, p2u] = nodes.step2;

  const delta = (p1u - p1d) / (s1u - s1d);
  const delta2u = (p2u - p2m) / (s2u - s2m);
  const delta2d = (p2m - p2d) / (s2m - s2d);
  const gamma = (delta2u - delta2d) / ((s2u - s2d) / 2);
  const spotMove = s2m - spot;
  const theta = (p2m - nodes.value - delta * spotMove - 0.5 * gamma * spotMove * spotMove) / (2 * dt);

  const steps = lattice.steps;
  const sigma = market.volatility;
  const vega = bumpDerivative(
    (volatility) => treeValue(model, option, { ...market, volatility }, steps),
    sigma,
    model.vegaBump(option, market, lattice),
    nodes.value,
  );
  const rho = bumpDerivative(
    (rate) => treeValue(model, option, { ...market, rate }, steps),
    market.rate,
    RHO_ABSOLUTE_BUMP,
    nodes.value,
  );
  return { delta, gamma, theta, vega, rho };
}

/** Prices `option` on `model`'s tree; greeks (default on) cost four extra rollbacks for vega and rho. */
export function priceOnBinomialTree(
  model: TreeModel,
  option: OptionSpec,
  market: MarketInputs,
  options: TreeOptions = {},
): PriceResult {
  validateInputs(option, market);
  const requested = options.steps ?? model.defaultSteps;
  checkSteps(requested, model.name);
  const steps = model.normaliseSteps(requested);

  const lattice = buildLattice(model, option, market, steps);
  const nodes = rollback(lattice, option, market.spot, market.rate);
  const greeks = options.greeks === false ? null : treeGreeks(model, option, market, lattice, nodes);
  return {
    value: nodes.value,
    greeks,
    diagnostics: { model: model.name, converged: true, iterations: steps },
  };
}
