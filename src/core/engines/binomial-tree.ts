import { CoreError } from '../errors.js';
import type { OptionSpec } from '../instruments/option-spec.js';
import type { MarketInputs } from '../market/market-inputs.js';
import type { Greeks, PriceResult } from '../results.js';
import { requireFiniteResult, validateInputs } from '../validate.js';
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

/**
 * Node spots and the factors they are built from must stay within e^(+-LOG_RANGE) (Number.MAX_VALUE is
 * e^709.78, the smallest normal double e^-708.4): inside it every product is accurate to a few ulps.
 */
const LOG_RANGE = 700;

/** Node values kept during the rollback for the greeks (indices as in the lattice: 0 = lowest spot). */
export interface TreeRollback {
  readonly value: number;
  readonly step1: readonly [number, number];
  readonly step2: readonly [number, number, number];
}

/**
 * A backward induction over a checked lattice: `binomialRollback` below, the reference, or an implementation that
 * returns the same doubles (the WebAssembly kernel, src/core/wasm/binomial-tree-wasm.ts).
 */
export type TreeRollbackFunction = (
  lattice: BinomialLattice,
  option: OptionSpec,
  spot: number,
  rate: number,
) => TreeRollback;

function describeInputs(option: OptionSpec, market: MarketInputs, steps: number): string {
  return (
    `S=${market.spot}, K=${option.strike}, T=${option.expiry}, sigma=${market.volatility}, ` +
    `r=${market.rate}, q=${market.dividendYield}, steps=${steps}`
  );
}

/** Refuses a step count outside 2..MAX_TREE_STEPS. Exported so every tree entry point refuses the same inputs the same way. */
export function checkSteps(steps: number, model: string): void {
  if (!Number.isInteger(steps) || steps < 2 || steps > MAX_TREE_STEPS) {
    throw new CoreError(
      'ERR_CORE_INVALID_INPUT',
      `${model}: steps must be an integer from 2 to ${MAX_TREE_STEPS}, got ${String(steps)}`,
      'steps',
    );
  }
}

/** Refuses lattices that would give garbage: negative probabilities, non-positive or inverted moves, overflow. */
export function checkLattice(lattice: BinomialLattice, option: OptionSpec, market: MarketInputs, model: string): void {
  const { up, down, probabilityUp: pu, probabilityDown: pd, steps } = lattice;
  if (!(pu >= 0 && pu <= 1 && pd >= 0 && pd <= 1 && down > 0 && up > down && Number.isFinite(up))) {
    throw new CoreError(
      'ERR_CORE_INVALID_INPUT',
      `${model}: the tree is not arbitrage-free for these inputs (up=${up}, down=${down}, ` +
        `probability up=${pu}); ${describeInputs(option, market, steps)}`,
      'volatility',
    );
  }
  if (!nodeFactorsInRange(lattice, market.spot)) {
    throw new CoreError(
      'ERR_CORE_INVALID_INPUT',
      `${model}: the tree's nodes leave double-precision range (sigma*sqrt(T*steps) too large); ` +
        describeInputs(option, market, steps),
      'volatility',
    );
  }
}

/**
 * Node (i, j) has spot S0 up^j down^(i-j) = rowFactor[i] * columnFactor[j], with
 *   rowFactor[i] = S0 up^c down^(i-c),  columnFactor[j] = (up/down)^(j-c),  c = floor(steps/2),
 * both tables filled by repeated multiplication, so the inner loop costs one load and one multiply per node
 * and has no Math.pow. Centring both tables on c keeps each factor within e^(+-LOG_RANGE) for every lattice
 * whose nodes are (for CRR: sigma sqrt(T steps) up to ~700, where S0 (up/down)^j alone would overflow at
 * ~354).
 */
function nodeFactorsInRange(lattice: BinomialLattice, spot: number): boolean {
  const n = lattice.steps;
  const c = n >> 1;
  const logSpot = Math.log(spot);
  const logUp = Math.log(lattice.up);
  const logDown = Math.log(lattice.down);
  const logRatio = logUp - logDown;
  const extremes = [
    logSpot + n * logUp, // the corner nodes: spot is linear in (i, j), so its extremes are at (0,0), (n,n), (n,0)
    logSpot + n * logDown,
    logSpot + c * logUp - c * logDown, // rowFactor[0] and rowFactor[n]
    logSpot + c * logUp + (n - c) * logDown,
    (n - c) * logRatio, // columnFactor[n] and columnFactor[0]
    -c * logRatio,
  ];
  return Math.max(...extremes) < LOG_RANGE && Math.min(...extremes.slice(2)) > -LOG_RANGE;
}

/**
 * Backward induction over the lattice. American exercise compares continuation with intrinsic value at
 * every node, the root included.
 */
export function binomialRollback(
  lattice: BinomialLattice,
  option: OptionSpec,
  spot: number,
  rate: number,
): TreeRollback {
  const n = lattice.steps;
  const c = n >> 1;
  const omega = option.type === 'call' ? 1 : -1;
  const omegaStrike = omega * option.strike;
  const discount = Math.exp(-rate * lattice.dt);
  const pu = discount * lattice.probabilityUp;
  const pd = discount * lattice.probabilityDown;

  // The option type's sign is folded into the row factors: intrinsic value = omega * (spot - K).
  const rowFactors = new Float64Array(n + 1);
  const columnFactors = new Float64Array(n + 1);
  let spotUpC = omega * spot;
  for (let k = 0; k < c; k++) spotUpC *= lattice.up;
  const ratio = lattice.up / lattice.down;
  const inverseDown = 1 / lattice.down;
  const inverseRatio = 1 / ratio;
  rowFactors[c] = spotUpC;
  columnFactors[c] = 1;
  for (let k = c + 1; k <= n; k++) {
    rowFactors[k] = rowFactors[k - 1]! * lattice.down;
    columnFactors[k] = columnFactors[k - 1]! * ratio;
  }
  for (let k = c - 1; k >= 0; k--) {
    rowFactors[k] = rowFactors[k + 1]! * inverseDown;
    columnFactors[k] = columnFactors[k + 1]! * inverseRatio;
  }

  const values = new Float64Array(n + 1);
  const terminalRow = rowFactors[n]!;
  for (let j = 0; j <= n; j++) {
    const payoff = terminalRow * columnFactors[j]! - omegaStrike;
    values[j] = payoff > 0 ? payoff : 0;
  }

  let step2: readonly [number, number, number] = n === 2 ? [values[0]!, values[1]!, values[2]!] : [0, 0, 0];
  const american = option.exercise === 'american';
  for (let i = n - 1; i >= 1; i--) {
    // values[j + 1] is carried in a register from one node to the next: one array read per node.
    let lower = values[0]!;
    if (american) {
      const row = rowFactors[i]!;
      for (let j = 0; j <= i; j++) {
        const upper = values[j + 1]!;
        const continuation = pd * lower + pu * upper;
        const exercise = row * columnFactors[j]! - omegaStrike;
        values[j] = continuation > exercise ? continuation : exercise;
        lower = upper;
      }
    } else {
      for (let j = 0; j <= i; j++) {
        const upper = values[j + 1]!;
        values[j] = pd * lower + pu * upper;
        lower = upper;
      }
    }
    if (i === 2) step2 = [values[0]!, values[1]!, values[2]!];
  }
  const step1: readonly [number, number] = [values[0]!, values[1]!];
  // The root is exercised against the exact spot (the table product carries a few ulps), so an American
  // value is never below its intrinsic value by rounding.
  const continuation = pd * values[0]! + pu * values[1]!;
  const exercise = omega * spot - omegaStrike;
  const value = american && exercise > continuation ? exercise : continuation;
  return { value, step1, step2 };
}

function buildLattice(model: TreeModel, option: OptionSpec, market: MarketInputs, steps: number): BinomialLattice {
  const lattice = model.policy(option, market, steps);
  checkLattice(lattice, option, market, model.name);
  return lattice;
}

function treeValue(
  model: TreeModel,
  option: OptionSpec,
  market: MarketInputs,
  steps: number,
  roll: TreeRollbackFunction,
): number {
  return roll(buildLattice(model, option, market, steps), option, market.spot, market.rate).value;
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
  nodes: TreeRollback,
  roll: TreeRollbackFunction,
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
    (volatility) => treeValue(model, option, { ...market, volatility }, steps, roll),
    sigma,
    model.vegaBump(option, market, lattice),
    nodes.value,
  );
  const rho = bumpDerivative(
    (rate) => treeValue(model, option, { ...market, rate }, steps, roll),
    market.rate,
    RHO_ABSOLUTE_BUMP,
    nodes.value,
  );
  return { delta, gamma, theta, vega, rho };
}

/**
 * Prices `option` on `model`'s tree; greeks (default on) cost four extra rollbacks for vega and rho. Every
 * rollback, the bumped ones included, goes through `roll` (default: the TypeScript reference).
 */
export function priceOnBinomialTree(
  model: TreeModel,
  option: OptionSpec,
  market: MarketInputs,
  options: TreeOptions = {},
  roll: TreeRollbackFunction = binomialRollback,
): PriceResult {
  validateInputs(option, market);
  const requested = options.steps ?? model.defaultSteps;
  checkSteps(requested, model.name);
  const steps = model.normaliseSteps(requested);

  const lattice = buildLattice(model, option, market, steps);
  const nodes = roll(lattice, option, market.spot, market.rate);
  const greeks = options.greeks === false ? null : treeGreeks(model, option, market, lattice, nodes, roll);
  return requireFiniteResult(
    {
      value: nodes.value,
      greeks,
      diagnostics: { model: model.name, converged: true, iterations: steps },
    },
    model.name,
  );
}
