import { decodeBase64 } from './decode-base64.js';
import { KERNELS_WASM_BASE64 } from './kernels-module.js';

/**
 * The compiled WebAssembly kernels (assembly/*.ts, built by assembly/build.mjs), instantiated on first use.
 *
 * The module is embedded in kernels-module.ts as base64 rather than read from a .wasm file, so the core stays
 * free of I/O (no node:fs, no fetch) and works unchanged in workers, bundles and browsers; the price is a source
 * file a third larger than the module (18 KB of WebAssembly). Decoding, compiling and instantiating it is
 * synchronous and happens once per thread, on first use (10-25 ms on the benchmark machine).
 */

/** The subset of the host's WebAssembly API used here (the project's TypeScript lib does not declare it). */
interface WebAssemblyHost {
  readonly Module: new (bytes: Uint8Array) => object;
  readonly Instance: new (module: object, imports: object) => { readonly exports: unknown };
}

export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

/** The kernels' exports; addresses are byte offsets into `memory`. */
export interface KernelExports {
  readonly memory: WasmMemory;
  /** First byte free for the caller's buffers, 16-byte aligned. */
  heapBase(): number;
  /**
   * binomial-tree.ts's rollback: tables rowFactors[n + 1] and columnFactors[n + 6], node values[n + 6] at the
   * given addresses; writes value, step-1 and step-2 nodes (6 f64) at `out` and returns the value.
   */
  binomialRollback(
    rowFactors: number,
    columnFactors: number,
    values: number,
    out: number,
    steps: number,
    omegaSpot: number,
    omegaStrike: number,
    up: number,
    down: number,
    pu: number,
    pd: number,
    american: number,
  ): number;
  /**
   * monte_carlo_20k's price path: canonical blocks of a run, each block's (count, mean, m2) written as 3 f64 at
   * out + 24 block; `scratch` needs 20,000 bytes. Seed and stream as four 32-bit words.
   */
  monteCarloPriceBlocks(
    k0: number,
    k1: number,
    s0: number,
    s1: number,
    totalPairs: number,
    forward: number,
    totalVolatility: number,
    halfDiscount: number,
    strike: number,
    isCall: number,
    scratch: number,
    out: number,
  ): void;
  /**
   * monte_carlo_20k with greeks: canonical blocks firstBlock .. firstBlock + blockCount - 1, each block's moments of
   * price, delta, gamma, theta, vega and rho written as 18 f64 (count, mean, m2 for each) at out + 144 (block -
   * firstBlock); `scratch` needs 60,000 bytes. `later` / `sooner`: forward, sigma sqrt(T') and e^(-rT')/2 at the
   * theta expiries.
   */
  monteCarloGreekBlocks(
    k0: number,
    k1: number,
    s0: number,
    s1: number,
    totalPairs: number,
    firstBlock: number,
    blockCount: number,
    isCall: number,
    strike: number,
    spot: number,
    expiry: number,
    volatility: number,
    forward: number,
    totalVolatility: number,
    halfDiscount: number,
    laterForward: number,
    laterTotalVolatility: number,
    laterHalfDiscount: number,
    soonerForward: number,
    soonerTotalVolatility: number,
    soonerHalfDiscount: number,
    thetaWidth: number,
    scratch: number,
    out: number,
  ): void;
  fdlibmExp(x: number): number;
  fdlibmLog(x: number): number;
  fdlibmLog1p(x: number): number;
  fdlibmExpm1(x: number): number;
}

const PAGE_BYTES = 65536;

let kernels: KernelExports | undefined;

/** The instantiated kernels (one instance per thread: module state is per worker). */
export function wasmKernels(): KernelExports {
  if (kernels === undefined) {
    const host = (globalThis as unknown as { WebAssembly: WebAssemblyHost }).WebAssembly;
    const module = new host.Module(decodeBase64(KERNELS_WASM_BASE64));
    kernels = new host.Instance(module, {}).exports as KernelExports;
  }
  return kernels;
}

let availability: boolean | undefined;

/**
 * Whether this thread can run the kernels: false where the host has no WebAssembly or cannot compile the module
 * (it needs the SIMD proposal, in V8 since 2021), and callers then take the TypeScript engines. Asked once per
 * thread; the first call instantiates the module.
 */
export function wasmKernelsAvailable(): boolean {
  if (availability === undefined) {
    try {
      wasmKernels();
      availability = true;
    } catch {
      // Any failure here (no WebAssembly global, CompileError, LinkError) means the same thing: no kernels.
      availability = false;
    }
  }
  return availability;
}

/**
 * Makes the kernels' memory at least `bytes` long past heapBase and returns heapBase. Growing detaches earlier
 * views of the memory, so callers take their views after this call.
 */
export function reserveKernelMemory(bytes: number): number {
  const k = wasmKernels();
  const base = k.heapBase();
  const needed = base + bytes - k.memory.buffer.byteLength;
  if (needed > 0) k.memory.grow(Math.ceil(needed / PAGE_BYTES));
  return base;
}
