/**
 * The WebAssembly SIMD kernels, as drop-in alternatives to the TypeScript engines they reproduce bit for bit
 * (see assembly/ for the sources and test/core/wasm for the equality checks). priceOption (models.ts) prices
 * monte_carlo_20k, binomial_200 and leisen_reimer, greeks included, on them by default, and on the TypeScript
 * engines where the host cannot instantiate them. Not re-exported from the core barrel: library users reach them
 * through priceOption.
 */
export {
  priceBinomialCrrWasm,
  priceLeisenReimerWasm,
  binomialRollbackWasm,
  type TreeRollback,
} from './binomial-tree-wasm.js';
export { priceMonteCarloWasm, type MonteCarloWasmOptions } from './monte-carlo-wasm.js';
