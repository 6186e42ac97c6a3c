import { batchInputCount, requireLength, requireOutputLength, requireValidBatchElements, type BlackScholesBatchInput, type BlackScholesBatchOutput } from '../engines/black-scholes-batch.js';
import { reserveKernelMemory, wasmKernels } from './wasm-kernels.js';

/**
 * Options per kernel call. Inputs and outputs of a chunk (about 100 bytes an option, 200 KB here) stay in the
 * L2 cache between the copy in, the kernel and the copy out.
 */
const CHUNK = 2048;
const INPUT_ARRAYS = 6;
const OUTPUT_ARRAYS = 6;
/** Bytes a chunk needs in the kernels' memory: isCall (rounded to 16 bytes), then the f64 arrays. */
const CHUNK_BYTES = CHUNK + (INPUT_ARRAYS + OUTPUT_ARRAYS) * CHUNK * 8;

/** Views of one chunk's buffers in the kernels' memory, with their addresses. */
interface ChunkBuffers {
  readonly isCall: Uint8Array;
  readonly inputs: readonly Float64Array[];
  readonly outputs: readonly Float64Array[];
  readonly isCallAddress: number;
  readonly inputAddresses: readonly number[];
  readonly outputAddresses: readonly number[];
}

let buffers: ChunkBuffers | undefined;

function chunkBuffers(): ChunkBuffers {
  const base = reserveKernelMemory(CHUNK_BYTES);
  const memory = wasmKernels().memory.buffer;
  // The views stay valid until the memory grows, which only reserveKernelMemory does.
  if (buffers === undefined || buffers.isCall.buffer !== memory) {
    const inputAddresses = Array.from({ length: INPUT_ARRAYS }, (_, k) => base + CHUNK + k * CHUNK * 8);
    const outputAddresses = Array.from({ length: OUTPUT_ARRAYS }, (_, k) => base + CHUNK + (INPUT_ARRAYS + k) * CHUNK * 8);
    buffers = {
      isCall: new Uint8Array(memory, base, CHUNK),
      inputs: inputAddresses.map((address) => new Float64Array(memory, address, CHUNK)),
      outputs: outputAddresses.map((address) => new Float64Array(memory, address, CHUNK)),
      isCallAddress: base,
      inputAddresses,
      outputAddresses,
    };
  }
  return buffers;
}

/**
 * priceBlackScholesBatch on the WebAssembly SIMD kernel: the same contract (inputs, outputs, validation and
 * error messages, nothing written on a bad element) and the same numbers, bit for bit (the kernel performs the
 * TypeScript kernel's operations in its order; test/core/wasm checks the equality). Prices input[0..n) into
 * output, n defaulting to the length of input.spot.
 */
export function priceBlackScholesBatchWasm(input: BlackScholesBatchInput, output: BlackScholesBatchOutput, n?: number): void {
  const count = batchInputCount(input, n);
  requireOutputLength(output, count);
  validateElements(input, count);
  run(input, [output.price, output.delta, output.gamma, output.theta, output.vega, output.rho], count, true);
}

/** The prices alone (no greeks) for input[0..n) into `price`: the same doubles as priceBlackScholesBatchWasm's. */
export function priceBlackScholesPricesWasm(input: BlackScholesBatchInput, price: Float64Array, n?: number): void {
  const count = batchInputCount(input, n);
  requireLength(price, count, 'price');
  validateElements(input, count);
  run(input, [price], count, false);
}

function run(input: BlackScholesBatchInput, outputs: readonly Float64Array[], count: number, withGreeks: boolean): void {
  const kernels = wasmKernels();
  const chunk = chunkBuffers();
  const sources = [input.spot, input.strike, input.expiry, input.volatility, input.rate, input.dividendYield];
  const [i0, i1, i2, i3, i4, i5] = chunk.inputAddresses as [number, number, number, number, number, number];
  const [o0, o1, o2, o3, o4, o5] = chunk.outputAddresses as [number, number, number, number, number, number];
  for (let start = 0; start < count; start += CHUNK) {
    const end = Math.min(start + CHUNK, count);
    chunk.isCall.set(input.isCall.subarray(start, end));
    for (let k = 0; k < INPUT_ARRAYS; k++) chunk.inputs[k]!.set(sources[k]!.subarray(start, end));
    kernels.blackScholesBatch(chunk.isCallAddress, i0, i1, i2, i3, i4, i5, o0, o1, o2, o3, o4, o5, end - start, withGreeks ? 1 : 0);
    for (let k = 0; k < outputs.length; k++) outputs[k]!.set(chunk.outputs[k]!.subarray(0, end - start), start);
  }
}

// Validation exactly as priceBlackScholesBatch's (same order, same messages), so the two are interchangeable.

/**
 * Checks every element, throwing priceBlackScholesBatch's error for the first bad one. A single reduction pass
 * first (the smallest and largest of the positive inputs, a sum that any non-finite rate turns to NaN, the
 * flags' stray bits), since a check per element and field costs a third of the kernel; only a batch that fails
 * it goes through the element-by-element pass that names the culprit.
 */
function validateElements(input: BlackScholesBatchInput, count: number): void {
  const { isCall, spot, strike, expiry, volatility, rate, dividendYield } = input;
  let smallest = Infinity;
  let largest = 0;
  let carry = 0;
  let strayBits = 0;
  for (let i = 0; i < count; i++) {
    const S = spot[i]!, K = strike[i]!, T = expiry[i]!, v = volatility[i]!, r = rate[i]!, q = dividendYield[i]!;
    // Math.min and Math.max return NaN as soon as one argument is NaN.
    smallest = Math.min(smallest, S, K, T, v);
    largest = Math.max(largest, S, K, T, v);
    carry += r - r + (q - q); // 0 for finite values, NaN otherwise
    strayBits |= isCall[i]! & ~1;
  }
  if (smallest > 0 && largest < Infinity && carry === 0 && strayBits === 0) return;
  requireValidBatchElements(input, count);
}



