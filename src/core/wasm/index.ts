/**
 * The WebAssembly SIMD kernels, as drop-in alternatives to the TypeScript engines they reproduce bit for bit
 * (see assembly/ for the sources and test/core/wasm for the equality checks). Not yet re-exported from the core
 * barrel: which path is the default is decided per workload from the measurements in BENCHMARKS.md.
 */
export { priceBlackScholesBatchWasm, priceBlackScholesPricesWasm } from './black-scholes-batch-wasm.js';
export { priceBinomialCrrWasm, priceLeisenReimerWasm, binomialRollbackWasm, type TreeRollback } from './binomial-tree-wasm.js';
export { priceMonteCarloWasm, type MonteCarloWasmOptions } from './monte-carlo-wasm.js';
