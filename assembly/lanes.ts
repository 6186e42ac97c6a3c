/**
 * Vector constants. V8 materialises a v128.const afresh at every use (several instructions through a general
 * register), whereas a vector loaded from linear memory costs one load: so every constant the SIMD code needs in
 * both lanes is a 16-byte static segment, declared with `both` or `bothBits`, and read with `lanes`.
 */

/** The vector stored at `pointer` (a constant declared with memory.data). */
export function lanes(pointer: usize): v128 {
  return v128.load(pointer);
}
