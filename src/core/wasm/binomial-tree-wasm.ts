import type { OptionSpec } from '../instruments/option-spec.js';
import type { MarketInputs } from '../market/market-inputs.js';
import type { PriceResult } from '../results.js';
import { BINOMIAL_CRR_MODEL } from '../engines/binomial-crr.js';
import { LEISEN_REIMER_MODEL } from '../engines/leisen-reimer.js';
import { priceOnBinomialTree } from '../engines/binomial-tree.js';
import type { BinomialLattice, TreeOptions, TreeRollback } from '../engines/binomial-tree.js';
import { reserveKernelMemory, wasmKernels } from './wasm-kernels.js';

export type { TreeRollback };

/**
 * binomial-tree.ts's backward induction on the WebAssembly SIMD kernel (assembly/binomial-tree.ts): the same
 * inputs, the same node tables and the same operations in the same order, hence the same doubles. The lattice
 * must come from a tree policy and have passed its checks. A TreeRollbackFunction, for priceOnBinomialTree.
 */
export function binomialRollbackWasm(
  lattice: BinomialLattice,
  option: OptionSpec,
  spot: number,
  rate: number,
): TreeRollback {
  const n = lattice.steps;
  const omega = option.type === 'call' ? 1 : -1;
  const discount = Math.exp(-rate * lattice.dt);
  const slots = n + 6;
  const base = reserveKernelMemory((3 * slots + 6) * 8);
  const rowFactors = base;
  const columnFactors = base + slots * 8;
  const values = base + 2 * slots * 8;
  const out = base + 3 * slots * 8;
  const kernels = wasmKernels();
  kernels.binomialRollback(
    rowFactors,
    columnFactors,
    values,
    out,
    n,
    omega * spot,
    omega * option.strike,
    lattice.up,
    lattice.down,
    discount * lattice.probabilityUp,
    discount * lattice.probabilityDown,
    option.exercise === 'american' ? 1 : 0,
  );
  const result = new Float64Array(kernels.memory.buffer, out, 6);
  return { value: result[0]!, step1: [result[1]!, result[2]!], step2: [result[3]!, result[4]!, result[5]!] };
}

/**
 * binomial_200 (Cox-Ross-Rubinstein, 200 steps by default) with every rollback on the WebAssembly kernel, the
 * bumped ones of vega and rho included: the PriceResult of priceBinomialCrr(option, market, options), greeks
 * (default on) included, bit for bit, with the same validation and errors.
 */
export function priceBinomialCrrWasm(option: OptionSpec, market: MarketInputs, options?: TreeOptions): PriceResult {
  return priceOnBinomialTree(BINOMIAL_CRR_MODEL, option, market, options, binomialRollbackWasm);
}

/** leisen_reimer (201 steps by default) on the WebAssembly kernel: priceLeisenReimer's result, as priceBinomialCrrWasm. */
export function priceLeisenReimerWasm(option: OptionSpec, market: MarketInputs, options?: TreeOptions): PriceResult {
  return priceOnBinomialTree(LEISEN_REIMER_MODEL, option, market, options, binomialRollbackWasm);
}
