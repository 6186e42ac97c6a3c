/**
 * The WebAssembly kernels of OPE (built by assembly/build.mjs into src/core/wasm/kernels-module.ts). Memory is
 * laid out by the caller from `heapBase()` upward; nothing here allocates.
 */
import { exp, expm1, log, log1p } from './fdlibm';

export { binomialRollback } from './binomial-tree';
export { monteCarloGreekBlocks, monteCarloPriceBlocks } from './monte-carlo';

/** First byte of linear memory free for the caller's buffers, 16-byte aligned. */
export function heapBase(): usize {
  return (__heap_base + 15) & ~(<usize>15);
}

// The fdlibm ports, exported so that the tests can check them against V8's Math bit for bit.
export function fdlibmExp(x: f64): f64 {
  return exp(x);
}
export function fdlibmLog(x: f64): f64 {
  return log(x);
}
export function fdlibmLog1p(x: f64): f64 {
  return log1p(x);
}
export function fdlibmExpm1(x: f64): f64 {
  return expm1(x);
}
